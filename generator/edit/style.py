"""One canonical style for content YAML, keeping every comment (`fmt`, and the files `new` writes).

The style:
- keys in the order of the file's JSON Schema (`generator/schemas/`), so a
  bilingual text is always `ar:` then `en:`; keys the schema does not know
  follow, in their original order. The entries of the registries
  (verdicts.yaml, topics.yaml, tags.yaml, people.yaml) keep their order: it is
  the display order.
- block style everywhere, 2-space indentation, list items indented under
  their key (`  - item`);
- text on one line however long (no wrapping), plain when YAML allows it,
  else quoted; text with line breaks as a literal block (`|`);
- no blank lines outside literal blocks; LF line ends, no BOM;
- the `# yaml-language-server: $schema=…` line first (added when missing).

Comments are kept. ruamel.yaml's round-trip mode (typ="rt") attaches each
comment to the node *before* it, so sorting keys would carry comments to the
wrong place. Instead comments are found in the source by position (outside
every scalar), each is assigned to the key or list item it sits on
(end-of-line) or just above (full-line), and re-attached to that node of the
sorted tree, which ruamel.yaml's round-trip dumper writes. The data itself is
read with libyaml (the C parser the validator uses), which is much faster
than the round-trip loader.

`canonical()` checks its own work: the output must parse to the same data
(libyaml, with types) and carry the same comments, or it raises `Unsafe`.
"""
from __future__ import annotations

import bisect
import io
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from ..diagnostics import Diagnostic
from ..load.tree import REGISTRIES
from ..load.yaml_source import parse_yaml
from .files import schema_comment

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
INDENT = 2
WIDTH = 1_000_000_000  # never wrap


class Unsafe(Exception):
    """Formatting would change the data or lose a comment: the file must be left as it is."""


# ---------------------------------------------------------------- key order from the JSON Schemas

@dataclass
class Shape:
    """What the schema says about a value: its properties in order, and the shape of its members."""

    props: dict[str, Shape] = field(default_factory=dict)
    additional: Shape | None = None  # for mappings whose keys are ids (verdicts, topics, tags)
    items: Shape | None = None


@cache
def _schemas() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}


def _resolve(node: dict, file: str) -> tuple[dict, str]:
    while "$ref" in node:
        target, _, pointer = node["$ref"].partition("#")
        file = target or file
        node = _schemas()[file]
        for part in filter(None, pointer.split("/")):
            node = node[part]
    return node, file


def _shape(node: dict, file: str, depth: int = 0) -> Shape:
    node, file = _resolve(node, file)
    shape = Shape()
    if depth > 12:
        return shape
    for branch in [*node.get("anyOf", ()), *node.get("oneOf", ())]:  # text_or_string: take the mapping's order
        sub = _shape(branch, file, depth + 1)
        for key, value in sub.props.items():
            shape.props.setdefault(key, value)
    for key, sub in node.get("properties", {}).items():
        shape.props[key] = _shape(sub, file, depth + 1)
    if isinstance(node.get("additionalProperties"), dict):
        shape.additional = _shape(node["additionalProperties"], file, depth + 1)
    if isinstance(node.get("items"), dict):
        shape.items = _shape(node["items"], file, depth + 1)
    return shape


@cache
def shape_of(kind: str) -> Shape:
    name = f"{kind}.schema.json"
    return _shape(_schemas()[name], name)


# ---------------------------------------------------------------- comments, found by position

@dataclass
class Notes:
    before: list[str] = field(default_factory=list)  # full-line comments just above
    eol: list[str] = field(default_factory=list)  # comments at the end of its line


@dataclass
class Comments:
    header: list[str] = field(default_factory=list)  # above the first key
    trailer: list[str] = field(default_factory=list)  # below the last value
    at: dict[tuple, Notes] = field(default_factory=dict)  # by path: ("excerpts", 0, "quote")

    def notes(self, path: tuple) -> Notes:
        return self.at.setdefault(path, Notes())

    def all(self) -> list[str]:
        out = self.header + self.trailer
        for n in self.at.values():
            out += n.before + n.eol
        return out


def _walk(text: str, node: Node, path: tuple, in_flow: bool, entries: list, scalars: list) -> None:
    """Collect the start of every block key / list item (entries) and the span of every scalar."""
    if isinstance(node, ScalarNode):
        start = node.start_mark.index
        if node.style in ("|", ">"):  # a comment may end the `|` line: the text starts on the next line
            start = text.find("\n", start) + 1 or len(text)
        scalars.append((start, node.end_mark.index))
        return
    flow = in_flow or bool(node.flow_style)
    if isinstance(node, MappingNode):
        for knode, vnode in node.value:
            sub = path + (str(knode.value),)
            if not flow:
                entries.append((knode.start_mark.index, len(sub), sub))
            _walk(text, knode, sub, flow, entries, scalars)
            _walk(text, vnode, sub, flow, entries, scalars)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            sub = path + (i,)
            if not flow:
                entries.append((item.start_mark.index, len(sub), sub))
            _walk(text, item, sub, flow, entries, scalars)


def _comment_spans(text: str, scalars: list[tuple[int, int]]):
    """(start, end) of every comment: a `#` outside every scalar, at a line start or after a space."""
    scalars = sorted(scalars)
    starts = [s for s, _ in scalars]
    pos = 0
    while True:
        pos = text.find("#", pos)
        if pos == -1:
            return
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and scalars[i][0] <= pos < scalars[i][1]:
            pos = scalars[i][1]
            continue
        if pos == 0 or text[pos - 1] in " \t\n":
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            yield pos, end
            pos = end
        else:
            pos += 1


def find_comments(text: str, root: Node) -> Comments:
    entries: list = []
    scalars: list = []
    _walk(text, root, (), False, entries, scalars)
    entries.sort(key=lambda e: (e[0], e[1]))
    starts = [e[0] for e in entries]
    out = Comments()
    for start, end in _comment_spans(text, scalars):
        comment = text[start:end].rstrip()
        line_start = text.rfind("\n", 0, start) + 1
        full_line = not text[line_start:start].strip()
        if full_line:
            if not entries or start < entries[0][0]:
                out.header.append(comment)
                continue
            i = bisect.bisect_right(starts, start)
            if i == len(entries):
                out.trailer.append(comment)
            else:
                out.notes(entries[i][2]).before.append(comment)
        else:
            i = bisect.bisect_right(starts, start) - 1
            if i < 0:
                out.header.append(comment)
            else:
                # several entries may start at one place (a list item and its first key): the deepest owns it
                out.notes(entries[i][2]).eol.append(comment)
    return out


# ---------------------------------------------------------------- the canonical tree

def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        text = str(value)
        return LiteralScalarString(text) if "\n" in text and "\t" not in text else text
    if isinstance(value, (bool, ScalarBoolean)):
        return bool(value)
    if isinstance(value, int):  # ruamel's ScalarInt/ScalarFloat keep the source's notation; plain is canonical
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _canonical(value: Any, shape: Shape | None, keep_order: bool = False) -> Any:
    if isinstance(value, dict):
        props = shape.props if shape else {}
        keys = list(value) if keep_order else [k for k in props if k in value] + [k for k in value if k not in props]
        out = CommentedMap()
        for key in keys:
            sub = props.get(key) or (shape.additional if shape else None)
            out[str(key) if isinstance(key, str) else key] = _canonical(value[key], sub)
        out.fa.set_block_style()
        return out
    if isinstance(value, list):
        out = CommentedSeq(_canonical(v, shape.items if shape else None) for v in value)
        out.fa.set_block_style()
        return out
    return _scalar(value)


def _is_block_text(value: Any) -> bool:
    return isinstance(value, LiteralScalarString)


def _tokens(lines: list[str], column: int) -> list[CommentToken]:
    return [CommentToken(line + "\n", CommentMark(column)) for line in lines]


def _attach(tree: Any, comments: Comments) -> list[str]:
    """Put each comment back on its node; returns those whose node is gone (kept at the end)."""
    orphans: list[str] = []
    index = {}

    def locate(container: Any, path: tuple, column: int) -> None:
        keys = list(container) if isinstance(container, dict) else range(len(container))
        for key in keys:
            value = container[key]
            sub = path + ((str(key) if isinstance(container, dict) else key),)
            index[sub] = (container, key, column, value)
            if isinstance(value, (dict, list)):
                # a mapping inside a list item starts on the dash's line: its keys sit one indent further
                locate(value, sub, column + INDENT)

    locate(tree, (), 0)

    befores: dict[tuple, list[str]] = {}
    eols: dict[tuple, str] = {}
    for path, notes in comments.at.items():
        if path not in index:
            orphans += notes.before + notes.eol
            continue
        befores.setdefault(path, []).extend(notes.before)
        if not notes.eol:
            continue
        container, key, column, value = index[path]
        eol, extra = notes.eol[0], notes.eol[1:]
        target = path
        if isinstance(container, list) and isinstance(value, dict) and value:
            first = next(iter(value))
            target = path + (str(first),)
            value = value[first]
        if isinstance(value, (dict, list)) and (not value or isinstance(index[target][0], list)):
            # `[]`/`{}`, or a list item holding a list: ruamel.yaml has no end-of-line slot there
            befores[path].append(eol)
        elif _is_block_text(value):
            befores[path].append(eol)  # `key: |  # …` is legal, but keep it simple: put it above
        elif target in eols:
            befores[path].append(eol)
        else:
            eols[target] = eol
        befores[path].extend(extra)

    for path, lines in befores.items():
        if not lines:
            continue
        container, key, column, value = index[path]
        # A comment above the first member of a list item (a mapping's first key, a list's first item)
        # goes above the item's dash.
        while (len(path) > 1 and (key == 0 if isinstance(container, list) else next(iter(container)) == key)
               and isinstance(index[path[:-1]][0], list)):
            path = path[:-1]
            container, key, column, value = index[path]
        slot = container.ca.items.setdefault(key, [None, None, None, None])
        slot[1] = (slot[1] or []) + _tokens(lines, column)
    for path, eol in eols.items():
        container, key, column, value = index[path]
        slot = container.ca.items.setdefault(key, [None, None, None, None])
        token = CommentToken(" " + eol + "\n", CommentMark(0))
        if isinstance(container, list):
            slot[0] = token
        else:
            slot[2] = token
    return orphans


# ---------------------------------------------------------------- load, dump, check

_local = threading.local()


def _yaml(kind: str) -> YAML:
    cache_ = _local.__dict__.setdefault("yamls", {})
    if kind not in cache_:
        if kind == "rt":
            y = YAML(typ="rt")
            y.indent(mapping=INDENT, sequence=INDENT * 2, offset=INDENT)
            y.width = WIDTH
            y.allow_unicode = True
        else:
            y = YAML(typ="safe")  # the C parser: composes with positions, and loads with types
        cache_[kind] = y
    return cache_[kind]


def _typed(text: str) -> Any:
    """The data as YAML means it (dates as dates, numbers as numbers): what must not change."""
    return _yaml("safe").load(text)


def _comment_bag(text: str) -> Counter:
    root = _yaml("safe").compose(text)
    return Counter(find_comments(text, root).all()) if root is not None else Counter()


@dataclass(frozen=True)
class Formatted:
    text: str | None  # None when the file cannot be parsed
    diagnostics: list[Diagnostic]


def canonical(text: str, kind: str, display: str, nested: bool,
              edit: Callable[[Any], None] | None = None) -> Formatted:
    """The canonical form of one content file's text (already decoded, newlines as `\\n`); `edit` changes
    its data first (`archive` adds fields: the new keys take their place in the schema's order).

    YAML errors come back as the validator's diagnostics, with `text=None`.
    Raises `Unsafe` if the result would not hold the same data (as edited) and comments.
    """
    doc, problems = parse_yaml(text, display)
    if problems:
        return Formatted(None, problems)
    root = _yaml("safe").compose(text)
    comments = find_comments(text, root)
    data = _typed(text)  # libyaml is fast; the round-trip dumper below writes the comments back
    if edit is not None:
        edit(data)
    # verdicts, topics, tags: the top level keeps its order (the display order); its entries follow the schema
    tree = _canonical(data, shape_of(kind), keep_order=kind in REGISTRIES)
    orphans = _attach(tree, comments)
    out = io.StringIO()
    _yaml("rt").dump(tree, out)
    header = list(comments.header)
    if not any(line.startswith("# yaml-language-server:") for line in header):
        header.insert(0, schema_comment(kind, nested))
    lines = header + out.getvalue().rstrip("\n").split("\n") + orphans + comments.trailer
    result = "\n".join(lines) + "\n"
    _verify(text, data, result, display)
    return Formatted(result, [])


def _verify(before: str, data: Any, after: str, display: str) -> None:
    _, problems = parse_yaml(after, display)
    if problems:
        raise Unsafe(f"{display}: the formatted text would not parse: {problems[0].message}")
    if data != _typed(after):
        raise Unsafe(f"{display}: formatting would change the data")
    lost = _comment_bag(before) - _comment_bag(after)
    if lost:
        raise Unsafe(f"{display}: formatting would lose a comment: {next(iter(lost))}")


def dump(data: dict, kind: str) -> str:
    """`data` as canonical YAML, without comments: the body of a skeleton `new` writes."""
    out = io.StringIO()
    _yaml("rt").dump(_canonical(data, shape_of(kind)), out)
    return out.getvalue()
