"""The benchmark keeps working (a small run, no timed assertions), and the fast paths added for speed
give exactly what the reference code gives."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from generator.anchor.normalize import Tier, _reference, normalize

ROOT = Path(__file__).resolve().parent.parent

ALPHABET = list("ab ٍَُقالإأىةيکی،؛؟٠١۲\u0640\u200b\u200c\u202a\u00ad\u00a0\t\n“”«»'\"\ufefb\ufe70\u0654\u0670x.- ") + [
    "\u0627\u0654", "\u212b", "\ufb50", "\u0301", "e\u0301", "  ", "\n\n"]


def test_normalize_fast_path_equals_reference():
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 16)))
        for tier in Tier:
            assert normalize(text, tier) == _reference(text, tier), (text, tier)


@pytest.mark.parametrize("path", sorted((ROOT / "content" / "articles").glob("*.txt")), ids=lambda p: p.stem)
def test_normalize_fast_path_on_sample_articles(path):
    text = path.read_text(encoding="utf-8")
    for tier in Tier:
        assert normalize(text, tier) == _reference(text, tier)
