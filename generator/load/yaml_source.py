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

import bisect
import hashlib
import re
import stat
import threading
from dataclasses import astuple, dataclass, field
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
    def __init__(self, node: Node, code: str, message: str, help: str, at: Pos | None = None) -> None:
        super().__init__(message)
        self.node, self.code, self.message, self.help, self.at = node, code, message, help, at


class _Lines:
    """Line/column from a character index. libyaml's own line count also breaks
    at U+0085/U+2028/U+2029, which editors do not, so positions come from the
    mark's index and this table of `\n` line starts instead."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def at(self, index: int) -> Pos:
        line = bisect.bisect_right(self.starts, index)
        return Pos(line, index - self.starts[line - 1] + 1)

    def of(self, node: Node) -> Pos:
        return self.at(node.start_mark.index)


class _Builder:
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.keys: dict[Path_, Pos] = {}
        self.values: dict[Path_, Pos] = {}
        self.count = 0

    def build(self, node: Node, path: Path_ = ()) -> Any:
        self.count += 1
        if self.count > limits.MAX_NODES:
            # Point at the top-level field whose value explodes: `node` is deep inside an
            # anchor defined earlier, often on a harmless-looking first line.
            raise _Reject(node, "yaml-too-many-nodes",
                          f"the document expands to more than {limits.MAX_NODES:,} values",
                          "remove YAML anchors and aliases (&name / *name): content files do not need them",
                          self.keys.get(path[:1]))
        if len(path) > limits.MAX_DEPTH:
            raise _Reject(node, "yaml-too-deep", f"values nested more than {limits.MAX_DEPTH} levels deep",
                          "content files need only a few levels of nesting")
        self.values.setdefault(path, self.lines.of(node))
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
                self.keys[path + (key,)] = self.lines.of(knode)
                out[key] = self.build(vnode, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            if node.tag != f"{_TAG}seq":
                raise _unknown_tag(node)
            items = []
            for i, item in enumerate(node.value):
                self.keys.setdefault(path + (i,), self.lines.of(item))
                items.append(self.build(item, path + (i,)))
            return items
        if node.tag not in _SCALAR_TAGS:
            raise _unknown_tag(node)
        return _scalar(node)


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
        text = value.replace("_", "")
        if text.lstrip("+-").lower() in (".inf", ".nan"):  # YAML's .inf/-.inf/.nan (any case): float() needs "inf"
            text = text.replace(".", "", 1)
        try:
            return float(text)
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
    """Read a regular UTF-8 file within the size limit; BOM dropped, CRLF and CR made `\n`."""
    source = read_source(path, display, max_bytes)
    return source.text, source.problem


@dataclass(frozen=True)
class Source:
    """A file as read: its text, or the problem that kept it from being read; the digest of its bytes
    (what the cache decides on). A YAML file is parsed when asked: validate parses only files whose
    checks the cache does not already hold."""

    path: str  # as shown in diagnostics
    text: str | None
    problem: Diagnostic | None = None
    digest: str = ""  # of the bytes read; "" when unreadable

    def parse(self) -> tuple[Document, list[Diagnostic]]:
        if self.text is None:
            return Document(self.path, None), [self.problem] if self.problem else []
        return parse_yaml(self.text, self.path)


def read_source(path: Path, display: str, max_bytes: int) -> Source:
    def failed(problem: Diagnostic) -> Source:
        return Source(display, None, problem)

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            return failed(Diagnostic(display, 1, 1, Severity.ERROR, "file-unreadable", "this is not a regular file",
                                     "replace it with a plain text file"))
        size = info.st_size
        if size > max_bytes:
            return failed(Diagnostic(display, 1, 1, Severity.ERROR, "file-too-large",
                                     f"file is {size:,} bytes; the limit is {max_bytes:,}",
                                     "split the content or trim pasted material; see 'Limits' in the editors' guide"))
        raw = path.read_bytes()
    except OSError as exc:
        return failed(Diagnostic(display, 1, 1, Severity.ERROR, "file-unreadable", f"cannot read file: {exc.strerror}",
                                 "check the file's permissions"))
    return source_from_bytes(raw, display)


def source_from_bytes(raw: bytes, display: str) -> Source:
    """A file's bytes as read_source reads them (a version of it from git, say)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = _lines_of(raw[:exc.start].decode("utf-8"))  # valid up to the bad byte
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        return Source(display, None, Diagnostic(display, line, column, Severity.ERROR, "encoding",
                                                f"invalid UTF-8 at byte offset {exc.start} (byte 0x{raw[exc.start]:02x})",
                                                "save the file as UTF-8; text pasted from another encoding must be "
                                                "converted"))
    return Source(display, _lines_of(text), None, hashlib.blake2b(raw, digest_size=16).hexdigest())


def _lines_of(text: str) -> str:
    """Drop a BOM; make CRLF and CR `\n`, so every position reported counts lines as editors do."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, display: str) -> tuple[Document, list[Diagnostic]]:
    empty = Document(display, None)
    lines = _Lines(text)
    try:
        node = _yaml().compose(text)
    except MarkedYAMLError as exc:
        return empty, [_syntax_diag(exc, display, text, lines)]
    except YAMLError as exc:  # reader errors: control characters and the like
        # libyaml's `position` counts UTF-8 bytes; the rejected character's first
        # occurrence is where reading stopped, in characters.
        character = getattr(exc, "character", None)
        index = text.find(chr(character)) if isinstance(character, int) else -1
        line, column = astuple(lines.at(max(index, 0)))
        reason = str(exc).splitlines()[0]
        return empty, [Diagnostic(display, line, column, Severity.ERROR, "yaml-control-char",
                                  f"YAML cannot read this file: {reason}",
                                  "remove control characters; paste text as plain text")]
    if node is None:
        return empty, [Diagnostic(display, 1, 1, Severity.ERROR, "yaml-empty", "the file is empty",
                                  "fill it in, or delete it; `python -m generator new` writes a skeleton")]
    if node.tag not in _SCALAR_TAGS | {f"{_TAG}map", f"{_TAG}seq"}:
        rej = _unknown_tag(node)  # a tagged top-level value is a tag problem first
        pos = lines.of(node)
        return empty, [Diagnostic(display, pos.line, pos.column, Severity.ERROR, rej.code, rej.message, rej.help)]
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        pos = lines.of(node)
        return empty, [Diagnostic(display, pos.line, pos.column, Severity.ERROR, "yaml-not-mapping",
                                  f"the file holds {kind}; it must be a mapping of `key: value` lines",
                                  "start each top-level field at column 1, as in `claim:`")]
    builder = _Builder(lines)
    try:
        data = builder.build(node)
    except _Reject as rej:
        pos = rej.at or lines.of(rej.node)
        return empty, [Diagnostic(display, pos.line, pos.column, Severity.ERROR, rej.code, rej.message, rej.help)]
    return Document(display, data, builder.keys, builder.values), []


def _syntax_diag(exc: MarkedYAMLError, display: str, text: str, lines: _Lines) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    index = min(mark.index, len(text)) if mark else 0
    line, column = astuple(lines.at(index))
    problem = exc.problem or str(exc)
    # libyaml often reports a tab as "found character that cannot start any token":
    # look at the text itself, at the mark and in the line's indentation.
    source_line = text[lines.starts[line - 1]:].split("\n", 1)[0]
    indent = source_line[:len(source_line) - len(source_line.lstrip(" \t"))]
    if "tab" in problem or text[index:index + 1] == "\t" or "\t" in indent:
        if "\t" in indent:
            column = indent.index("\t") + 1
        return Diagnostic(display, line, column, Severity.ERROR, "yaml-tab",
                          "a tab character is used for indentation", "indent with spaces only")
    if "single document" in str(exc):
        return Diagnostic(display, line, column, Severity.ERROR, "yaml-multi-document",
                          "the file holds more than one YAML document (a `---` line)",
                          "remove the `---` separator: one file holds one claim")
    context = f" ({exc.context})" if exc.context else ""
    notes = ()
    if exc.context and exc.context_mark and exc.context_mark.index < index:
        # An unclosed `[` or quote fails far below where it opened: say where that was.
        opened = lines.at(min(exc.context_mark.index, len(text)))
        what = re.sub(r"^while (parsing|scanning) (an? )?", "", exc.context)
        notes = (f"the {what} began at line {opened.line}, column {opened.column}",)
    return Diagnostic(display, line, column, Severity.ERROR, "yaml-syntax", f"YAML syntax error: {problem}{context}",
                      "check indentation and quoting on this line or the one before; "
                      "text containing `: ` or starting with a quote mark must be quoted", notes)


def load_yaml_file(path: Path, display: str) -> tuple[Document, list[Diagnostic]]:
    return read_source(path, display, limits.MAX_YAML_BYTES).parse()
