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


def _paths(x, p=()):
    yield p
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _paths(v, p + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _paths(v, p + (i,))


@pytest.mark.parametrize("name,path", [("claim", "claims/toll-more-than-33000.yaml"), ("claim", "claims/green-light-denial.yaml"),
                                       ("article", "articles/rafah-concerns.yaml"), ("verdicts", "verdicts.yaml"),
                                       ("topics", "topics.yaml"), ("tags", "tags.yaml")])
def test_fast_schema_check_never_passes_what_jsonschema_rejects(name, path):
    import copy

    from generator.load.yaml_source import load_yaml_file
    from generator.validate.fastschema import predicate
    from generator.validate.rules.schema import SCHEMA_DIR, validator

    data = load_yaml_file(ROOT / "content" / path, path)[0].data
    fast, slow = predicate(SCHEMA_DIR, name), validator(name)
    assert fast is not None and fast(data) and slow.is_valid(data)
    values = [None, True, 1, 1.5, "", "x", "Bad Id", "2024-02-30", [], {}, ["a", "a"], [1], {"ar": "x"},
              {"ar": "x", "en": "y", "fr": "z"}, "http://x", "ftp://x", 0, [True, 1]]
    rng = random.Random(3)
    where = [p for p in _paths(data) if p]
    for _ in range(600):
        mutant = copy.deepcopy(data)
        p = rng.choice(where)
        parent = mutant
        for k in p[:-1]:
            parent = parent[k]
        if rng.random() < 0.7:
            parent[p[-1]] = rng.choice(values)
        elif isinstance(parent, dict):
            del parent[p[-1]]
        else:
            parent.append(rng.choice(values))
        if rng.random() < 0.1:
            mutant[rng.choice(["extra", "clam", "id"])] = rng.choice(values)
        assert not (fast(mutant) and not slow.is_valid(mutant)), (p, mutant)
