"""Excerpts quoted in one language carry a translation into every other site language."""
from ...diagnostics import Severity
from ..context import LANGUAGES
from ..registry import rule
from ._access import get, items, text

NAMES = {"ar": "Arabic", "en": "English"}


@rule("claim")
def excerpt_translations(doc, ctx):
    for i, excerpt in items(doc.data, "excerpts"):
        lang = ctx.article_language(text(excerpt, "article") or "")
        if lang is None:
            continue
        given = get(excerpt, "translation")
        given = given if isinstance(given, dict) else {}
        for other in LANGUAGES:
            if other != lang and not given.get(other):
                yield doc.diag(("excerpts", i, "quote"), "translation-missing",
                               f"the excerpt is in {NAMES[lang]} and has no {NAMES[other]} translation",
                               f"add `translation:` with `{other}: …` under this excerpt")
        if lang in given:
            yield doc.diag(("excerpts", i, "translation", lang), "translation-unneeded",
                           f"the article is in {NAMES[lang]}; a {NAMES[lang]} translation of its own text is not used",
                           f"remove `{lang}:` from `translation`", severity=Severity.WARNING)
