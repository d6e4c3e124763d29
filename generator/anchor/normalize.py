"""Arabic-aware text normalization in tiers, with a map back to the original text.

A quote matches an article when both sides are equal after normalization.
The tiers (field notes, "Anchoring quotes in articles"):

- SAFE: NFC; whitespace runs to one space; tatweel, zero-width joiners, bidi
  marks, BOM and soft hyphen deleted; presentation forms to base letters;
  every quote mark to `"`; Arabic-Indic digits to ASCII. Nothing here changes
  what a text says, so a match is exact.
- LOOSE: SAFE, plus diacritics (tashkeel) stripped, Persian ک/ی to Arabic
  ك/ي, and Arabic punctuation ، ؛ ؟ to Latin. Accepted with a warning.
- SUGGEST: LOOSE, plus alef/hamza forms to bare alef, ى to ي, ة to ه. These
  change meaning (إن/أن, على/علي), so they only find "did you mean" passages.

`normalize` returns the text and, for each output character, the span
[start, end) of original code points it came from, so positions found in the
normalized text map back to the article as written.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class Tier(IntEnum):
    SAFE = 1
    LOOSE = 2
    SUGGEST = 3


_DELETE = {
    0x0640,  # tatweel
    0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD,  # zero-width, BOM, soft hyphen
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidi marks
}
_QUOTES = set("\"'“”„‟«»‹›‘’‚‛❝❞〝〞＂＇`´")
_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_SAFE_MAP = {"\u066c": ",", "\u066b": "."}  # Arabic thousands and decimal separators

_TASHKEEL = {*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E9), *range(0x06EA, 0x06EE)}
_LOOSE_MAP = {"ک": "ك", "ی": "ي", "ي": "ي", "،": ",", "؛": ";", "؟": "?"}
_SUGGEST_MAP = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}


def _is_presentation_form(cp: int) -> bool:
    return 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFC


@dataclass(frozen=True)
class Normalized:
    text: str
    # Original start and end (exclusive) of output char i. Arrays of machine ints: as tuples of Python
    # ints, 2,500 articles' maps took ~0.5 GB (72 bytes a character; 8 here).
    starts: Sequence[int]
    ends: Sequence[int]
    # Positions inside a cluster of the original (a letter and its marks, or a ligature, gave several
    # characters): a match may not start or end there. Most texts have none, and then need no check.
    inside: int = 0

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalized slice [start, end)."""
        return self.starts[start], self.ends[end - 1]


MAX_MARKS = 64  # characters in a cluster beyond which its marks are put in canonical order here


def _nfc(cluster: str) -> str:
    """NFC of a letter and its marks. CPython puts marks in canonical order by insertion sort, quadratic
    in their number (a letter with 40,000 marks of alternating classes took 1.3 s; a 2 MB article of
    them, hours): past MAX_MARKS, order them here first, so that CPython's sort has nothing to do."""
    if len(cluster) <= MAX_MARKS:
        return unicodedata.normalize("NFC", cluster)
    return unicodedata.normalize("NFC", _canonical_order(cluster))


def _canonical_order(text: str) -> str:
    """NFD in O(n log n): each character decomposed on its own, then each run of marks sorted by
    combining class, stably (as canonical ordering is)."""
    out: list[str] = []
    marks: list[str] = []
    for c in "".join(unicodedata.normalize("NFD", c) for c in text):
        if unicodedata.combining(c):
            marks.append(c)
            continue
        out += sorted(marks, key=unicodedata.combining)
        marks.clear()
        out.append(c)
    out += sorted(marks, key=unicodedata.combining)
    return "".join(out)


def _clusters(text: str):
    """Yield (start, end) of each base character with its combining marks."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        yield i, j
        i = j


def _char_out(ch: str, tier: Tier) -> str:
    cp = ord(ch)
    if cp in _DELETE:
        return ""
    if _is_presentation_form(cp):
        ch = unicodedata.normalize("NFKC", ch)
    if ch in _QUOTES:
        return '"'
    if cp in _DIGITS:
        return _DIGITS[cp]
    ch = _SAFE_MAP.get(ch, ch)
    if tier >= Tier.LOOSE:
        if cp in _TASHKEEL:
            return ""
        ch = "".join(_LOOSE_MAP.get(c, c) for c in ch)
    if tier >= Tier.SUGGEST:
        ch = "".join(_SUGGEST_MAP.get(c, c) for c in ch)
    return ch


def _reference(text: str, tier: Tier = Tier.SAFE) -> Normalized:
    """The definition: one cluster at a time. `normalize` gives the same result, faster."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    inside = _clusters_into(text, 0, len(text), tier, out, starts, ends, [None])
    return Normalized("".join(out), array("l", starts), array("l", ends), inside)


def _clusters_into(text: str, lo: int, hi: int, tier: Tier, out: list[str], starts: list[int], ends: list[int],
                   pending: list) -> int:
    """Normalize text[lo:hi] cluster by cluster, appending to out/starts/ends; returns how many of the
    positions appended fall inside a cluster.
    `pending[0]` is the original index where an unfinished whitespace run began (state kept across calls)."""
    pending_space = pending[0]
    inside = 0
    for cstart, cend in _clusters(text[lo:hi]):
        cstart += lo
        cend += lo
        cluster = text[cstart:cend]
        if cluster.isspace():
            if pending_space is None:
                pending_space = cstart
            continue
        composed = _nfc(cluster) if len(cluster) > 1 or ord(cluster) > 0x7F else cluster
        piece = "".join(_char_out(c, tier) for c in composed)
        if not piece:
            continue
        if pending_space is not None:
            if out:  # leading whitespace is dropped, inner runs become one space
                out.append(" ")
                starts.append(pending_space)
                ends.append(cstart)
            pending_space = None
        inside += len(piece) - 1
        for c in piece:
            out.append(c)
            starts.append(cstart)
            ends.append(cend)
    pending[0] = pending_space
    return inside


# Fast path. A "simple" character stands alone as a cluster and becomes exactly one
# character that is not whitespace: it maps 1:1, original span [i, i + 1). So does a
# single U+0020 between two simple characters (an inner whitespace run of one).
# Runs of those are normalized with str.translate and range(); everything else
# (other whitespace, deleted marks, combining clusters, ligatures) goes through the
# cluster loop above, which keeps the whitespace state across the pieces.
#
# Runs are found by a regex whose class holds the simple characters seen so far. sre
# checks a class beyond the BMP item by item, and a big class is slow to compile (once
# per new character): a text of 190,000 distinct characters took 40 s a tier. So the
# class stops at MAX_CLASS characters of the BMP, and a text with others has its runs
# found in its "kinds" instead (each character made `a` if simple, ` ` if U+0020, else
# `x`, by str.translate: ~40 ns a character, several times the regex's).
MAX_CLASS = 4096
_SIMPLE: dict[Tier, dict[str, str | None]] = {t: {} for t in Tier}  # char -> its one output char, or None
_CLASS: dict[Tier, tuple[frozenset[str], re.Pattern | None]] = {t: (frozenset(), None) for t in Tier}
_KIND_RUN = re.compile("a+(?: a+)*")


def _simple(ch: str, tier: Tier) -> str | None:
    table = _SIMPLE[tier]
    if ch not in table:
        one = None
        if not ch.isspace() and not unicodedata.combining(ch):
            composed = unicodedata.normalize("NFC", ch) if ord(ch) > 0x7F else ch
            piece = "".join(_char_out(c, tier) for c in composed)
            if len(piece) == 1 and not piece.isspace():
                one = piece
        table[ch] = one
    return table[ch]


def _runs(chars: set[str], tier: Tier) -> re.Pattern | None:
    """The regex of runs over the simple characters seen so far, grown to hold `chars`; None when
    that would take its class past MAX_CLASS characters or outside the BMP."""
    held, pattern = _CLASS[tier]
    if chars <= held:
        return pattern
    grown = held | chars
    if len(grown) > MAX_CLASS or max(map(ord, chars)) > 0xFFFF:
        return None
    cls = "[" + "".join(re.escape(c) for c in sorted(grown)) + "]"
    pattern = re.compile(f"{cls}+(?: {cls}+)*")
    _CLASS[tier] = (grown, pattern)
    return pattern


def _run_spans(text: str, tier: Tier, chars: set[str], mapped: dict[str, str]):
    """(runs of simple characters, the text with the 1:1 replacements made): offsets are those of `text`."""
    pattern = _runs(chars, tier)
    if pattern is None:
        kinds = {ord(c): "a" if c in chars else " " if c == " " else "x" for c in set(text)}
        return _KIND_RUN.finditer(text.translate(kinds)), text.translate(str.maketrans(mapped))
    if not mapped:
        return pattern.finditer(text), text
    cls = re.compile("[" + "".join(re.escape(c) for c in sorted(mapped)) + "]")
    return pattern.finditer(text), cls.sub(lambda m: mapped[m.group()], text)


def normalize(text: str, tier: Tier = Tier.SAFE) -> Normalized:
    chars: set[str] = set()
    mapped = {}
    for c in set(text):
        o = _simple(c, tier)
        if o is not None:
            chars.add(c)
            if o != c:
                mapped[c] = o
    if not chars:
        return _reference(text, tier)
    runs, mapped_text = _run_spans(text, tier, chars, mapped)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending: list = [None]
    pos, n, inside = 0, len(text), 0
    combining = unicodedata.combining
    for m in runs:
        s, e = m.span()
        if e < n and combining(text[e]):  # the last character heads a cluster: leave it to the loop
            e -= 1
            while e > s and text[e - 1] == " ":
                e -= 1
            if e <= s:
                continue
        if s > pos:
            inside += _clusters_into(text, pos, s, tier, out, starts, ends, pending)
        if pending[0] is not None:
            if out:
                out.append(" ")
                starts.append(pending[0])
                ends.append(s)
            pending[0] = None
        out.append(mapped_text[s:e])
        starts.extend(range(s, e))
        ends.extend(range(s + 1, e + 1))
        pos = e
    if pos < n:
        inside += _clusters_into(text, pos, n, tier, out, starts, ends, pending)
    return Normalized("".join(out), array("l", starts), array("l", ends), inside)
