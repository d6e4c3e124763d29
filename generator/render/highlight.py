"""An article's verbatim text as HTML paragraphs, with every checked excerpt highlighted.

Excerpts may overlap (two claims quoting nested passages). The text is cut at
every excerpt boundary and line break; each piece is wrapped in one <mark>
for the excerpts covering it, linked to the innermost one's claim. Each
excerpt gets an anchor id at its start and its verdict badge at its end.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    anchor: str  # element id, the target of the claim page's link
    href: str  # link to the claim
    verdict: str  # verdict id, for the colour class
    label: str  # verdict label in the page language
    title: str  # the claim, as a tooltip
    lang: str = ""  # the label's language when it differs from the article's (the badge is marked with it)


def _piece(text: str, covering: list[Highlight]) -> Markup:
    body = escape(text)
    if not covering:
        return body
    h = min(covering, key=lambda x: x.end - x.start)  # innermost
    return Markup('<mark class="fc-hl fc-v-{v}"><a href="{href}" title="{title}">{body}</a></mark>').format(
        v=h.verdict, href=h.href, title=h.title, body=body)


def _badge(h: Highlight) -> Markup:
    # An English label inside Arabic text (or the reverse) gets its own lang and dir:
    # screen readers switch voice, and the label is isolated from the text's direction.
    marks = Markup(' lang="{}" dir="{}"').format(h.lang, "rtl" if h.lang == "ar" else "ltr") if h.lang else ""
    return Markup('<a class="fc-badge fc-v-{v}" href="{href}"{marks}>{label}</a>').format(
        v=h.verdict, href=h.href, marks=marks, label=h.label)


def highlight(text: str, highlights: list[Highlight]) -> Markup:
    cuts = {0, len(text)}
    for h in highlights:
        cuts.update((h.start, h.end))
    pos = 0
    while (nl := text.find("\n", pos)) != -1:
        cuts.update((nl, nl + 1))
        pos = nl + 1
    bounds = sorted(cuts)
    starts: dict[int, list[Highlight]] = {}
    ends: dict[int, list[Highlight]] = {}
    for h in sorted(highlights, key=lambda x: (x.start, -x.end, x.anchor)):
        starts.setdefault(h.start, []).append(h)
        ends.setdefault(h.end, []).append(h)

    paragraphs: list[Markup] = []
    line: list[Markup] = []
    active: list[Highlight] = []
    for a, b in zip(bounds, bounds[1:]):
        for h in ends.get(a, ()):
            line.append(_badge(h))
        active = [h for h in active if h.end > a] + starts.get(a, [])
        for h in starts.get(a, ()):
            line.append(Markup('<span class="fc-anchor" id="{}"></span>').format(h.anchor))
        piece = text[a:b]
        if piece == "\n":
            if line:
                paragraphs.append(Markup("").join(line))
            line = []
            continue
        line.append(_piece(piece, active))
    for h in ends.get(len(text), ()):
        line.append(_badge(h))
    if line:
        paragraphs.append(Markup("").join(line))
    return Markup("\n").join(Markup("<p>{}</p>").format(p) for p in paragraphs if p.strip())
