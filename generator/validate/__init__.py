"""Validate: run every registered rule over a loaded corpus, collect diagnostics."""
from __future__ import annotations

from ..diagnostics import Diagnostic, sort_key
from ..load.tree import Corpus
from . import rules  # noqa: F401  (registers the rules)
from .context import LANGUAGES, Context
from .registry import RULES

__all__ = ["LANGUAGES", "Context", "validate"]


def _documents(corpus: Corpus, kind: str):
    if kind == "claim":
        return corpus.claims.values()
    if kind == "article":
        return [a.meta for a in corpus.articles.values()]
    return [getattr(corpus, kind)]


def validate(corpus: Corpus, ctx: Context | None = None) -> list[Diagnostic]:
    ctx = ctx or Context(corpus)
    found: list[Diagnostic] = list(corpus.diagnostics)
    for r in RULES:
        if r.kind == "corpus":
            found.extend(r.check(ctx))
            continue
        for doc in _documents(corpus, r.kind):
            if doc.data is not None:  # unparsable files already have their diagnostic
                found.extend(r.check(doc, ctx))
    return sorted(set(found), key=sort_key)
