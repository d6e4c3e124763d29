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
