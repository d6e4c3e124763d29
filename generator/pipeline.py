"""load → validate → model: the first half of every command that reads content."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, has_errors
from .load import load_corpus
from .model import Content, build_content
from .validate import Context, validate


@dataclass(frozen=True)
class Checked:
    content: Content | None  # None when there are errors
    diagnostics: list[Diagnostic]


def check(content_dir: Path) -> Checked:
    corpus = load_corpus(content_dir)
    ctx = Context(corpus)
    diagnostics = validate(corpus, ctx)
    if has_errors(diagnostics):
        return Checked(None, diagnostics)
    return Checked(build_content(corpus, ctx), diagnostics)
