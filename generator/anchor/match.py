"""Find a quote in an article, W3C TextQuoteSelector style: exact + prefix + suffix.

The search runs on SAFE-normalized text first, then on LOOSE (accepted with a
warning). A quote found nowhere gets the closest passage on SUGGEST-normalized
text, found with rapidfuzz, as a "did you mean".
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from rapidfuzz import fuzz

from .normalize import Normalized, Tier, normalize


# Below this, the closest passage shares little more than letters with the quote: no suggestion.
MIN_SIMILARITY = 50
MAX_PROBE = 200  # characters of a quote aligned to find the closest passage


class Status(Enum):
    FOUND = "found"
    NOT_FOUND = "not-found"
    AMBIGUOUS = "ambiguous"
    CONTEXT_MISMATCH = "context-mismatch"


@dataclass(frozen=True)
class Suggestion:
    start: int  # original code points, end exclusive
    end: int
    line: int  # 1-based line of `start` in the article text
    similarity: float  # 0–100


@dataclass(frozen=True)
class Anchor:
    status: Status
    start: int = 0  # span in the original article text (code points, end exclusive)
    end: int = 0
    tier: Tier = Tier.SAFE  # the tier that matched
    count: int = 0  # occurrences of the quote alone
    suggestion: Suggestion | None = None
    spans: tuple[tuple[int, int], ...] = ()  # original spans of the candidates (ambiguous, mismatch)
    mismatch: str = ""  # CONTEXT_MISMATCH: the selector that fits no occurrence, "prefix" or "suffix"

    @property
    def found(self) -> bool:
        return self.status is Status.FOUND


class ArticleIndex:
    """An article's text, normalized lazily once per tier."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tiers: dict[Tier, Normalized] = {}

    def at(self, tier: Tier) -> Normalized:
        if tier not in self._tiers:
            self._tiers[tier] = normalize(self.text, tier)
        return self._tiers[tier]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


@lru_cache(maxsize=4096)
def _norm(s: str, tier: Tier) -> str:
    return normalize(s, tier).text


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, i = [], haystack.find(needle)
    while i != -1:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def _whole_clusters(norm: Normalized, start: int, end: int) -> bool:
    """The match does not split a letter from its marks: a quote "كتب" is not an exact
    match of "كتبَ" (it is one once LOOSE drops the mark, with a warning)."""
    s = norm.starts
    return (start == 0 or s[start] != s[start - 1]) and (end == len(s) or s[end] != s[end - 1])


def _fits(hay: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    # Whitespace at the junction is not significant: "…قال " + "إن…" or "…قال" + " إن…".
    return (not prefix or hay[:start].rstrip().endswith(prefix.strip())) and (
        not suffix or hay[end:].lstrip().startswith(suffix.strip())
    )


def anchor(article: ArticleIndex, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
    mismatch: Anchor | None = None
    for tier in (Tier.SAFE, Tier.LOOSE):
        norm = article.at(tier)
        q = _norm(quote, tier)
        if not q:
            break
        hits = [h for h in _occurrences(norm.text, q) if _whole_clusters(norm, h, h + len(q))]
        if not hits:
            continue
        p, s = _norm(prefix, tier), _norm(suffix, tier)
        chosen = [h for h in hits if _fits(norm.text, h, h + len(q), p, s)]
        if len(chosen) == 1:
            start, end = norm.span(chosen[0], chosen[0] + len(q))
            return Anchor(Status.FOUND, start, end, tier, len(hits))
        if mismatch:  # the quote matched exactly but its context did not; a loose match of both did not help
            return mismatch
        if chosen:
            spans = tuple(norm.span(h, h + len(q)) for h in chosen)
            return Anchor(Status.AMBIGUOUS, tier=tier, count=len(chosen), spans=spans)
        # Blame the selector at fault: the suffix when some occurrence has the prefix.
        with_prefix = [h for h in hits if _fits(norm.text, h, h + len(q), p, "")]
        key, candidates = ("suffix", with_prefix) if with_prefix else ("prefix", hits)
        spans = tuple(norm.span(h, h + len(q)) for h in candidates)
        # The prefix or suffix may differ only in diacritics: try the LOOSE tier before failing.
        mismatch = Anchor(Status.CONTEXT_MISMATCH, tier=tier, count=len(hits), spans=spans, mismatch=key)
    return mismatch or Anchor(Status.NOT_FOUND, suggestion=closest(article, quote))


def _at(article: ArticleIndex, norm: Normalized, start: int, length: int, score: float) -> Suggestion:
    a, b = norm.span(start, start + length)
    return Suggestion(a, b, article.line_of(a), score)


def closest(article: ArticleIndex, quote: str) -> Suggestion | None:
    norm = article.at(Tier.SUGGEST)
    q = _norm(quote, Tier.SUGGEST)
    if not q or not norm.text:
        return None
    # Alignment time grows with quote length × article length (10 s for a 2,000-character
    # quote in a long article): align the quote's opening only, then take a window its length.
    found = fuzz.partial_ratio_alignment(q[:MAX_PROBE], norm.text)
    if found is None or found.dest_end <= found.dest_start:
        return None
    end = found.dest_end if len(q) <= MAX_PROBE else min(len(norm.text), found.dest_start + len(q))
    start, end = _whole_words(norm.text, found.dest_start, end)
    score = fuzz.ratio(q, norm.text[start:end])
    return _at(article, norm, start, end - start, score) if score >= MIN_SIMILARITY else None


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The alignment window may cut words, or begin with the previous sentence's full
    stop (then the suggestion's line is the previous one): widen it to whole words and
    trim the punctuation and spaces at its ends."""
    a, b = start, end
    while a < b and not text[a].isalnum():
        a += 1
    while b > a and not text[b - 1].isalnum():
        b -= 1
    if a == b:
        return start, end
    while a > 0 and text[a - 1].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum():
        b += 1
    return a, b


def context_of(article: ArticleIndex, start: int, end: int, width: int = 32) -> tuple[str, str]:
    """Up to `width` characters before and after a span, cut at word boundaries: a prefix/suffix to suggest."""
    before = article.text[max(0, start - width):start]
    after = article.text[end:end + width]
    if start - width > 0 and " " in before:
        before = before[before.index(" ") + 1:]
    if end + width < len(article.text) and " " in after:
        after = after[:after.rindex(" ")]
    return before.replace("\n", " ").strip(), after.replace("\n", " ").strip()
