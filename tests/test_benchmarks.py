"""The benchmark keeps working (a small run, no timed assertions), and the fast paths added for speed
give exactly what the reference code gives."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_incremental_equals_cold, docs_files
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


def test_normalize_runs_found_by_kinds_equal_reference(monkeypatch):
    """Texts with simple characters beyond the BMP (an emoji, a CJK compatibility ideograph NFC changes),
    or more than MAX_CLASS of them, have their runs found by str.translate instead of the regex."""
    import generator.anchor.normalize as norm

    rng = random.Random(8)
    wide = ALPHABET + ["\U0001F600", "\U0002F800", "\U0001D400\u0301"]
    for _ in range(5_000):
        text = "".join(rng.choice(wide) for _ in range(rng.randint(0, 16)))
        for tier in Tier:
            assert normalize(text, tier) == _reference(text, tier), (text, tier)
    monkeypatch.setattr(norm, "MAX_CLASS", 0)
    monkeypatch.setattr(norm, "_CLASS", {t: (frozenset(), None) for t in Tier})
    for _ in range(5_000):
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


# --- incremental runs give what a full run gives -------------------------------------------------------

@pytest.mark.parametrize("forked", [False, True], ids=["one-process", "forked-worker"])
def test_incremental_runs_equal_full_runs(tmp_path, monkeypatch, forked):
    """After each edit, a run with the validate cache gives the diagnostics and the docs a cold run gives;
    also when the claims and pages to check are split between forked workers."""
    import functools
    import re
    import shutil

    import generator.render as grender
    import generator.validate as gvalidate
    from generator.process import fork_map

    split = functools.partial(fork_map, min_items=2 if forked else 10**9, workers=2)
    monkeypatch.setattr(gvalidate, "fork_map", split)
    monkeypatch.setattr(grender, "fork_map", split)

    from benchmarks.corpus import generate
    from generator.settings import load_settings

    settings = load_settings()
    content = tmp_path / "content"
    generate(content, 60, seed=5)
    claims = content / "claims"

    def compare(label):
        return assert_incremental_equals_cold(content, settings, tmp_path, label)

    def edit(name, old, new):
        path = claims / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    assert compare("cold").written > 0
    assert compare("no change").written == 0
    edit("claim-00003.yaml", "  ar: ", "  ar: تعديل ")
    assert 0 < compare("one claim's text").written < 20
    verdict = re.search(r"verdict: (\S+)", (claims / "claim-00005.yaml").read_text()).group(1)
    edit("claim-00005.yaml", f"verdict: {verdict}", "verdict: " + ("accurate" if verdict != "accurate" else "misleading"))
    compare("a verdict")
    edit("claim-00007.yaml", "published: ", "x_unknown: 1\npublished: ")
    assert compare("a schema error") is None
    edit("claim-00007.yaml", "x_unknown: 1\n", "")
    compare("fixed")
    related = next(p for p in sorted(claims.glob("*.yaml")) if "related: [" in p.read_text())
    target = re.search(r"related: \[([^\],]+)", related.read_text()).group(1)
    kept = (claims / f"{target}.yaml").read_bytes()
    (claims / f"{target}.yaml").unlink()
    assert compare("a related claim deleted") is None
    (claims / f"{target}.yaml").write_bytes(kept)
    compare("restored")
    for path in sorted(claims.glob("*.yaml")):  # a quote written exactly as its article has it
        source = path.read_text(encoding="utf-8")
        quote = re.search(r'quote: "([^"]+)"', source).group(1)
        article = content / "articles" / (re.search(r"article: (\S+)", source).group(1) + ".txt")
        text = article.read_text(encoding="utf-8")
        if quote in text:
            break
    article.write_text(text.replace(quote, "نص آخر"), encoding="utf-8")
    assert compare("a quoted passage removed from its article") is None
    article.write_text(text, encoding="utf-8")
    compare("article restored")
    tags = content / "tags.yaml"
    tags.write_text(tags.read_text(encoding="utf-8").replace('en: "', 'en: "Renamed ', 1), encoding="utf-8")
    compare("a tag label")
    shutil.copy(claims / "claim-00011.yaml", claims / "claim-99999.yaml")
    compare("a new claim")
    (claims / "claim-99999.yaml").unlink()
    compare("a claim removed")


# --- the benchmark itself, on a small corpus (a smoke test: no timed assertions) ------------------------

def test_corpus_is_reproducible_and_valid(tmp_path):
    from benchmarks.corpus import generate
    from generator.diagnostics import has_errors
    from generator.pipeline import check

    a, b = tmp_path / "a", tmp_path / "b"
    counts = generate(a, 40, seed=9)
    generate(b, 40, seed=9)
    assert docs_files(a) == docs_files(b)
    assert counts["claims"] == 40 and len(list((a / "claims").glob("*.yaml"))) == 40
    checked = check(a)
    assert not has_errors(checked.diagnostics), checked.diagnostics[:3]
    claims = checked.content.claims.values()
    assert any(len(c.articles) > 1 for c in claims) or any(c.topic for c in claims)
    assert any(c.corrections for c in claims) and any(c.tags for c in claims)
    sizes = [p.stat().st_size for p in (a / "articles").glob("*.txt")]
    assert min(sizes) >= 3000 and max(sizes) <= 8500


@pytest.mark.slow
def test_benchmark_runner_writes_every_row(tmp_path):
    """--ref 100 makes 200 the larger size (its builds, the ratio rows); --partitions 1,2 builds from a
    copy of the project with one partition, and takes two from the reference builds."""
    out = tmp_path / "B.md"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--claims", "100,200", "--ref", "100",
                           "--runs", "1", "--partitions", "1,2", "--out", str(out), "--skip-browser"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    table = text[:text.index("raw measurements")]
    for row in ("validate+render cold, 100 claims", "validate+render cold, 200 claims",
                "peak memory (PSS), validate+render cold, 200 claims", "time ratio 200/100 claims, validate+render",
                "`build` cold (validate, render, MkDocs, Pagefind, publish), 100 claims",
                "`build`, nothing changed, 100 claims", "`build` after editing one claim, 100 claims",
                "`build --no-search`, the same one-claim edit, 100 claims",
                "`build`, the first one-claim edit after a cold build", "`build --no-search` cold",
                "bare `mkdocs build` of the same Markdown", "cold `build` / bare `mkdocs build`",
                "`build` cold, 200 claims", "`build` after editing one claim, 200 claims",
                "time ratio 200/100 claims, `build` cold", "time ratio 200/100 claims, `build` after a one-claim edit",
                "peak memory (PSS), whole process tree, every `build` at 100 claims",
                "peak memory (PSS), whole process tree, every `build` at 200 claims",
                "claim page HTML, median", "total site size", "home page", "all-claims page", "a verdict page",
                "largest listing page", "search in 1 partition(s)", "search in 2 partition(s)",
                "preview (`serve`) | skipped", "one search query | skipped"):
        assert row in table, row
    assert "nan" not in table and "n/a" not in table, table
