"""The engine and the processes around it (issue 11): MkDocs run on parts of the docs folder gives the
pages a plain `mkdocs build` of the whole folder gives; a build spread over shards (processes here, CI
machines in real use) gives the site a build in one go gives; two builds at once never mix; a failing
MkDocs process fails the build and stops the others; validate+render's memory is returned."""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, write_tree
from generator import engine
from generator.engine import mkdocs
from generator.errors import BuildError
from generator.process import Child, in_child, run_all
from generator.settings import load_settings
from site_fixtures import SITE_FILES, build_cmd, fixture_site, tree_hash  # noqa: F401

pytestmark = pytest.mark.slow


def _differences(a: dict, b: dict) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _docs(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): "" for p in folder.rglob("*") if p.is_file() and p.name[0] != "."}


def test_parts_of_the_docs_folder_build_the_pages_the_whole_folder_builds(tmp_path, monkeypatch):
    """Every page built in jobs of 7 pages (links to part of the docs folder each) is the page plain
    `mkdocs build` writes from the whole folder in one process; the theme's files and 404.html too."""
    from benchmarks.corpus import generate

    generate(tmp_path / "content", 30, seed=6)
    proc = build_cmd(tmp_path / "content", tmp_path / "site", tmp_path / "docs", "--no-search")
    assert proc.returncode == 0, proc.stderr
    settings, docs = load_settings(), tmp_path / "docs"
    whole = tmp_path / "whole"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(settings.mkdocs_yml), "-d", str(whole)],
                   cwd=ROOT, check=True, env=dict(os.environ, **{mkdocs.DOCS_VARIABLE: str(docs)}))
    files = _docs(docs)
    targets = []
    for md in sorted(files):
        if md.endswith(".md"):
            path, lang = md[:-3].rsplit(".", 1)
            url = path[: -len("index")] if path.endswith("index") else path + "/"
            targets.append(engine.Target(path, url.lstrip("/"), lang))
    monkeypatch.setattr(engine, "MAX_PAGES", 7)
    built = engine.build(settings, docs, files, targets, tmp_path / "jobs", need_theme=True)
    assert len(built.pages) == len(targets) and len(list((tmp_path / "jobs").iterdir())) >= len(targets) // 7
    expected = tree_hash(whole)
    got = {rel: tree_hash(path.parent)[path.name] for rel, path in built.pages.items()}
    assert _differences({rel: expected[rel] for rel in got}, got) == []
    theme = {rel: tree_hash(path.parent)[path.name] for rel, path in built.theme.items()}
    assert theme and _differences({rel: expected[rel] for rel in theme}, theme) == []
    assert (whole / "404.html").read_bytes() == built.not_found.read_bytes()


def test_a_build_in_shards_equals_a_build_in_one_go(tmp_path):
    """`build --shard I/3` in three processes at once, then `build --merge`: the site a plain build gives."""
    from benchmarks.corpus import generate

    content = tmp_path / "content"
    generate(content, 30, seed=8)
    env = dict(os.environ, FACTCHECK_CACHE_DIR=str(tmp_path / "work"))
    shards = [subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--shard",
                                f"{i}/3", "--site-dir", str(tmp_path / f"shard-{i}"), "--docs-dir",
                                str(tmp_path / f"docs-{i}")], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
              for i in (1, 2, 3)]
    for proc in shards:
        assert proc.wait(timeout=600) == 0, proc.stderr.read()
    sizes = [len(list((tmp_path / f"shard-{i}").rglob("index.html"))) for i in (1, 2, 3)]
    assert min(sizes) > 0.8 * max(sizes), sizes  # an even split
    merge = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--merge",
                            *(str(tmp_path / f"shard-{i}") for i in (1, 2, 3)), "--site-dir", str(tmp_path / "site")],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert merge.returncode == 0, merge.stderr
    assert not re.search(r"^\s*mkdocs |MkDocs process", merge.stderr, re.M)  # the merge builds no page itself
    one = build_cmd(content, tmp_path / "one", tmp_path / "docs-one")
    assert one.returncode == 0, one.stderr
    assert _differences(tree_hash(tmp_path / "site"), tree_hash(tmp_path / "one")) == []
    # a missing shard is an error that names it; nothing is published
    missing = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--merge",
                              str(tmp_path / "shard-1"), str(tmp_path / "shard-3"), "--site-dir",
                              str(tmp_path / "partial")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr, missing.stderr
    assert "shards 1 to 3" in missing.stderr and not (tmp_path / "partial").exists()


def test_two_builds_at_once_never_mix(tmp_path):
    """Two content folders built at the same time, each with its default generated folders, and two builds
    of one output started together (the second waits): each site is its own content's cold build."""
    a = write_tree(tmp_path / "a", SITE_FILES)
    toll = SITE_FILES["claims/toll.yaml"]
    assert "The figure is right." in toll
    b = write_tree(tmp_path / "b", {**SITE_FILES, "claims/toll.yaml": toll.replace("The figure is right.", "Other.")})
    env = dict(os.environ, FACTCHECK_CACHE_DIR=str(tmp_path / "work"))

    def start(content: Path, site: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir",
                                 str(site)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)

    runs = [start(a, tmp_path / "site-a"), start(b, tmp_path / "site-b"), start(a, tmp_path / "site-a2"),
            start(a, tmp_path / "site-a2")]
    errors = [run.communicate(timeout=600)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], errors
    assert any("waiting:" in err for err in errors[2:]), errors[2:]  # one of the two waited for the other
    for content, site in ((a, "site-a"), (b, "site-b"), (a, "site-a2")):
        cold = build_cmd(content, tmp_path / f"cold-{site}", tmp_path / f"cold-docs-{site}")
        assert cold.returncode == 0, cold.stderr
        assert _differences(tree_hash(tmp_path / site), tree_hash(tmp_path / f"cold-{site}")) == [], site
    assert tree_hash(tmp_path / "site-a") != tree_hash(tmp_path / "site-b")


def test_a_failing_mkdocs_process_fails_the_build_and_leaves_the_site(tmp_path):
    """A theme override that fails for English pages fails the English MkDocs process: the build says which
    and why, the other process is stopped, and the published site stays as it was."""
    from conftest import project_copy
    from test_outputs import run

    project = project_copy(tmp_path)
    site = tmp_path / "site"
    assert run("build", "--site-dir", site, cwd=project).returncode == 0
    before = tree_hash(site)
    main = project / "templates" / "overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8").replace(
        "{% block extrahead %}", "{% block extrahead %}{% if config.theme.language == 'en' %}{{ no_such_thing() }}"
        "{% endif %}"), encoding="utf-8")
    proc = run("build", "--site-dir", site, cwd=project)
    assert proc.returncode == 1 and "Traceback (most recent call last):\n  File \"<frozen runpy>" not in proc.stderr
    assert "mkdocs en" in proc.stderr and "no_such_thing" in proc.stderr and "left as it was" in proc.stderr
    assert tree_hash(site) == before


def test_the_first_failing_stage_stops_the_others():
    slow = Child("slow", [sys.executable, "-c", "import time; time.sleep(120)"])
    bad = Child("bad", [sys.executable, "-c", "print('the reason'); raise SystemExit(3)"])
    started = time.monotonic()
    with pytest.raises(BuildError) as err:
        run_all([slow, bad])
    assert time.monotonic() - started < 60
    assert str(err.value) == "bad failed (exit 3):\nthe reason"
    assert slow.proc.returncode is not None  # stopped and reaped


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
