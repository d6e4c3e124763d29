"""Parse one YAML file into plain data plus the position of every key and value.

libyaml's C composer (ruamel.yaml.clib) builds the node tree fast, with marks;
this module turns nodes into plain Python itself instead of using a
constructor, which lets it:
- keep the line/column of every key and value, so no slower round-trip
  re-parse is needed to report an error;
- report duplicate keys, unknown tags and alias bombs as diagnostics, and
  never construct a Python object from a tag (`!!python/...`);
- keep dates as text, so `2024-02-30` becomes a clear date error later.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Diagnostic, Severity
from . import limits

Path_ = tuple  # a path into the data: ("excerpts", 0, "quote")

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class Document:
    """One parsed YAML file. `data` is None when the file could not be parsed."""

    path: str  # as shown in diagnostics
    data: Any
    keys: dict[Path_, Pos] = field(default_factory=dict, compare=False)
    values: dict[Path_, Pos] = field(default_factory=dict, compare=False)

    def pos(self, path: Path_, *, key: bool = True) -> Pos:
        """Position of the key (or value) at `path`, else of its nearest recorded ancestor."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if not key and p in self.keys:
                return self.keys[p]
            p = p[:-1]
        return self.values.get((), Pos(1, 1))

    def diag(self, path: Path_, code: str, message: str, help: str = "", *,
             key: bool = True, severity: Severity = Severity.ERROR, notes: tuple[str, ...] = ()) -> Diagnostic:
        pos = self.pos(path, key=key)
        return Diagnostic(self.path, pos.line, pos.column, severity, code, message, help, notes)


class _Reject(Exception):
    def __init__(self, node: Node, code: str, message: str, help: str) -> None:
        super().__init__(message)
        self.node, self.code, self.message, self.help = node, code, message, help


class _Builder:
    def __init__(self) -> None:
        self.keys: dict[Path_, Pos] = {}
        self.values: dict[Path_, Pos] = {}
        self.count = 0

    def build(self, node: Node, path: Path_ = ()) -> Any:
        self.count += 1
        if self.count > limits.MAX_NODES:
            raise _Reject(node, "yaml-too-many-nodes",
                          f"the document expands to more than {limits.MAX_NODES:,} values",
                          "remove YAML anchors and aliases (&name / *name): content files do not need them")
        if len(path) > limits.MAX_DEPTH:
            raise _Reject(node, "yaml-too-deep", f"values nested more than {limits.MAX_DEPTH} levels deep",
                          "content files need only a few levels of nesting")
        self.values.setdefault(path, _pos(node))
        if isinstance(node, MappingNode):
            if node.tag != f"{_TAG}map":
                raise _unknown_tag(node)
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, ScalarNode) or knode.tag == f"{_TAG}merge":
                    raise _Reject(knode, "yaml-complex-key", "only plain text keys are allowed here",
                                  "write keys as plain words, such as `claim:`")
                key = str(knode.value)
                if key in out:
                    first = self.keys[path + (key,)]
                    raise _Reject(knode, "yaml-duplicate-key",
                                  f"key `{key}` appears twice in the same mapping (first at line {first.line})",
                                  "keep one of the two; YAML would silently drop the first")
                self.keys[path + (key,)] = _pos(knode)
                out[key] = self.build(vnode, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            if node.tag != f"{_TAG}seq":
                raise _unknown_tag(node)
            items = []
            for i, item in enumerate(node.value):
                self.keys.setdefault(path + (i,), _pos(item))
                items.append(self.build(item, path + (i,)))
            return items
        if node.tag not in _SCALAR_TAGS:
            raise _unknown_tag(node)
        return _scalar(node)


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def _unknown_tag(node: Node) -> _Reject:
    return _Reject(node, "yaml-tag", f"YAML tag `{node.tag}` is not allowed",
                   "remove the `!…` tag; content files hold only text, numbers, lists and mappings")


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag[len(_TAG):], node.value
    if tag == "int":
        try:
            return int(value.replace("_", ""), 0) if value[:2].lower() in ("0x", "0o") else int(value.replace("_", ""))
        except ValueError:
            return value
    if tag == "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    if tag == "bool":
        return value.lower() == "true"
    if tag == "null":
        return None
    return value  # str, and timestamps kept as text


_local = threading.local()


def _yaml() -> YAML:
    if not hasattr(_local, "yaml"):
        _local.yaml = YAML(typ="safe")  # C parser when ruamel.yaml.clib is installed
    return _local.yaml


def read_text(path: Path, display: str, max_bytes: int) -> tuple[str | None, Diagnostic | None]:
    """Read a UTF-8 file (BOM and CRLF accepted) within the size limit."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, Diagnostic(display, 1, 1, Severity.ERROR, "file-too-large",
                                    f"file is {size:,} bytes; the limit is {max_bytes:,}",
                                    "split the content or trim pasted material; see 'Limits' in the editors' guide")
        raw = path.read_bytes()
    except OSError as exc:
        return None, Diagnostic(display, 1, 1, Severity.ERROR, "file-unreadable", f"cannot read file: {exc.strerror}",
                                "check the file's permissions")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        return None, Diagnostic(display, line, column, Severity.ERROR, "encoding",
                                f"invalid UTF-8 at byte offset {exc.start} (byte 0x{raw[exc.start]:02x})",
                                "save the file as UTF-8; text pasted from another encoding must be converted")
    return text.removeprefix("\ufeff"), None


def parse_yaml(text: str, display: str) -> tuple[Document, list[Diagnostic]]:
    empty = Document(display, None)
    try:
        node = _yaml().compose(text)
    except MarkedYAMLError as exc:
        return empty, [_syntax_diag(exc, display)]
    except YAMLError as exc:  # reader errors: control characters and the like
        position = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = str(exc).splitlines()[0]
        return empty, [Diagnostic(display, line, column, Severity.ERROR, "yaml-control-char",
                                  f"YAML cannot read this file: {reason}",
                                  "remove control characters; paste text as plain text")]
    if node is None:
        return empty, [Diagnostic(display, 1, 1, Severity.ERROR, "yaml-empty", "the file is empty",
                                  "fill it in, or delete it; `python -m generator new` writes a skeleton")]
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        pos = _pos(node)
        return empty, [Diagnostic(display, pos.line, pos.column, Severity.ERROR, "yaml-not-mapping",
                                  f"the file holds {kind}; it must be a mapping of `key: value` lines",
                                  "start each top-level field at column 1, as in `claim:`")]
    builder = _Builder()
    try:
        data = builder.build(node)
    except _Reject as rej:
        pos = _pos(rej.node)
        return empty, [Diagnostic(display, pos.line, pos.column, Severity.ERROR, rej.code, rej.message, rej.help)]
    return Document(display, data, builder.keys, builder.values), []


def _syntax_diag(exc: MarkedYAMLError, display: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or str(exc)
    if "tab" in problem:
        return Diagnostic(display, line, column, Severity.ERROR, "yaml-tab",
                          "a tab character is used for indentation", "indent with spaces only")
    if "single document" in str(exc):
        return Diagnostic(display, line, column, Severity.ERROR, "yaml-multi-document",
                          "the file holds more than one YAML document (a `---` line)",
                          "remove the `---` separator: one file holds one claim")
    context = f" ({exc.context})" if exc.context else ""
    return Diagnostic(display, line, column, Severity.ERROR, "yaml-syntax", f"YAML syntax error: {problem}{context}",
                      "check indentation and quoting on this line or the one before; "
                      "text containing `: ` or starting with a quote mark must be quoted")


def load_yaml_file(path: Path, display: str) -> tuple[Document, list[Diagnostic]]:
    text, problem = read_text(path, display, limits.MAX_YAML_BYTES)
    if problem:
        return Document(display, None), [problem]
    return parse_yaml(text, display)
