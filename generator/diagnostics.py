"""Diagnostics are data: every problem found is one `Diagnostic`, printed by a formatter.

Text output follows rustc/ruff: `path:line:col: error[code]: message`, the
source line, then `help:`. Carets are printed only when the text before the
column is ASCII: under Arabic text many terminals misalign them.

Messages quote editors' text, and the text format quotes their source lines: control, direction
and line-separator characters are printed escaped (`chars.visible`), so a content file cannot clear
an editor's screen, retitle the window, reorder a line or fake one ("all content is valid"). JSON
keeps every character (json.dumps escapes what JSON must); GitHub annotations are escaped as text is.
"""
from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from .chars import visible

# Source lines are quoted only from files this small (above every limit in load/limits.py).
MAX_SOURCE_BYTES = 4 * 1024 * 1024


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    severity: Severity
    code: str
    message: str
    help: str = ""
    # Extra lines shown after the source line (a suggested passage, say).
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.column, d.code, d.message)


class SourceCache:
    """Reads each reported file once, to quote its lines."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            text = ""
            try:
                # Only regular files, not links (one may lead outside the content), and not huge:
                # a FIFO would block, and the file reported may be the oversized one.
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_SOURCE_BYTES:
                    text = Path(path).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                pass
            # Lines as the loader counts them (only CRLF, CR and LF end a line), so LINE matches.
            text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
            self._lines[path] = text.split("\n") if text else []
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


def format_text(diagnostics: list[Diagnostic], color: bool = False) -> str:
    sources = SourceCache()
    out: list[str] = []
    for d in diagnostics:
        sev = d.severity.value
        if color:
            sev = ("\x1b[1;31m" if d.is_error else "\x1b[1;33m") + sev + "\x1b[0m"
        out.append(f"{visible(d.path)}:{d.line}:{d.column}: {sev}[{d.code}]: {visible(d.message)}")
        src = sources.line(d.path, d.line)
        if src is not None:
            gutter = f"{d.line:>5} | "
            out.append(gutter + visible(src.replace("\t", "→")))
            before = src[: d.column - 1]
            if before.isascii():  # escapes widen it: the caret goes under the character as printed
                out.append(" " * (len(gutter) + len(visible(before.replace("\t", "→")))) + "^")
        out.extend("      " + visible(note) for note in d.notes)
        if d.help:
            out.append(f"  help: {visible(d.help)}")
        out.append("")
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    out.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(out)


def format_json(diagnostics: list[Diagnostic]) -> str:
    rows = []
    for d in diagnostics:
        row = asdict(d)
        row["severity"] = d.severity.value
        row["notes"] = list(d.notes)
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        kind = "error" if d.is_error else "warning"
        # One line each: an editor's newline or escape sequence stays text; the lines are joined after.
        body = "\n".join(map(visible, [d.message, *d.notes, *([f"help: {d.help}"] if d.help else [])]))
        file = _gh_escape(visible(d.path), True)
        props = f"file={file},line={d.line},col={d.column},title={_gh_escape(d.code, True)}"
        lines.append(f"::{kind} {props}::{_gh_escape(body)}")
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
