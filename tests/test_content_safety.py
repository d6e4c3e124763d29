"""Content that passes validation but misleads (issue 12): unit tests and the accepted side.

The rejected side is in tests/malformed/ (one case per class) and tests/test_validate_codes.py.
"""
from __future__ import annotations

import pytest

from generator.validate.ecma import ecma_regex


@pytest.mark.parametrize("pattern, text, matches", [
    ("^[a-z0-9]+(-[a-z0-9]+)*$", "death-toll", True),
    ("^[a-z0-9]+(-[a-z0-9]+)*$", "death-toll\n", False),  # Python's `$` matches before a final newline
    ("^#[0-9a-fA-F]{6}$", "#1b7f3b\n", False),
    (r"^a[$\]]$", "a$", True),  # `$` in a class, and an escaped `]`, are characters
    (r"^a\$$", "a$", True),
    ("^https?://", "https://x\n", True),
])
def test_schema_patterns_have_ecma_meaning(pattern, text, matches):
    assert bool(ecma_regex(pattern).search(text)) is matches


@pytest.mark.parametrize("pattern", [r"^\d+$", r"\w", r"[\s]", "[]", "[^]"])
def test_patterns_python_reads_differently_are_refused(pattern):
    with pytest.raises(ValueError):
        ecma_regex(pattern)


def test_fast_schema_predicate_refuses_a_key_with_a_trailing_newline():
    """The fast path must not call "certainly valid" what jsonschema rejects."""
    from generator.validate.fastschema import predicate
    from generator.validate.rules.schema import SCHEMA_DIR

    tags = predicate(SCHEMA_DIR, "tags")
    assert tags({"rafah": {"label": {"ar": "رفح", "en": "Rafah"}}})
    assert not tags({"rafah\n": {"label": {"ar": "رفح", "en": "Rafah"}}})


@pytest.mark.parametrize("written, shown", [(".inf", ".inf"), ("-.inf", "-.inf"), ("+.INF", ".inf"),
                                            (".Inf", ".inf"), (".nan", ".nan"), (".NaN", ".nan")])
def test_yaml_special_floats_are_numbers(written, shown):
    """YAML's infinities and NaN load as floats, so the schema says "a number", not "text"."""
    from generator.load.yaml_source import parse_yaml
    from generator.validate.rules.schema import check_schema

    verdicts = f"accurate:\n  label: {{ar: صحيح, en: 'True'}}\n  description: {{ar: صحيح, en: True.}}\n" \
               f"  rating: {written}\n  color: '#1b7f3b'\n"
    doc, problems = parse_yaml(verdicts, "verdicts.yaml")
    assert not problems and isinstance(doc.data["accurate"]["rating"], float)
    (d,) = check_schema("verdicts", doc)
    assert (d.code, d.line, d.column) == ("schema-type", 4, 11)
    assert d.message.endswith(f"must be a whole number, found the number `{shown}`"), d.message


# --- characters ------------------------------------------------------------------------------------------

def _codes(text: str, **kw) -> list[str]:
    from generator.chars import find

    return [f.code for f in find(text, **kw)]


@pytest.mark.parametrize("text", [
    "العدد \u200f33,970\u200e شخصاً",  # RLM, LRM
    "قال \u061cالتقرير",  # ALM
    "قال \u2067Joe Biden\u2069 أمس و\u2066ok\u2069 و\u2068x\u2069",  # balanced isolates, FSI too
    "a \u202bعربي\u202c b \u202aen\u202c",  # balanced embeddings
    "\u2067a \u202bb\u202c c\u2069",  # an embedding closed inside an isolate
    "tab\tand\nnewline",
])
def test_text_editors_write_is_accepted(text):
    assert _codes(text) == [] and _codes(text, markdown=True) == []


@pytest.mark.parametrize("text, codes", [
    ("a\u202eb\u202c", ["bidi-override"]),  # closed or not, an override reverses what it covers
    ("a\u202db", ["bidi-override"]),
    ("a \u2067b", ["bidi-unbalanced"]),
    ("a\u2069 b", ["bidi-unbalanced"]),
    ("a\u202c b", ["bidi-unbalanced"]),
    ("\u2067a\nb\u2069", ["bidi-unbalanced"]),  # isolates end with their line
    ("\u2067a\u202bb\u2069", ["bidi-unbalanced"]),  # the embedding is left open inside the isolate
    ("\u202ba\u2067b\u202c\u2069", ["bidi-unbalanced"]),  # crossed, not nested
    ("a\u2028b", ["line-separator"]),
    ("a\x1bb\x85c\x7f", ["text-control-char"]),
    ("a\ufdd0 \uffff \U0010fffe", ["text-noncharacter"]),
    ("a\x02 \u202e", ["text-control-char", "bidi-override"]),
])
def test_misleading_text_is_refused(text, codes):
    assert _codes(text) == codes


def test_every_listed_character_is_found_and_nothing_else():
    """The fast first scan (`_SCREEN`) lets no listed character through; emoji and Arabic pass."""
    from generator import chars

    listed = chars.CONTROLS + chars.NONCHARACTERS + chars.BIDI + chars.SEPARATORS
    assert all(_codes(f"a{c}b", identifier=True) for c in listed)
    assert _codes("تحقق 😀 \U0001fffd \u200b\u200c\u200d\ufeff", identifier=True) == []


def test_identifiers_hold_no_direction_character_at_all():
    assert _codes("death-toll\u200f", identifier=True) == ["bidi-in-identifier"]
    assert _codes("\u2067x\u2069", identifier=True) == ["bidi-in-identifier"]
    assert _codes("death-toll\u200f") == []


def test_markdown_character_references_count_as_characters():
    """markdown-it turns `&#x202E;` and `&rlm;` into the characters; it shows invalid ones as U+FFFD."""
    assert _codes("a &#x202E; b", markdown=True) == ["bidi-override"]
    assert _codes("a &#x2067; b", markdown=True) == ["bidi-unbalanced"]
    assert _codes("a &rlm; b &#2; c &#x85;", markdown=True) == []
    assert _codes("a &#x202E; b") == []  # plain text shows the reference as written


def test_arabic_with_marks_and_balanced_isolates_validates(content_tree):
    from conftest import MINIMAL, validate_json

    edits = [  # YAML escapes (\\u2067) in double-quoted values, the characters themselves in plain ones
        ("claim: {ar: قتل أكثر", 'claim: {ar: "قال \\u2067Joe Biden\\u2069 إن \\u200f33\\u200e ألفاً. قتل أكثر'),
        ("شخص., en:", 'شخص.", en:'),
        ("claimant: {ar: التقرير", 'claimant: {ar: "\\u202bالتقرير\\u202c \\u061cاليوم"'),
        ("conclusion: {ar: الرقم صحيح.", "conclusion: {ar: الرقم \u200f33970\u200f صحيح."),
        ('ar: "بحسب [وزارة الصحة]', 'ar: "بحسب &rlm;[وزارة \\u2068الصحة\\u2069]'),  # Markdown
        ("quote: أكثر من 33,000", "quote: أكثر من \u200f33,000\u200f"),  # still found: quotes ignore marks
    ]
    claim = MINIMAL["claims/toll.yaml"]
    for old, new in edits:
        assert old in claim, old
        claim = claim.replace(old, new, 1)
    text = MINIMAL["articles/report.txt"].replace("قال البيت الأبيض", "قال \u2067البيت الأبيض\u2069 \u200e(AP)\u200e")
    page = "# عن الموقع\n\nنحن \u2067Fact-check desk\u2069 في \u200fغزة.\n"
    content = content_tree({"claims/toll.yaml": claim, "articles/report.txt": text, "pages/about.ar.md": page})
    proc, diags = validate_json(content)
    assert (proc.returncode, diags) == (0, []), diags


# --- Markdown nesting -----------------------------------------------------------------------------------

def _nested(kinds: str) -> str:
    """A Markdown text nesting the containers of `kinds` (l: list, o: ordered list, q: blockquote), one
    word at each level and one below the deepest."""
    lines, prefix = [], ""
    for i, kind in enumerate(kinds):
        if kind == "q":
            prefix += "> "
            lines.append(f"{prefix}w{i}")
        else:
            lines.append(f"{prefix}{'- ' if kind == 'l' else '1. '}w{i}")
            prefix += "  " if kind == "l" else "   "
    return "\n".join(lines + [f"{prefix}wlast"]) + "\n"


@pytest.mark.parametrize("kinds", ["l", "q", "lqo"])
def test_markdown_the_validator_accepts_renders_whole(kinds):
    """At the bound, every word renders (the renderer's maxNesting agrees); one level more is refused."""
    import html
    import re

    from generator.load import limits
    from generator.render.env import markdown
    from generator.validate.rules.markdown import _md, too_deep

    depth = limits.MAX_MARKDOWN_DEPTH
    at_bound = _nested((kinds * depth)[:depth])
    assert too_deep(_md.parse(at_bound)) is None
    shown = html.unescape(re.sub("<[^>]+>", " ", str(markdown(at_bound))))
    assert set(re.findall(r"w\w+", at_bound)) <= set(shown.split())
    assert too_deep(_md.parse(_nested((kinds * (depth + 1))[:depth + 1]))) is not None


def test_gitkeep_is_not_reported(content_tree):
    from conftest import validate_json

    proc, diags = validate_json(content_tree({f"{folder}/.gitkeep": "" for folder in ("claims", "articles", "pages")}))
    assert (proc.returncode, diags) == (0, [])


# --- diagnostics on a terminal --------------------------------------------------------------------------

UNSAFE_ON_A_TERMINAL = ("\x1b", "\x07", "\x9b", "\x85", "\u202e", "\u2028", "\r")


def test_text_format_prints_escape_sequences_escaped(content_tree):
    """A claim's ESC (written literally, or as a YAML escape), its newlines and bidi controls, and a file
    name's, reach the terminal as visible escapes: they can neither drive it nor fake a line."""
    from conftest import MINIMAL, run_cli

    fake = "\\nall content is valid\\n\\u001b[2J\\u001b]0;pwned\\u0007\\u202e"
    claim = MINIMAL["claims/toll.yaml"].replace("publisher: Ministry", f'publisher: "Ministry{fake}"')
    literal = MINIMAL["claims/toll.yaml"].replace("title: Toll", "title: To\x1b[2Jll \u202e")
    content = content_tree({"claims/toll.yaml": claim, "claims/other.yaml": literal,
                            "claims/x\x1b]0;pwned\x07.yaml": "claim: x\n"})
    for fmt in ("text", "github"):
        proc = run_cli("validate", "--content", content, "--format", fmt)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        out = proc.stdout
        assert not [c for c in UNSAFE_ON_A_TERMINAL if c in out], out
        assert "all content is valid\\n\\x1b[2J\\x1b]0;pwned\\x07\\u202e»" in out, out  # the message
        assert "x\\x1b]0;pwned\\x07.yaml" in out  # the file name
        assert not any(line.startswith("all content is valid") for line in out.splitlines())
        if fmt == "text":
            assert "title: To\\x1b[2Jll \\u202e" in out  # the quoted source line (yaml-control-char)
            lines = out.splitlines()
            at = lines.index(next(x for x in lines if "title: To\\x1b" in x))
            assert lines[at + 1].index("^") == lines[at].index("\\x1b")  # the caret under the escape
        else:
            assert all(line.startswith("::") for line in out.splitlines()), out  # one annotation a line


def test_json_format_keeps_the_text_as_it_is(content_tree):
    """JSON is for programs: the file name comes back as it is, and json.dumps writes the ESC as \\u001b."""
    from conftest import validate_json

    proc, diags = validate_json(content_tree({"claims/x\x1b[2J.yaml": "claim: x\n"}))
    (d,) = diags
    assert d["path"].endswith("x\x1b[2J.yaml") and "x\x1b[2J.yaml" in d["message"]
    assert "\x1b" not in proc.stdout and "\\u001b" in proc.stdout
