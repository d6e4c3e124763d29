"""What a page tells search engines and the places it is shared to: its address in every language
(hreflang links, x-default naming the default language's), and its Open Graph description, with the
share card for a claim page (generator/cards/ draws it).

The generator knows each page's counterparts (every page exists in every language, at the same URL under
each language root), so it writes them into the page's front matter (`share`, by the `front` macro) and
templates/overrides/main.html prints them: absolute addresses, as search engines ask, where Material's
own language links are relative.
"""
from __future__ import annotations

from functools import cache

from babel import Locale
from babel.core import get_global
from jinja2 import pass_context

from .pages import CARD, CARD_SIZE


@cache
def og_locale(lang: str) -> str:
    """Open Graph wants language_TERRITORY: the language's likely territory in CLDR (ar → ar_EG)."""
    likely = Locale.parse(get_global("likely_subtags").get(lang, lang))
    return f"{likely.language}_{likely.territory}" if likely.territory else likely.language


@pass_context
def share(ctx, title: str, description: str = "", card_alt: str | None = None) -> dict:
    """The page's `share` front matter: its address, its counterparts' and its Open Graph properties (as
    (property, text) pairs, the theme escapes them); `card_alt`, the card's text alternative, for a page that
    has a share card."""
    settings, lang, url = ctx["settings"], ctx["lang"], ctx["page_url"]
    language = next(language for language in settings.languages if language.code == lang)
    og = [["og:type", "article" if card_alt is not None else "website"], ["og:site_name", language.site_name],
          ["og:title", title], *([["og:description", description]] if description else []),
          ["og:url", settings.url(lang, url)], ["og:locale", og_locale(lang)],
          *[["og:locale:alternate", og_locale(code)] for code in settings.codes if code != lang]]
    if card_alt is not None:
        og += [["og:image", settings.url(lang, url + CARD)], ["og:image:type", "image/png"],
               ["og:image:width", str(CARD_SIZE[0])], ["og:image:height", str(CARD_SIZE[1])],
               ["og:image:alt", card_alt]]
    return {
        "url": settings.url(lang, url),
        "alternates": [[code, settings.url(code, url)] for code in settings.codes]
                      + [["x-default", settings.url(settings.default, url)]],
        "og": og,
        "twitter": "summary_large_image" if card_alt is not None else "summary",
    }
