"""Find a quote in an article, W3C TextQuoteSelector style: exact + prefix + suffix.

The search runs on SAFE-normalized text first, then on LOOSE (accepted with a
warning). A quote found nowhere gets the closest passage on SUGGEST-normalized
text, found with rapidfuzz, as a "did you mean".

Anchoring costs time linear in the article's length, whatever the content: finding the quote's
occurrences, overlapping ones included, is O(article + quote); the prefix and suffix are each looked
for once in the whole text (O(article + selector)), the positions they reach across whitespace are
flagged (each stretch of whitespace walked once), and each occurrence reads a flag. The closest
passage is an alignment of the quote's first MAX_PROBE characters (O(article × MAX_PROBE / 64)) and
one similarity score over a passage at most the quote's length plus 2 × MAX_WORD.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import compress, repeat
from operator import add

from rapidfuzz import fuzz

from .normalize import Normalized, Tier, normalize


# Below this, the closest passage shares little more than letters with the quote: no suggestion.
MIN_SIMILARITY = 50
MAX_PROBE = 200  # characters of a quote aligned to find the closest passage
MAX_WORD = 100  # characters the closest passage is widened by at each end to whole words (more is not a word)


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


class Spans(Sequence):
    """Original [start, end) spans of a quote's occurrences, as two arrays of machine ints: a short quote
    may occur 100,000s of times in a long article, and as a tuple of tuples that took ~120 bytes an
    occurrence (and was pickled from each worker process of a parallel check)."""

    __slots__ = ("starts", "ends")

    def __init__(self, starts=(), ends=()) -> None:
        self.starts, self.ends = array("l", starts), array("l", ends)

    @classmethod
    def of(cls, norm: Normalized, hits: list[int], length: int) -> Spans:
        """The spans of the normalized occurrences [h, h + length), mapped in C (no Python loop)."""
        return cls(map(norm.starts.__getitem__, hits), map(norm.ends.__getitem__, map(add, hits, repeat(length - 1))))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Spans(self.starts[i], self.ends[i])
        return self.starts[i], self.ends[i]

    def __eq__(self, other) -> bool:
        if not isinstance(other, Spans):
            return NotImplemented
        return self.starts == other.starts and self.ends == other.ends

    def __hash__(self) -> int:
        return hash((self.starts.tobytes(), self.ends.tobytes()))

    def __repr__(self) -> str:
        return f"Spans({list(self)!r})"


@dataclass(frozen=True)
class Anchor:
    status: Status
    start: int = 0  # span in the original article text (code points, end exclusive)
    end: int = 0
    tier: Tier = Tier.SAFE  # the tier that matched
    count: int = 0  # occurrences of the quote alone
    suggestion: Suggestion | None = None
    spans: Sequence[tuple[int, int]] = ()  # original spans of the candidates (ambiguous, mismatch): Spans
    mismatch: str = ""  # CONTEXT_MISMATCH: the selector that fits no occurrence, "prefix" or "suffix"

    @property
    def found(self) -> bool:
        return self.status is Status.FOUND


class ArticleIndex:
    """An article's text, normalized lazily once per tier, and the occurrences of the last quote sought
    in each tier (`new claim` tries up to 45 prefixes and suffixes with one quote)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tiers: dict[Tier, Normalized] = {}
        self._last: dict[Tier, tuple[str, Occurrences]] = {}

    def at(self, tier: Tier) -> Normalized:
        if tier not in self._tiers:
            self._tiers[tier] = normalize(self.text, tier)
        return self._tiers[tier]

    def occurrences(self, tier: Tier, q: str) -> Occurrences:
        """Where the normalized quote `q` occurs in this tier's text."""
        if tier not in self._last or self._last[tier][0] != q:
            self._last[tier] = (q, Occurrences(self.at(tier), q))
        return self._last[tier][1]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


@lru_cache(maxsize=4096)
def _norm(s: str, tier: Tier) -> str:
    return normalize(s, tier).text


@lru_cache(maxsize=256)
def _period(q: str) -> int:
    """The smallest p such that q[i] == q[i + p] for every i (KMP's failure function): O(len(q))."""
    border, k = [0] * len(q), 0
    for i in range(1, len(q)):
        while k and q[i] != q[k]:
            k = border[k - 1]
        if q[i] == q[k]:
            k += 1
        border[i] = k
    return len(q) - border[-1]


def _occurrences(hay: str, needle: str) -> list[int]:
    """Every start of `needle` in `hay`, overlapping ones included, in O(len(hay) + len(needle)).

    Searching again from each occurrence + 1 verified the whole needle at each of them: a 10,000-letter
    quote of one repeated letter in 2 MB of it took minutes. Overlapping occurrences are a distance
    apart that is a period of the needle: a run of them at its smallest period p is followed p
    characters at a time, and after a run ends no occurrence starts within len(needle) - p of its last
    (Fine and Wilf), so runs are at least half a needle apart."""
    found, i = [], hay.find(needle)
    if i == -1:
        return found
    m = len(needle)
    p = _period(needle)
    if p == m:  # no two occurrences overlap: each search starts past the last one
        while i != -1:
            found.append(i)
            i = hay.find(needle, i + m)
        return found
    while i != -1:
        more = _repeats(hay, needle[m - p:], i + m)  # the text goes on repeating the period: more occurrences
        found.extend(range(i, i + (more + 1) * p, p))
        i = hay.find(needle, i + more * p + m - p + 1)
    return found


def _repeats(hay: str, unit: str, pos: int) -> int:
    """How many times `unit` repeats in `hay` from `pos` on, in O(their length) and a few C calls:
    doubling the number compared while it matches, then halving it."""
    count, step = 0, 1
    while hay.startswith(unit * step, pos + count * len(unit)):
        count, step = count + step, step * 2
    while step > 1:
        step //= 2
        if hay.startswith(unit * step, pos + count * len(unit)):
            count += step
    return count


def _reach(hay: str, starts: Iterable[int], step: int) -> bytearray:
    """A flag at each position that only whitespace separates from one of `starts` (which are flagged
    too), walking by `step`: +1 forward, -1 back. Every start sits beside a character that is not
    whitespace on the other side, so no stretch of whitespace is walked twice: O(len(hay))."""
    n = len(hay)
    flags = bytearray(n + 1)
    beside = 0 if step > 0 else -1  # the character stepped over from i is hay[i + beside]
    for i in starts:
        flags[i] = 1
        while 0 <= i + beside < n and hay[i + beside].isspace():
            i += step
            flags[i] = 1
    return flags


def _whole_clusters(norm: Normalized, hits: list[int], length: int) -> array:
    """The hits that split no letter from its marks: a quote "كتب" is not an exact match of "كتبَ" (it is
    one once LOOSE drops the mark, with a warning). Texts without marks need no check."""
    if norm.inside:
        s, last = norm.starts, len(norm.starts)
        hits = [h for h in hits
                if (h == 0 or s[h] != s[h - 1]) and (h + length == last or s[h + length] != s[h + length - 1])]
    return array("l", hits)


class Occurrences:
    """A normalized quote's occurrences in one tier of an article, and the prefixes and suffixes that fit them.

    Each step is linear in the article (no slice of it, no comparison of a selector, per occurrence).
    The hits are kept in an array of machine ints (8 bytes each): the article's index keeps the last
    quote's for the whole check."""

    def __init__(self, norm: Normalized, q: str) -> None:
        self.norm, self.length = norm, len(q)
        self.hits = _whole_clusters(norm, _occurrences(norm.text, q), len(q))

    def fitting(self, prefix: str, suffix: str) -> list[int]:
        """The hits that the prefix precedes and the suffix follows. Whitespace at the junction is not
        significant ("…قال " + "إن…" or "…قال" + " إن…"): hit h fits when
        `hay[:h].rstrip().endswith(prefix.strip())` and `hay[h + length:].lstrip().startswith(suffix.strip())`.

        The selector is looked for once in the whole text, not compared at each hit (a long prefix that
        differs from the text only in its middle cost its length at each of a million hits): the
        positions it precedes or follows, across whitespace, are flagged, and each hit reads a flag."""
        hay, hits, prefix, suffix = self.norm.text, self.hits, prefix.strip(), suffix.strip()
        if prefix:
            after_prefix = _reach(hay, (i + len(prefix) for i in _occurrences(hay, prefix)), +1)
            hits = list(compress(hits, map(after_prefix.__getitem__, hits)))
        if suffix:
            before_suffix = _reach(hay, _occurrences(hay, suffix), -1)
            hits = compress(hits, map(before_suffix.__getitem__, map(add, hits, repeat(self.length))))
        return list(hits)

    def spans(self, hits: Sequence[int]) -> Spans:
        return Spans.of(self.norm, hits, self.length)


def anchor(article: ArticleIndex, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
    mismatch: Anchor | None = None
    for tier in (Tier.SAFE, Tier.LOOSE):
        norm = article.at(tier)
        q = _norm(quote, tier)
        if not q:
            break
        found = article.occurrences(tier, q)
        hits = found.hits
        if not hits:
            continue
        p, s = _norm(prefix, tier), _norm(suffix, tier)
        with_prefix = found.fitting(p, "")
        chosen = found.fitting(p, s) if s else with_prefix
        if len(chosen) == 1:
            start, end = norm.span(chosen[0], chosen[0] + len(q))
            return Anchor(Status.FOUND, start, end, tier, len(hits))
        if mismatch:  # the quote matched exactly but its context did not; a loose match of both did not help
            return mismatch
        if chosen:
            return Anchor(Status.AMBIGUOUS, tier=tier, count=len(chosen), spans=found.spans(chosen))
        # Blame the selector at fault: the suffix when some occurrence has the prefix.
        key, candidates = ("suffix", with_prefix) if with_prefix else ("prefix", hits)
        # The prefix or suffix may differ only in diacritics: try the LOOSE tier before failing.
        mismatch = Anchor(Status.CONTEXT_MISMATCH, tier=tier, count=len(hits),
                          spans=found.spans(candidates), mismatch=key)
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
    # Bounded: in a text without spaces, widening to the whole "word" would take the whole article,
    # and the similarity's cost grows with the passage's length.
    floor, ceiling = max(0, a - MAX_WORD), min(len(text), b + MAX_WORD)
    while a > floor and text[a - 1].isalnum():
        a -= 1
    while b < ceiling and text[b].isalnum():
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
