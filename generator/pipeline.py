"""load → validate → model: the first half of every command that reads content."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, has_errors

if TYPE_CHECKING:
    from .model import Content


@dataclass(frozen=True)
class Checked:
    content: Content | None  # None when there are errors
    diagnostics: list[Diagnostic]


def check(content_dir: Path) -> Checked:
    # Imported here: a no-change incremental run needs `Checked` but none of the validator.
    from .load import load_corpus
    from .model import build_content
    from .validate import Context, validate

    corpus = load_corpus(content_dir)
    ctx = Context(corpus)
    diagnostics = validate(corpus, ctx)
    if has_errors(diagnostics):
        return Checked(None, diagnostics)
    return Checked(build_content(corpus, ctx), diagnostics)
