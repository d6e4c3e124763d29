"""Property tests (issue 5): the validator never raises on any claim file, every
diagnostic points inside the file it names, and quotes anchor back to their span.

The validator runs in-process (generator.pipeline.check) over one content tree
per module; each example rewrites only claims/toll.yaml.
"""
from __future__ import annotations

import pickle
import textwrap
import unicodedata
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import ARTICLE_TEXT, MINIMAL, write_tree
from generator.anchor.match import ArticleIndex, Occurrences, Status, _occurrences, _reach, anchor
from generator.anchor.normalize import MAX_MARKS, Normalized, Tier, _canonical_order, _nfc, normalize
from generator.pipeline import check

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("props"), {})


def editor_lines(raw: bytes) -> list[str]:
    """The file's lines as an editor counts them (and as the loader reports them)."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def assert_inside(claim: Path, body: bytes, content: Path) -> None:
    claim.write_bytes(body)
    checked = check(content)  # must not raise
    lines = editor_lines(body)
    for d in checked.diagnostics:
        assert Path(d.path).resolve() == claim.resolve(), d  # only the mutated file is blamed
        assert d.code and d.message and d.help, d
        assert 1 <= d.line <= len(lines), (d, len(lines))
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, (d, lines[d.line - 1])


# (a) random YAML-ish documents ------------------------------------------------

FRAGMENTS = [
    "claim:", "verdict: accurate", "verdict: false", "excerpts:", "- article: report", "  quote: x",
    "sources:", "  - url: https://x.org", "key: value", "a: b: c", "- item", "? complex", ": value",
    "{a: 1, b: [2, 3]}", "[1, 2", "'quoted'", '"dq \\u0041"', "&a [x, x]", "*a", "!!python/object:os.system",
    "!!binary aGk=", "!tag x", "<<: *a", "---", "...", "%YAML 1.2", "|", ">-", "  indented", "\ttabbed",
    "# comment", "date: 2024-02-30", "n: 0x1F", "f: .inf", "~", "null:", "ar: عربي", "en: English",
    "رفح: حماس", "\ufeff", "\u200f", "\u2028", "\x85", "\r", "@", "`", "%", "key:   ",
]
SIMPLE_CHARS = st.characters(blacklist_categories=("Cs",))  # surrogates cannot be written as UTF-8
LINE = st.one_of(st.sampled_from(FRAGMENTS), st.text(SIMPLE_CHARS, max_size=20),
                 st.builds(lambda a, b: f"{a}: {b}", st.text(SIMPLE_CHARS, max_size=8),
                           st.text(SIMPLE_CHARS, max_size=8)))
INSERTS = [":", "\t", "'", '"', "&a ", "*a", "!!tag ", "- ", "  ", "{", "}", "[", "]", "#", ",", "\x00", "\x07"]


@st.composite
def mutated_lines(draw, base: list[str]) -> str:
    lines = list(base)
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            lines.append(draw(LINE))
            continue
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "insert", "new"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 4)) + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip()
        elif op == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(INSERTS)) + lines[i][at:]
        else:
            lines.insert(i, draw(LINE))
    end = draw(st.sampled_from(["\n", "\r\n", ""]))
    return end.join(lines) + draw(st.sampled_from(["", "\n", end]))


VALID_CLAIM = textwrap.dedent(MINIMAL["claims/toll.yaml"]).splitlines()


@SETTINGS
@given(body=st.one_of(
    st.lists(LINE, max_size=12).flatmap(mutated_lines),  # built from fragments, then mutated
    mutated_lines(VALID_CLAIM),  # the valid claim, mutated line by line
))
def test_random_yaml_never_raises_and_points_inside(tree, body):
    assert_inside(tree / "claims" / "toll.yaml", body.encode("utf-8"), tree)


@SETTINGS
@given(raw=st.binary(max_size=200), keep=st.integers(0, 700))
def test_random_bytes_never_raise(tree, raw, keep):
    base = textwrap.dedent(MINIMAL["claims/toll.yaml"]).encode("utf-8")
    assert_inside(tree / "claims" / "toll.yaml", base[:keep] + raw, tree)


# (b) random mutations of the valid claim's data, dumped to YAML ------------------

def _claim_data() -> dict:
    return YAML(typ="safe").load(textwrap.dedent(MINIMAL["claims/toll.yaml"]))


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=False),
                    st.text(SIMPLE_CHARS, max_size=30), st.sampled_from(["", "2024-02-30", "report", "../x",
                                                                          "javascript:alert(1)", "accurate"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(SIMPLE_CHARS, max_size=8), inner, max_size=3)),
    max_leaves=8)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


def _parent(data, path):
    for p in path[:-1]:
        data = data[p]
    return data


@st.composite
def mutated_claims(draw) -> dict:
    data = _claim_data()
    for _ in range(draw(st.integers(1, 5))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        op = draw(st.sampled_from(["drop", "replace", "rename", "add"]))
        if op == "drop":
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = draw(VALUES)
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(SIMPLE_CHARS, min_size=1, max_size=10))] = parent.pop(path[-1])
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["verdikt", "topic", "related", "updated", "id", "prefix", "suffix"]))] = \
                draw(VALUES)
    return data


def _dump(data, flow: bool) -> str:
    import io
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@SETTINGS
@given(data=mutated_claims(), flow=st.booleans())
def test_mutated_claim_data_never_raises_and_points_inside(tree, data, flow):
    assert_inside(tree / "claims" / "toll.yaml", _dump(data, flow).encode("utf-8"), tree)


# (c) quote anchoring round-trips -------------------------------------------------

ARABIC = st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآؤئةى"))
MARKS = st.sampled_from(["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u0670"])
ODD = st.sampled_from(["\u0640", "\u200c", "\u200f", "«", "»", "“", "”", "٣", "٫", "،", "ﻻ", "ک", "ی"])
TOKEN = st.one_of(
    st.builds(lambda letters, mark: "".join(letters) + mark, st.lists(ARABIC, min_size=1, max_size=7),
              st.one_of(st.just(""), MARKS)),
    ODD, st.sampled_from([" ", "  ", "\n", ".", "33,000", "Rafah"]),
)
GENERATED = st.lists(TOKEN, min_size=30, max_size=200).map(" ".join)


def _clusters(text: str) -> list[int]:
    """Indices where a quote can start or end: not inside a letter with its marks."""
    return [i for i in range(len(text) + 1) if i == len(text) or not unicodedata.combining(text[i])]


def _visible(text: str) -> bool:
    """Some of it survives SAFE normalization at both ends (tatweel and spaces vanish)."""
    return bool(normalize(text, Tier.SAFE).text)


def _roundtrip(index: ArticleIndex, text: str, bounds: list[int], data, width: int = 32) -> None:
    i = data.draw(st.integers(0, len(bounds) - 2), label="start")
    j = data.draw(st.integers(i + 1, min(len(bounds) - 1, i + 80)), label="end")
    a, b = bounds[i], bounds[j]
    quote = text[a:b]
    # A span that starts or ends with characters normalization drops (space, tatweel,
    # a bidi mark) is the same passage as the trimmed span: trim it first.
    while a < b and not _visible(text[a:bounds[bounds.index(a) + 1]]):
        a = bounds[bounds.index(a) + 1]
    while b > a and not _visible(text[bounds[bounds.index(b) - 1]:b]):
        b = bounds[bounds.index(b) - 1]
    assume(a < b)
    quote = text[a:b]
    pa = bounds[max(0, bounds.index(a) - width)]
    sb = bounds[min(len(bounds) - 1, bounds.index(b) + width)]
    prefix, suffix = text[pa:a], text[b:sb]
    found = anchor(index, quote, prefix, suffix)
    if found.status is Status.AMBIGUOUS:  # only when prefix + quote + suffix itself repeats
        context = normalize(prefix + quote + suffix, Tier.SAFE).text.strip()
        hay = index.at(Tier.SAFE).text
        assert (a, b) in found.spans and hay.find(context, hay.find(context) + 1) != -1
        return
    assert found.status is Status.FOUND, (found, quote, prefix, suffix)
    assert (found.start, found.end) == (a, b), (quote, text[found.start:found.end])
    assert found.tier is Tier.SAFE


@pytest.fixture(scope="module")
def seed_indexes():
    texts = [p.read_text(encoding="utf-8") for p in SEEDS] + [ARTICLE_TEXT]
    return [(ArticleIndex(t), t, _clusters(t)) for t in texts]


@SETTINGS
@given(data=st.data())
def test_quote_roundtrip_on_seed_articles(seed_indexes, data):
    index, text, bounds = data.draw(st.sampled_from(seed_indexes), label="article")
    _roundtrip(index, text, bounds, data)


@settings(max_examples=100, deadline=None)
@given(text=GENERATED, data=st.data())
def test_quote_roundtrip_on_generated_text(text, data):
    bounds = _clusters(text)
    assume(len(bounds) > 2)
    _roundtrip(ArticleIndex(text), text, bounds, data)


def _fits_by_definition(hay: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """How a prefix and suffix were matched before it was made linear: one slice of the article per hit."""
    return (not prefix or hay[:start].rstrip().endswith(prefix.strip())) and (
        not suffix or hay[end:].lstrip().startswith(suffix.strip()))


# Few letters, so that quotes, prefixes and suffixes often occur; runs of every kind of whitespace.
SPACEY = st.text(st.sampled_from(["a", "b", " ", "\t", "\n", "\u00a0", "\u2028", "\x85", "\x1c"]), max_size=40)


@SETTINGS
@given(hay=SPACEY, data=st.data())
def test_fitting_agrees_with_the_definition(hay, data):
    """`Occurrences.fitting` gives the hits the old per-hit definition gave, on any text, whitespace
    runs included (normalized text has them only rarely), asked several times as `new claim` does."""
    def piece() -> st.SearchStrategy[str]:  # a cut of the text, or any text
        cut = st.integers(0, len(hay)).flatmap(lambda i: st.integers(i, min(len(hay), i + 6)).map(lambda j: hay[i:j]))
        return st.one_of(cut, SPACEY)

    q = data.draw(piece().filter(bool), label="quote")
    every_char_its_own = Normalized(hay, array("l", range(len(hay))), array("l", range(1, len(hay) + 1)))
    found = Occurrences(every_char_its_own, q)
    assert list(found.hits) == [i for i in range(len(hay)) if hay.startswith(q, i)]
    for _ in range(data.draw(st.integers(1, 4), label="asked")):
        prefix, suffix = data.draw(piece(), label="prefix"), data.draw(piece(), label="suffix")
        expected = [h for h in found.hits if _fits_by_definition(hay, h, h + len(q), prefix, suffix)]
        assert found.fitting(prefix, suffix) == expected


@SETTINGS
@given(hay=SPACEY, data=st.data())
def test_reach_flags_what_whitespace_alone_separates(hay, data):
    """The positions a prefix's end reaches forward, or a suffix's start back, across whitespace only."""
    starts = sorted(data.draw(st.sets(st.integers(0, len(hay))), label="starts"))
    forward, back = _reach(hay, starts, +1), _reach(hay, starts, -1)
    for x in range(len(hay) + 1):
        assert forward[x] == any(s <= x and not hay[s:x].strip() for s in starts), x
        assert back[x] == any(x <= s and not hay[x:s].strip() for s in starts), x


@SETTINGS
@given(q=st.text("ab", min_size=1, max_size=8), data=st.data())
def test_occurrences_agree_with_the_definition(q, data):
    """Every occurrence, overlapping ones included, of quotes that repeat themselves (`aa` in `aaaa`,
    `aba` in `ababa`, `aabaa` in `aabaaabaa`): they are followed a period at a time. The text is
    made of the quote, its halves and single letters, so that occurrences overlap often."""
    pieces = st.sampled_from([q, q[:len(q) // 2 + 1], q[len(q) // 2:], "a", "b"])
    hay = "".join(data.draw(st.lists(pieces, max_size=12), label="text"))
    assert _occurrences(hay, q) == [i for i in range(len(hay)) if hay.startswith(q, i)]


@pytest.mark.parametrize("hay, q", [
    ("aaaa", "aa"), ("ababa", "aba"), ("aabaaabaa", "aabaa"), ("abaabaaba", "abaaba"), ("a" * 40 + "b" + "a" * 9, "a" * 7),
])
def test_overlapping_occurrences_a_second_period_apart(hay, q):
    """`aabaa` repeats at 3 and at 4: occurrences 4 apart are no run of the smallest period, yet overlap."""
    assert _occurrences(hay, q) == [i for i in range(len(hay)) if hay.startswith(q, i)]


# Marks of many combining classes, some that decompose (U+0344, U+0F73, U+0340) or compose with a letter
# (hamza and madda with alef, acute with e), some beyond the BMP; letters that decompose or compose.
COMBINING = list("\u0301\u0316\u0344\u0340\u0343\u0f73\u0f71\u0f72\u064e\u0651\u0654\u0655\u0653\u0670"
                 "\u05b0\u0327\u0328\u031b\u302a\u0e48\u1dc0") + ["\U0001D165", "\U0001D16E"]
LETTERS = list("aeoAuا وي\u1100\uac00\u0b47\u00e9\u212b")


@SETTINGS
@given(st.lists(st.sampled_from(LETTERS + COMBINING), max_size=3 * MAX_MARKS))
def test_canonical_order_of_many_marks_is_cpythons(chars):
    """Past MAX_MARKS marks, NFC is computed on marks ordered here (CPython's insertion sort is quadratic);
    the result is CPython's NFC, and the order its NFD."""
    text = "".join(chars)
    assert _canonical_order(text) == unicodedata.normalize("NFD", text)
    assert _nfc(text) == unicodedata.normalize("NFC", text)


def test_many_occurrences_keep_their_spans_compact():
    """A one-letter quote in a long text: every occurrence is listed, in arrays (pickled to the parent
    of a parallel check), as a sequence of (start, end) pairs."""
    text = "word " * 1000
    found = anchor(ArticleIndex(text), "o")
    assert found.status is Status.AMBIGUOUS and found.count == len(found.spans) == 1000
    assert found.spans[0] == (1, 2) and found.spans[-1] == (len(text) - 4, len(text) - 3)
    assert list(found.spans[:2]) == [(1, 2), (6, 7)]
    assert pickle.loads(pickle.dumps(found)) == found
    assert len(pickle.dumps(found.spans)) < 20 * len(found.spans)


def test_seed_articles_present():
    assert SEEDS, "the seed articles in /work/shared/seeds/ are used by the round-trip test"


# (d) anchoring arbitrary quotes never raises, and a match is what the quote says ---------

WILD = st.text(st.one_of(SIMPLE_CHARS, ARABIC, MARKS, ODD, st.sampled_from(" \n\t")), max_size=40)


@SETTINGS
@given(text=st.one_of(GENERATED, WILD), data=st.data())
def test_anchor_never_raises_and_matches_are_faithful(text, data):
    """Quotes, prefixes and suffixes are random text or cuts of the article at any
    code point, even between a letter and its marks."""
    def cut() -> st.SearchStrategy[str]:
        return st.integers(0, len(text)).flatmap(lambda i: st.integers(i, len(text)).map(lambda j: text[i:j]))

    quote, prefix, suffix = (data.draw(st.one_of(WILD, cut()), label=k) for k in ("quote", "prefix", "suffix"))
    found = anchor(ArticleIndex(text), quote, prefix, suffix)
    if found.status is Status.FOUND:
        assert 0 <= found.start < found.end <= len(text)
        assert normalize(text[found.start:found.end], found.tier).text == normalize(quote, found.tier).text.strip()
    elif found.status is Status.NOT_FOUND and found.suggestion:
        s = found.suggestion
        assert 0 <= s.start < s.end <= len(text) and 1 <= s.line <= text.count("\n") + 1
        assert 50 <= s.similarity <= 100
    for a, b in found.spans:
        assert 0 <= a < b <= len(text)
