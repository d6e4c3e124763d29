"""Every excerpt's quote occurs in its article, exactly once given its prefix/suffix."""
from ...anchor.match import Status, context_of
from ...anchor.normalize import Tier
from ...diagnostics import Severity
from ..registry import rule
from ._access import items, text

MAX_LISTED = 3


def _one_line(s: str, limit: int = 160) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


@rule("claim")
def quotes(doc, ctx):
    for i, excerpt in items(doc.data, "excerpts"):
        article_id, quote = text(excerpt, "article"), text(excerpt, "quote")
        index = ctx.article_index(article_id or "")
        if index is None or not quote:
            continue
        source = ctx.corpus.articles[article_id]
        found = ctx.anchor(article_id, quote, text(excerpt, "prefix") or "", text(excerpt, "suffix") or "")
        at = ("excerpts", i, "quote")
        if found.status is Status.FOUND and found.tier is Tier.LOOSE:
            yield doc.diag(at, "quote-normalized",
                           "the quote matches the article only after ignoring diacritics, Persian letter forms "
                           "or Arabic punctuation", "copy the quote exactly as the article writes it:",
                           severity=Severity.WARNING, notes=(f"«{_one_line(index.text[found.start:found.end])}»",))
        elif found.status is Status.NOT_FOUND:
            hint = found.suggestion
            notes = ()
            if hint:
                notes = (f"closest passage, line {hint.line} of {source.text_path} ({hint.similarity:.0f}% similar):",
                         f"«{_one_line(index.text[hint.start:hint.end])}»")
            yield doc.diag(at, "quote-not-found", f"the quote does not occur in article `{article_id}`",
                           "copy the exact words from the article's .txt file; did you mean the passage above?"
                           if hint else "copy the exact words from the article's .txt file", notes=notes)
        elif found.status is Status.AMBIGUOUS:
            notes = tuple(f"line {index.line_of(a)}: …{_one_line(context_of(index, a, b)[0])} «{_one_line(index.text[a:b], 60)}»"
                          for a, b in found.spans[:MAX_LISTED])
            before, after = context_of(index, *found.spans[0])
            yield doc.diag(at, "quote-ambiguous",
                           f"the quote occurs {found.count} times in article `{article_id}`",
                           f"add `prefix:` (the words just before) or `suffix:` (just after) to pick one; "
                           f"for the first: prefix: \"{before}\"", notes=notes)
        elif found.status is Status.CONTEXT_MISMATCH:
            key = "prefix" if "prefix" in excerpt else "suffix"
            before, after = context_of(index, *found.spans[0])
            actual = before if key == "prefix" else after
            yield doc.diag(("excerpts", i, key), "quote-context-mismatch",
                           f"the quote occurs {found.count} time(s), but never with this {key}",
                           f"the text {'before' if key == 'prefix' else 'after'} the first occurrence is: \"{actual}\"",
                           key=False)
