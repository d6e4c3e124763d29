"""Issue 6 ("scale"): one MkDocs process per language, in parallel, merged; Pagefind once per
language; and the validate+render heap freed before MkDocs runs.

The parallel build must give the files the plain, sequential `mkdocs build` gives (the i18n plugin
building the languages one after the other in one process), byte for byte: every page, the merged
sitemap.xml and its .gz, the 404 page, the theme's assets.
"""
from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time

import pytest

import generator.build as gbuild
from conftest import ROOT
from generator.build import mkdocs_build
from generator.errors import BuildError
from generator.process import Child, in_child, run_all
from generator.settings import load_settings
from site_fixtures import SITE_FILES, build_cmd, fixture_site, sample_site, tree_hash  # noqa: F401

pytestmark = pytest.mark.slow


def _differences(a: dict, b: dict) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _both_ways(docs, tmp_path) -> tuple[dict, dict]:
    settings = load_settings()
    trees = []
    for parallel in (False, True):
        out = tmp_path / ("parallel" if parallel else "sequential")
        out.mkdir()
        mkdocs_build(settings, docs, out, True, parallel=parallel)
        trees.append(tree_hash(out))
    return trees[0], trees[1]


def _assert_same(sequential: dict, parallel: dict, tmp_path) -> None:
    assert {"index.html", "en/index.html", "404.html", "sitemap.xml", "sitemap.xml.gz"} <= sequential.keys()
    assert sequential == parallel, _differences(sequential, parallel)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("parallel-")]  # no staging left


def test_parallel_build_equals_sequential_build_fixture(fixture_site, tmp_path):
    _assert_same(*_both_ways(fixture_site.docs, tmp_path), tmp_path)


def test_parallel_build_equals_sequential_build_sample_content(sample_site, tmp_path):
    _assert_same(*_both_ways(sample_site.docs, tmp_path), tmp_path)


def test_parallel_build_equals_sequential_build_generated_corpus(tmp_path):
    """A generated tree: comparison pages, many tags, corrections, related claims, prefixed quotes."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    generate(tmp_path / "content", 60, seed=6)
    proc = build_cmd(tmp_path / "content", tmp_path / "site", tmp_path / "docs", "--no-search")
    assert proc.returncode == 0, proc.stderr
    _assert_same(*_both_ways(tmp_path / "docs", tmp_path), tmp_path)


def test_pagefind_per_language_equals_one_run(fixture_site, tmp_path):
    """One Pagefind run per language (lower peak memory) gives the bundle one run over the site gives;
    one run's pagefind-entry.json lists the languages in hash-map order, so it is compared sorted."""
    one, split = tmp_path / "one", tmp_path / "split"
    for out in (one, split):
        shutil.copytree(fixture_site.path, out, ignore=shutil.ignore_patterns("pagefind"))
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(one), "--silent"], check=True)
    gbuild.pagefind(split)
    entry = one / "pagefind" / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data["languages"].items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    assert sorted(data["languages"]) == ["ar", "en"]
    assert tree_hash(one) == tree_hash(split), _differences(tree_hash(one), tree_hash(split))


def test_the_build_runs_one_mkdocs_per_language_and_logs_each(fixture_site, tmp_path):
    proc = build_cmd(fixture_site.content, tmp_path / "site", tmp_path / "docs", "--strict")
    assert proc.returncode == 0, proc.stderr
    for stage in ("validate+render", "mkdocs ar", "mkdocs en", "merge", "pagefind ar", "pagefind en"):
        assert f"\n  {stage}: " in proc.stderr, proc.stderr


# --- failures -------------------------------------------------------------------------------------------

def test_a_failing_language_build_fails_the_build_and_leaves_nothing(fixture_site, tmp_path):
    """A broken link in one English page fails `--strict` in the English process only."""
    import shutil

    docs = tmp_path / "docs"
    shutil.copytree(fixture_site.docs, docs)
    about = docs / "about.en.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[x](no-such-page.md)\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BuildError) as err:
        mkdocs_build(load_settings(), docs, out, True)
    assert str(err.value).startswith("mkdocs en failed (exit 1):")
    assert "no-such-page.md" in str(err.value)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("out")] == ["out"]  # en's folder removed


def test_the_first_failing_stage_stops_the_others(tmp_path):
    code = "import time; time.sleep(120)"
    slow = Child("slow", [sys.executable, "-c", code])
    bad = Child("bad", [sys.executable, "-c", "print('the reason'); raise SystemExit(3)"])
    started = time.monotonic()
    with pytest.raises(BuildError) as err:
        run_all([slow, bad])
    assert time.monotonic() - started < 60
    assert str(err.value) == "bad failed (exit 3):\nthe reason"
    assert slow.proc.returncode is not None  # killed and reaped


# --- the validate+render heap ---------------------------------------------------------------------------

def test_in_child_returns_the_result_and_keeps_none_of_its_memory():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert in_child(lambda n: len(bytearray(n)), 400 * 2**20)[0] == 400 * 2**20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # kB


def test_in_child_raises_what_the_child_raised():
    def fails():
        raise ValueError("in the child")

    with pytest.raises(ValueError, match="in the child"):
        in_child(fails)

    class Unpicklable(Exception):  # a local class: cannot come back through the pipe as itself
        pass

    def fails_oddly():
        raise Unpicklable("odd")

    with pytest.raises(BuildError, match="Unpicklable: odd"):
        in_child(fails_oddly)
