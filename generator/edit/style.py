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
  else quoted; text with line breaks as a literal block (`|`); text holding
  U+0085, U+2028 or U+2029 (line breaks to libyaml, not to editors)
  double-quoted, the character escaped (`\u2028`);
- keys, numbers, booleans, nulls and dates exactly as written (`007:`,
  `0x10`, `1e3`, `True`, `~`): keys are ids, text to the validator, and it
  reads a number's own notation, so `7:` or `16` would change the data;
- no blank lines outside literal blocks; LF line ends, no BOM;
- the `# yaml-language-server: $schema=…` line first (added when missing).

Comments are kept. ruamel.yaml's round-trip mode (typ="rt") attaches each
comment to the node *before* it, so sorting keys would carry comments to the
wrong place. Instead comments are found in the source by position (outside
every scalar), each is assigned to the key or list item it sits on
(end-of-line) or just above (full-line), and re-attached to that node of the
sorted tree, which ruamel.yaml's round-trip dumper writes. The tree itself is
composed by libyaml (the C parser the validator uses), which is much faster
than the round-trip loader, and each scalar keeps its source text.

`canonical()` checks its own work: the output must give the validator the same
data (`parse_yaml`: keys as text, scalars typed by their tag, 1, 1.0 and True
told apart) and carry the same comments, or it raises `Unsafe`.
"""
from __future__ import annotations

import bisect
import io
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from ..diagnostics import Diagnostic
from ..load import limits
from ..load.tree import REGISTRIES
from ..load.yaml_source import parse_yaml
from .files import schema_comment

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
INDENT = 2
WIDTH = 1_000_000_000  # never wrap
# Line breaks to libyaml (YAML 1.1 rules, as the validator reads), but not to editors or to YAML 1.2:
# comments end there, and text holding one is written double-quoted, the character escaped (`\u2028`).
_ODD_BREAKS = "\x85\u2028\u2029"
_BREAK = re.compile(f"[\n{_ODD_BREAKS}]")  # the text's `\r` are already `\n`


REPORT = "the file was left untouched; please report this file to the developers"


class Unsafe(Exception):
    """Formatting would change the data or lose a comment: the file must be left as it is."""

    def __init__(self, message: str, help: str = REPORT) -> None:
        super().__init__(message)
        self.help = help


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
            start = min(_line_end(text, start) + 1, len(text))
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
        if pos == 0 or text[pos - 1] in " \t\n" + _ODD_BREAKS:
            end = _line_end(text, pos)
            yield pos, end
            pos = end
        else:
            pos += 1


def _line_end(text: str, pos: int) -> int:
    found = _BREAK.search(text, pos)
    return found.start() if found else len(text)


def find_comments(text: str, root: Node) -> Comments:
    breaks = [m.start() for m in _BREAK.finditer(text)]
    entries: list = []
    scalars: list = []
    _walk(text, root, (), False, entries, scalars)
    entries.sort(key=lambda e: (e[0], e[1]))
    starts = [e[0] for e in entries]
    out = Comments()
    for start, end in _comment_spans(text, scalars):
        comment = text[start:end].rstrip()
        before = bisect.bisect_left(breaks, start)  # line breaks before the comment
        line_start = breaks[before - 1] + 1 if before else 0
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

_STR = "tag:yaml.org,2002:str"
# What a literal block holds as it is: YAML's printable characters but tab (kept out of blocks). Other text
# with line breaks (a control character, `\r`) is left to the dumper, which double-quotes and escapes it.
_BLOCK_SAFE = re.compile("[\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def _has_odd_break(text: str) -> bool:
    return any(c in text for c in _ODD_BREAKS)


class Verbatim(str):
    """A scalar that is not text, as the editor wrote it: `0x10`, `1e3`, `~`, `True`, `2024-04-18`, or a
    key such as `007`. The validator reads the notation itself (keys are ids, always text), so writing
    `16`, `1000.0`, `null`, `true` or `7` instead would change the data, not the style."""

    tag: str

    def __new__(cls, text: str, tag: str) -> Verbatim:
        self = super().__new__(cls, text)
        self.tag = tag
        return self


def _represent_verbatim(representer, data: Verbatim):
    # Plain when the text alone reads back as this tag (the dumper adds `!!float` to `!!float 1`).
    return representer.represent_scalar(data.tag, str(data), style='"' if _has_odd_break(data) else None)


def _scalar(node: ScalarNode, key: bool = False) -> Any:
    if node.tag != _STR:
        return Verbatim(node.value, node.tag)
    text = node.value
    if _has_odd_break(text):
        return DoubleQuotedScalarString(text)
    return LiteralScalarString(text) if "\n" in text and _BLOCK_SAFE.fullmatch(text) and not key else text


def _canonical(node: Node, shape: Shape | None, keep_order: bool = False) -> Any:
    """The node's value in canonical form: keys in schema order, block style, each scalar as written."""
    if isinstance(node, MappingNode):
        props = shape.props if shape else {}
        pairs = {str(k.value): (k, v) for k, v in node.value}  # keys as the validator reads them: text
        keys = list(pairs) if keep_order else [k for k in props if k in pairs] + [k for k in pairs if k not in props]
        out = CommentedMap()
        for key in keys:
            knode, vnode = pairs[key]
            out[_scalar(knode, key=True)] = _canonical(vnode, props.get(key) or (shape.additional if shape else None))
        out.fa.set_block_style()
        return out
    if isinstance(node, SequenceNode):
        out = CommentedSeq(_canonical(v, shape.items if shape else None) for v in node.value)
        out.fa.set_block_style()
        return out
    return _scalar(node)


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

class _Emitter(RoundTripEmitter):
    # `\u2028`, `\u2029`, `\x85`, which editors and other YAML tools know, rather than YAML's own `\L`, `\P`, `\N`.
    ESCAPE_REPLACEMENTS = {k: v for k, v in RoundTripEmitter.ESCAPE_REPLACEMENTS.items() if k not in _ODD_BREAKS}


class _Representer(RoundTripRepresenter):
    pass


_Representer.add_representer(Verbatim, _represent_verbatim)

_local = threading.local()


def _yaml(kind: str) -> YAML:
    cache_ = _local.__dict__.setdefault("yamls", {})
    if kind not in cache_:
        if kind == "rt":
            y = YAML(typ="rt")
            y.indent(mapping=INDENT, sequence=INDENT * 2, offset=INDENT)
            y.width = WIDTH
            y.allow_unicode = True
            y.Emitter, y.Representer = _Emitter, _Representer
        else:
            y = YAML(typ="safe")  # the C parser: composes with positions, and loads with types
        cache_[kind] = y
    return cache_[kind]


def _strict(value: Any) -> Any:
    """The validator's data, compared strictly: 1, 1.0 and True differ (Python finds them equal), NaN is itself."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return type(value), repr(value)


def _comment_bag(text: str) -> Counter:
    root = _yaml("safe").compose(text)
    return Counter(find_comments(text, root).all()) if root is not None else Counter()


@dataclass(frozen=True)
class Formatted:
    text: str | None  # None when the file cannot be parsed
    diagnostics: list[Diagnostic]


def canonical(text: str, kind: str, display: str, nested: bool,
              changes: dict[tuple, str] | None = None) -> Formatted:
    """The canonical form of one content file's text (already decoded, newlines as `\\n`); `changes` sets
    text values first, by path of keys and list indexes (`archive` adds fields: a new key takes its place
    in the schema's order).

    YAML errors come back as the validator's diagnostics, with `text=None`.
    Raises `Unsafe` if the result would not hold the same data (as edited) and comments.
    """
    doc, problems = parse_yaml(text, display)
    if problems:
        return Formatted(None, problems)
    root = _yaml("safe").compose(text)  # libyaml is fast; the round-trip dumper below writes the comments back
    comments = find_comments(text, root)
    for path, value in (changes or {}).items():
        _set(root, path, value)
        _set_data(doc.data, path, value)
    # verdicts, topics, tags: the top level keeps its order (the display order); its entries follow the schema
    tree = _canonical(root, shape_of(kind), keep_order=kind in REGISTRIES)
    orphans = _attach(tree, comments)
    header = list(comments.header)
    if not any(line.startswith("# yaml-language-server:") for line in header):
        header.insert(0, schema_comment(kind, nested))
    lines = header + _dump_tree(tree, display).rstrip("\n").split("\n") + orphans + comments.trailer
    result = "\n".join(lines) + "\n"
    _verify(text, doc.data, result, display)
    return Formatted(result, [])


def _dump_tree(tree: Any, display: str) -> str:
    out = io.StringIO()
    try:
        _yaml("rt").dump(tree, out)
    except YAMLError as exc:  # a shape the dumper cannot write: leave the file as it is
        raise Unsafe(f"{display}: the formatted text could not be written: {str(exc).splitlines()[0]}") from exc
    return out.getvalue()


def _set(node: Node, path: tuple, value: str) -> None:
    """Set `value` as text at `path` of a composed tree; the last key is added when missing."""
    *parents, last = path
    for step in parents:
        node = node.value[step] if isinstance(node, SequenceNode) else _child(node, step)
    for knode, vnode in node.value:
        if str(knode.value) == last:
            node.value.remove((knode, vnode))
            break
    node.value.append((ScalarNode(_STR, last), ScalarNode(_STR, value)))


def _child(node: MappingNode, key: str) -> Node:
    return next(v for k, v in node.value if str(k.value) == key)


def _set_data(data: Any, path: tuple, value: str) -> None:
    *parents, last = path
    for step in parents:
        data = data[step]
    data[last] = value


def _verify(before: str, data: Any, after: str, display: str) -> None:
    """The validator reads the same data from `after` as from `before` (keys as text, scalars typed as
    it types them), and every comment is still there."""
    size = len(after.encode("utf-8"))
    if size > limits.MAX_YAML_BYTES:  # validate would refuse the file
        raise Unsafe(f"{display}: formatted, the file would be {size:,} bytes; the limit is {limits.MAX_YAML_BYTES:,}",
                     "the file was left untouched; shorten it: fmt writes out YAML anchors and aliases "
                     "(&name / *name) in full, and escapes characters such as U+2028")
    doc, problems = parse_yaml(after, display)
    if problems:
        raise Unsafe(f"{display}: the formatted text would not parse: {problems[0].message}")
    if _strict(doc.data) != _strict(data):
        raise Unsafe(f"{display}: formatting would change the data")
    lost = _comment_bag(before) - _comment_bag(after)
    if lost:
        raise Unsafe(f"{display}: formatting would lose a comment: {next(iter(lost))}")


def dump(data: dict, kind: str) -> str:
    """`data` as canonical YAML, without comments: the body of a skeleton `new` writes."""
    plain = io.StringIO()
    _yaml("rt").dump(data, plain)
    return _dump_tree(_canonical(_yaml("safe").compose(plain.getvalue()), shape_of(kind)), kind)
