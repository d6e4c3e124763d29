"""Every excerpt's quote occurs in its article, exactly once given its prefix/suffix.

`quote_problem` turns one anchoring result into the diagnostic's parts; the
rule here and `python -m generator new claim` both use it, so an editor sees
the same "did you mean" from either.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...anchor.match import Anchor, ArticleIndex, Status, context_of
from ...anchor.normalize import Tier
from ...diagnostics import Severity
from ..registry import rule
from ._access import items, text

MAX_LISTED = 3


def _one_line(s: str, limit: int = 160) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass(frozen=True)
class QuoteProblem:
    field: str  # the excerpt's key the diagnostic points at: quote, prefix or suffix
    code: str
    message: str
    help: str
    notes: tuple[str, ...] = ()
    severity: Severity = Severity.ERROR
    at_key: bool = True  # point at the key (True) or at its value


def quote_problem(found: Anchor, index: ArticleIndex, article_id: str, text_path: str,
                  context_key: str = "prefix") -> QuoteProblem | None:
    """The problem with an anchored quote, or None when it is found cleanly.

    `context_key` names the field (`prefix` or `suffix`) that failed to match
    when the status is CONTEXT_MISMATCH.
    """
    if found.status is Status.FOUND and found.tier is Tier.LOOSE:
        return QuoteProblem("quote", "quote-normalized",
                            "the quote matches the article only after ignoring diacritics, Persian letter forms "
                            "or Arabic punctuation", "copy the quote exactly as the article writes it:",
                            (f"«{_one_line(index.text[found.start:found.end])}»",), Severity.WARNING)
    if found.status is Status.NOT_FOUND:
        hint = found.suggestion
        notes = ()
        if hint:
            notes = (f"closest passage, line {hint.line} of {text_path} ({hint.similarity:.0f}% similar):",
                     f"«{_one_line(index.text[hint.start:hint.end])}»")
        return QuoteProblem("quote", "quote-not-found", f"the quote does not occur in article `{article_id}`",
                            "copy the exact words from the article's .txt file; did you mean the passage above?"
                            if hint else "copy the exact words from the article's .txt file", notes)
    if found.status is Status.AMBIGUOUS:
        notes = tuple(f"line {index.line_of(a)}: …{_one_line(context_of(index, a, b)[0])} «{_one_line(index.text[a:b], 60)}»"
                      for a, b in found.spans[:MAX_LISTED])
        before, after = context_of(index, *found.spans[0])
        return QuoteProblem("quote", "quote-ambiguous",
                            f"the quote occurs {found.count} times in article `{article_id}`",
                            f"add `prefix:` (the words just before) or `suffix:` (just after) to pick one; "
                            f"for the first: prefix: \"{before}\"", notes)
    if found.status is Status.CONTEXT_MISMATCH:
        key = context_key
        before, after = context_of(index, *found.spans[0])
        actual = before if key == "prefix" else after
        return QuoteProblem(key, "quote-context-mismatch",
                            f"the quote occurs {found.count} time(s), but never with this {key}",
                            f"the text {'before' if key == 'prefix' else 'after'} the first occurrence is: \"{actual}\"",
                            at_key=False)
    return None


@rule("claim")
def quotes(doc, ctx):
    for i, excerpt in items(doc.data, "excerpts"):
        article_id, quote = text(excerpt, "article"), text(excerpt, "quote")
        index = ctx.article_index(article_id or "")
        if index is None or not quote:
            continue
        found = ctx.anchor(article_id, quote, text(excerpt, "prefix") or "", text(excerpt, "suffix") or "")
        problem = quote_problem(found, index, article_id, ctx.article_text_path(article_id),
                                found.mismatch or "prefix")
        if problem:
            yield doc.diag(("excerpts", i, problem.field), problem.code, problem.message, problem.help,
                           key=problem.at_key, severity=problem.severity, notes=problem.notes)
