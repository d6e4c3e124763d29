"""Drawing one share card: a 1200 × 630 PNG (the size Facebook, X and LinkedIn show large) with the verdict
(its label on its colour, not the colour alone), the claim, the claimant and the site's name, in the card's
language and direction.

Text goes through Pillow's raqm layout (HarfBuzz shaping, FriBiDi reordering): Arabic letters take their
joined forms and lines run right to left. Pillow's basic layout would draw Arabic as isolated letters in
reverse order, so no card is drawn without raqm (`require_raqm`). Lines are broken between words in
reading order, then each is laid out on its own with the card's direction as the paragraph direction.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont, features

from ..errors import UsageError
from ..render.pages import CARD_SIZE

WIDTH, HEIGHT = CARD_SIZE
MARGIN = 64
ELLIPSIS = "…"
INK, MUTED, RULE, BACKGROUND, BRAND = "#1f1f1f", "#555555", "#dddddd", "#ffffff", "#283593"
CLAIM_SIZES = (72, 64, 56, 50, 44, 40)  # the largest at which the whole claim fits is used
SMALL = 30  # the kicker's and the claimant's size
GAP = 18  # between the kicker, the claim and the claimant
BODY_TOP, FOOTER_Y = 136, 550  # the body (kicker, claim, claimant) is centred between the badge and the footer


@dataclass(frozen=True)
class Script:
    """A font family (from a pinned PyPI package, through fontpkg) and how much room its lines need, in ems:
    ink above and below the baseline, and the step from one line's baseline to the next."""
    family: str
    above: float
    below: float
    leading: float


# Noto Sans Arabic also has Latin letters and digits, Noto Sans has no Arabic: a card with any Arabic letter
# is drawn in the first. Arabic marks sit above and below the letters: its lines need more room.
ARABIC = Script("Noto Sans Arabic", above=1.2, below=0.5, leading=1.6)
LATIN = Script("Noto Sans", above=0.8, below=0.25, leading=1.3)


@dataclass(frozen=True)
class Card:
    """Everything a card shows, in its language: its digest names the drawn file (cards/__init__.py)."""
    lang: str
    dir: str  # "rtl" or "ltr" (settings.Language.dir)
    verdict: str  # "الحكم: صحيح"
    color: str  # the verdict's colour, "#1b5e20"
    text_color: str  # black or white, whichever reads on `color`
    kicker: str  # "الادعاء"
    claim: str
    claimant: str  # "صاحب الادعاء: …"
    site: str  # the site's name in this language
    host: str  # factcheck.example.org


def require_raqm() -> None:
    if not features.check("raqm"):
        raise UsageError("share cards need Pillow's raqm text layout, which loads the FriBiDi library at run "
                         "time: install it (Debian: apt-get install libfribidi0; `python3 dev.py site` does); "
                         "without it Arabic would be drawn unjoined and left to right")


@cache
def font(family: str, size: int, weight: int = 400, layout: ImageFont.Layout = ImageFont.Layout.RAQM):
    import fontpkg.pil

    return fontpkg.pil.truetype(family, size, weight=weight, layout_engine=layout)


def _breaks(word: str) -> list[int]:
    """Where a word may be cut: before a character that is neither a mark nor joined to the one before."""
    return [i for i in range(1, len(word))
            if unicodedata.category(word[i])[0] != "M" and word[i] not in "\u200c\u200d" and word[i - 1] != "\u200d"]


@dataclass(frozen=True)
class Pen:
    """Measures, fits and writes the lines of one card: its script, direction and language."""
    script: Script
    dir: str
    lang: str

    def font(self, size: int, weight: int = 400):
        return font(self.script.family, size, weight)

    def width(self, text: str, face) -> float:
        return face.getlength(text, direction=self.dir, language=self.lang)

    def fit(self, text: str, face, width: float) -> str:
        """The text on one line: whole, or cut at a word with an ellipsis (a single word too long for the
        line is cut between two characters where `_breaks` allows, never inside a letter and its marks)."""
        words = text.split()  # line and paragraph breaks become spaces: raqm lays out one line, and fails on them
        text = " ".join(words)
        if self.width(text, face) <= width:
            return text
        while len(words) > 1:
            words.pop()
            line = " ".join(words).rstrip(",،;؛:.-–—") + ELLIPSIS
            if self.width(line, face) <= width:
                return line
        word = words[0] if words else ""
        cut = next((i for i in reversed(_breaks(word)) if self.width(word[:i] + ELLIPSIS, face) <= width), 0)
        return word[:cut] + ELLIPSIS

    def wrap(self, text: str, face, width: float, max_lines: int) -> list[str]:
        """Lines of at most `width`, filled in reading order; when the text needs more than `max_lines`,
        the last one is cut to fit, with an ellipsis."""
        words = [piece for word in text.split() for piece in self._pieces(word, face, width)]
        lines, current = [], ""
        for word in words:
            trial = f"{current} {word}" if current else word
            if self.width(trial, face) <= width:
                current = trial
            elif len(lines) == max_lines - 1:  # no line left: what fits of this one, and an ellipsis
                return [*lines, self.fit(trial, face, width)]
            else:
                lines.append(current)
                current = word
        return [*lines, current]

    def _pieces(self, word: str, face, width: float) -> list[str]:
        """A word wider than a line (a long link) in pieces that fit, cut where `_breaks` allows."""
        pieces = []
        while self.width(word, face) > width:
            cut = next((i for i in reversed(_breaks(word)) if self.width(word[:i], face) <= width), 1)
            pieces.append(word[:cut])
            word = word[cut:]
        return [*pieces, word]

    def write(self, draw: ImageDraw.ImageDraw, baseline: float, text: str, face, fill: str,
              indent: float = 0) -> None:
        """One line on `baseline`, from the card's start side (right for right-to-left), `indent` further in."""
        if self.dir == "rtl":
            draw.text((WIDTH - MARGIN - indent, baseline), text, font=face, fill=fill, anchor="rs", direction="rtl",
                      language=self.lang)
        else:
            draw.text((MARGIN + indent, baseline), text, font=face, fill=fill, anchor="ls", direction="ltr",
                      language=self.lang)


def _claim(pen: Pen, claim: str, width: float) -> tuple[list[str], int]:
    """The claim's lines and size: the largest size at which it fits whole, else the smallest, cut. Sizes its
    length alone rules out are not tried (wrapping is most of the measuring)."""
    s = pen.script
    # room for the claim: the body less the kicker, the claimant, the gaps between them and a gap above and below
    room = FOOTER_Y - BODY_TOP - (s.above + s.below) * SMALL * 2 - 4 * GAP
    length = pen.width(" ".join(claim.split()), pen.font(CLAIM_SIZES[0], 700)) / CLAIM_SIZES[0]  # width per size
    for size in CLAIM_SIZES:
        max_lines = max(1, int((room - (s.above + s.below) * size) // (s.leading * size)) + 1)
        if size != CLAIM_SIZES[-1] and length * size > max_lines * width * 0.92:
            continue
        lines = pen.wrap(claim, pen.font(size, 700), width, max_lines)
        if not lines[-1].endswith(ELLIPSIS) or size == CLAIM_SIZES[-1]:
            return lines, size
    raise AssertionError("unreachable: the smallest size always returns")


def draw(card: Card) -> bytes:
    texts = (card.verdict, card.kicker, card.claim, card.claimant, card.site)
    script = ARABIC if any(unicodedata.name(ch, "").startswith("ARABIC") for text in texts for ch in text) else LATIN
    pen = Pen(script, card.dir, card.lang)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    d = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    # The verdict: a band of its colour across the top, and its label on its colour.
    d.rectangle((0, 0, WIDTH, 14), fill=card.color)
    badge = pen.font(36, 700)
    label = pen.fit(card.verdict, badge, inner - 48)
    width = pen.width(label, badge) + 48
    x0 = MARGIN if card.dir == "ltr" else WIDTH - MARGIN - width
    d.rounded_rectangle((x0, 50, x0 + width, 126), radius=38, fill=card.color)
    pen.write(d, 88 + (script.above - script.below) * 36 / 2, label, badge, card.text_color, indent=24)

    # The body, centred between the badge and the footer: kicker, claim, claimant, each on its baseline.
    lines, size = _claim(pen, card.claim, inner)
    small, claim = pen.font(SMALL), pen.font(size, 700)
    first = script.below * SMALL + GAP + script.above * size  # the kicker's baseline is at 0
    claim_ys = [first + i * script.leading * size for i in range(len(lines))]
    claimant_y = claim_ys[-1] + script.below * size + GAP + script.above * SMALL
    top = BODY_TOP + (FOOTER_Y - BODY_TOP - (script.above + script.below) * SMALL - claimant_y) / 2 \
        + script.above * SMALL
    pen.write(d, top, pen.fit(card.kicker, small, inner), small, MUTED)
    for line, y in zip(lines, claim_ys):
        pen.write(d, top + y, line, claim, INK)
    pen.write(d, top + claimant_y, pen.fit(card.claimant, small, inner), small, MUTED)

    # The footer: the site's name at the start side, its address (Latin: left to right) at the end side.
    d.line((MARGIN, FOOTER_Y, WIDTH - MARGIN, FOOTER_Y), fill=RULE, width=2)
    site, host = pen.font(32, 700), pen.font(26)
    pen.write(d, FOOTER_Y + 50, pen.fit(card.site, site, inner / 2), site, BRAND)
    host_text = pen.fit(card.host, host, inner / 2 - 24)
    host_x = WIDTH - MARGIN - host.getlength(host_text) if card.dir == "ltr" else MARGIN
    d.text((host_x, FOOTER_Y + 50), host_text, font=host, fill=MUTED, anchor="ls", direction="ltr")

    # 32 colours: the card's few inks and their anti-aliased edges. A third of the bytes of the RGB image and
    # faster to compress; the octree quantizer has no randomness, so the same card gives the same bytes.
    out = io.BytesIO()
    image.quantize(32, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(out, "PNG")
    return out.getvalue()
