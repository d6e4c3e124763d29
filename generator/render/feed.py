"""An Atom feed per language: the latest fact-checks, newest first."""
from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from ..model import Content
from ..settings import Settings

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50


def _stamp(day: dt.date | None) -> str:
    return f"{(day or dt.date(1970, 1, 1)).isoformat()}T00:00:00Z"


def atom_feed(content: Content, settings: Settings, lang: str, title: str) -> str:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": lang})
    claims = sorted(content.claims.values(), key=lambda c: (c.date or dt.date.min, c.id), reverse=True)[:MAX_ENTRIES]
    home = settings.url(lang, "")

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "id", home)
    sub(feed, "title", title)
    # The newest content date, not the clock: identical content gives an identical feed.
    sub(feed, "updated", _stamp(max((c.date for c in claims if c.date), default=None)))
    sub(feed, "link", href=home)
    sub(feed, "link", rel="self", href=settings.url(lang, "feed.xml"))
    author = sub(feed, "author")
    sub(author, "name", settings.organization[lang])
    for claim in claims:
        verdict = content.verdicts[claim.verdict]
        entry = sub(feed, "entry")
        link = settings.url(lang, f"claims/{claim.id}/")
        sub(entry, "id", link)
        sub(entry, "title", f"{verdict.label[lang]}: {claim.claim[lang]}")
        sub(entry, "link", href=link)
        sub(entry, "updated", _stamp(claim.date))
        if claim.published:
            sub(entry, "published", _stamp(claim.published))
        sub(entry, "summary", claim.conclusion[lang])
        sub(entry, "category", term=claim.verdict, label=verdict.label[lang])
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
