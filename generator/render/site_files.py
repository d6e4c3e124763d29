"""Files that go to the site as they are, beside the engine's HTML: per language the Atom feed, the
ClaimReview data feed and the all-claims filter's data; once, the sitemap, written from the page list
(not by MkDocs, which sees only the pages of the build it runs: render/__init__.py and engine/ build a
part of the site at a time)."""
from __future__ import annotations

import datetime as dt
import json
from xml.sax.saxutils import escape

from ..model import Content
from ..settings import Settings
from .env import strings
from .feed import atom_feed
from .jsonld import FEED, data_feed
from .pages import Page, newest_first

SITEMAP_MAX_URLS = 50_000  # the sitemaps.org limit per file; beyond it sitemap.xml is an index


def claims_data(content: Content, lang: str) -> str:
    """Compact data for the client-side filter on the all-claims page."""
    rows = [[c.id, c.claim[lang], c.verdict, list(c.articles), list(c.tags), (c.date or dt.date.min).isoformat()]
            for c in newest_first(content.claims.values())]
    titles = {a.id: a.title[lang] for a in content.articles.values()}  # for the filter's report menu
    return json.dumps({"fields": ["id", "claim", "verdict", "articles", "tags", "date"], "claims": rows,
                       "articles": titles}, ensure_ascii=False, separators=(",", ":"))


def _url_entries(settings: Settings, pages: list[Page]) -> list[str]:
    # Page URLs are made of ids (ASCII letters, digits, `-`, `/`): only the site address needs escaping.
    roots = {lang: escape(settings.url(lang, "")) for lang in settings.codes}
    links = "".join(f'\n    <xhtml:link rel="alternate" hreflang="{lang}" href="{roots[lang]}{{url}}"/>'
                    for lang in settings.codes)
    links += f'\n    <xhtml:link rel="alternate" hreflang="x-default" href="{roots[settings.default]}{{url}}"/>'
    entries = []
    for lang in settings.codes:
        for page in pages:
            alternates = links.replace("{url}", page.url)
            entries.append(f"  <url>\n    <loc>{roots[lang]}{page.url}</loc>\n"
                           f"    <lastmod>{page.lastmod.isoformat()}</lastmod>{alternates}\n  </url>\n")
    return entries


def _urlset(entries: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
            + "".join(entries) + "</urlset>\n")


def sitemaps(settings: Settings, pages: list[Page]) -> dict[str, str]:
    """sitemap.xml: every page in every language, each with its alternates (hreflang, x-default) and its
    content date. Above 50,000 URLs, sitemap.xml indexes sitemap-1.xml, sitemap-2.xml, …"""
    entries = _url_entries(settings, pages)
    if len(entries) <= SITEMAP_MAX_URLS:
        return {"sitemap.xml": _urlset(entries)}
    out: dict[str, str] = {}
    index = []
    for n, start in enumerate(range(0, len(entries), SITEMAP_MAX_URLS), 1):
        out[f"sitemap-{n}.xml"] = _urlset(entries[start:start + SITEMAP_MAX_URLS])
        index.append(f"  <sitemap>\n    <loc>{escape(settings.site_url)}sitemap-{n}.xml</loc>\n  </sitemap>\n")
    out["sitemap.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                          '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                          + "".join(index) + "</sitemapindex>\n")
    return out


def site_files(content: Content, settings: Settings, pages: list[Page]) -> dict[str, bytes]:
    out: dict[str, str] = {}
    for lang in settings.codes:
        title = f"{settings.organization[lang]} — {strings()['latest'][lang]}"
        out[settings.root(lang) + "feed.xml"] = atom_feed(content, settings, lang, title)
        out[settings.root(lang) + "claims.json"] = claims_data(content, lang)
        out[settings.root(lang) + FEED] = json.dumps(data_feed(pages, settings, lang), ensure_ascii=False,
                                                     separators=(",", ":")) + "\n"
    out.update(sitemaps(settings, pages))
    return {rel: body.encode("utf-8") for rel, body in out.items()}
