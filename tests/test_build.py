"""The build pipeline (issue 3) and "Nothing lost" (issue 5): strict builds, invalid
content stops before writing, byte-identical rendering, stale pages removed,
atomic output at every stage, reproducible trees, content/ never written.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import generator.engine as gengine
import generator.search as gsearch
from conftest import write_tree
from generator.errors import BuildError
from generator.process import Child, run_all
from generator.render import render
from generator.cli import main as cli
from generator.pipeline import check
from generator.settings import load_settings
from site_fixtures import (LANGS, SITE_FILES, build_cmd, env_without, fixture_site, pagefind_urls,  # noqa: F401
                           sample_site, tree_hash)

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
BROKEN_CLAIM = {"claims/broken.yaml": "claim: {ar: نص}\nverdict: nope\n"}


def prefix(lang: str) -> str:
    return "" if lang == "ar" else f"{lang}/"


def leftovers(site: Path) -> list[str]:
    """Work folders a build leaves beside the site: staging, old copies, the engine's and search's."""
    tmp = site.with_name(f".{site.name}.factcheck") / "tmp"
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith((f".{site.name}.new-", f".{site.name}.old-"))
                  ) + ([tmp.name] if tmp.exists() else [])


def build_args(content: Path, site: Path, docs: Path, *extra: str) -> list[str]:
    return ["build", "--content", str(content), "--site-dir", str(site), "--docs-dir", str(docs), "--strict", *extra]


# --- builds pass -------------------------------------------------------------------------------

def test_fixture_tree_builds_with_strict(fixture_site):
    for lang in LANGS:
        for rel in ("index.html", "claims/toll/index.html", "articles/wire/index.html", "feed.xml", "claims.json"):
            assert (fixture_site.path / prefix(lang) / rel).is_file(), (lang, rel)
    assert pagefind_urls(fixture_site.path) >= {"/claims/toll/", "/en/claims/toll/"}


def test_sample_content_builds_with_strict(sample_site):
    claims = sorted(p.stem for p in (sample_site.content / "claims").glob("*.yaml"))
    assert claims
    for cid in claims:
        for lang in LANGS:
            assert (sample_site.path / prefix(lang) / "claims" / cid / "index.html").is_file(), (cid, lang)


# --- invalid content ---------------------------------------------------------------------------

def test_invalid_content_writes_nothing(tmp_path):
    content = write_tree(tmp_path, BROKEN_CLAIM)
    site, docs = tmp_path / "site", tmp_path / "docs"
    proc = build_cmd(content, site, docs, "--strict")
    assert proc.returncode == 1, proc.stderr
    assert "nothing was written" in proc.stderr and "Traceback" not in proc.stderr
    assert not site.exists() and not docs.exists()
    assert leftovers(site) == []


def test_invalid_content_leaves_previous_site_and_docs_untouched(tmp_path):
    content = write_tree(tmp_path, {})
    site, docs = tmp_path / "site", tmp_path / "docs"
    assert build_cmd(content, site, docs, "--strict").returncode == 0
    before = tree_hash(site), tree_hash(docs)
    write_tree(tmp_path, BROKEN_CLAIM)
    proc = build_cmd(content, site, docs, "--strict")
    assert proc.returncode == 1
    assert (tree_hash(site), tree_hash(docs)) == before
    assert leftovers(site) == []


# --- rendering ---------------------------------------------------------------------------------

def test_render_is_byte_identical_and_rerender_writes_nothing(tmp_path):
    content = check(write_tree(tmp_path, SITE_FILES)).content
    settings = load_settings()
    first = render(content, settings, tmp_path / "a").stats
    assert first.written > 20 and first.deleted == 0
    again = render(content, settings, tmp_path / "a").stats
    assert (again.written, again.unchanged, again.deleted) == (0, first.written, 0)
    other = render(check(write_tree(tmp_path, SITE_FILES)).content, settings, tmp_path / "b").stats
    assert other.written == first.written
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")


def test_removed_and_renamed_claims_leave_nothing_behind(tmp_path):
    content = write_tree(tmp_path, SITE_FILES)
    site, docs = tmp_path / "site", tmp_path / "docs"
    assert build_cmd(content, site, docs, "--strict").returncode == 0
    assert "/claims/defeat/" in pagefind_urls(site)

    # rename defeat → defeat-renamed; remove toll-en (and the claim that pointed at it)
    (content / "claims/defeat.yaml").rename(content / "claims/defeat-renamed.yaml")
    (content / "claims/toll-en.yaml").unlink()
    toll = (content / "claims/toll.yaml").read_text(encoding="utf-8")
    (content / "claims/toll.yaml").write_text(toll.replace("related: [toll-en]\n", ""), encoding="utf-8")
    proc = build_cmd(content, site, docs, "--strict")
    assert proc.returncode == 0, proc.stderr

    gone, kept = ("defeat", "toll-en"), ("defeat-renamed", "toll")
    indexed = pagefind_urls(site)
    for lang in LANGS:
        root = site / prefix(lang)
        for cid in gone:
            assert not (root / "claims" / cid).exists()
            assert not list(docs.glob(f"claims/{cid}.*"))
            assert f"/{prefix(lang)}claims/{cid}/" not in indexed
        for cid in kept:
            assert (root / "claims" / cid / "index.html").is_file()
            assert f"/{prefix(lang)}claims/{cid}/" in indexed
        feed = ET.parse(root / "feed.xml").getroot()
        links = sorted(e.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[1]
                       for e in feed.findall(f"{ATOM}entry"))
        assert links == sorted(kept)
        rows = json.loads((root / "claims.json").read_text(encoding="utf-8"))["claims"]
        assert sorted(r[0] for r in rows) == sorted(kept)
        html = "".join(p.read_text(encoding="utf-8") for p in root.glob("**/index.html"))
        assert "claims/defeat/" not in html and "claims/toll-en/" not in html
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "claims/defeat/" not in sitemap and "claims/toll-en/" not in sitemap


# --- atomic output -----------------------------------------------------------------------------

@pytest.fixture
def published(tmp_path, fixture_site):
    """A content tree, and a published site built from it (a copy of the session's build)."""
    site, docs = tmp_path / "site", tmp_path / "docs"
    shutil.copytree(fixture_site.path, site)
    shutil.copytree(fixture_site.docs, docs)
    content = write_tree(tmp_path, {**SITE_FILES, "claims/new.yaml": SITE_FILES["claims/defeat.yaml"]})
    return content, site, docs, tree_hash(site)


def _engine_fails(*args, **kwargs):
    raise BuildError("mkdocs en 1 failed (exit 1):\nERROR - a docs file fails --strict")


def _search_fails(pages, languages, partitions, previous, work, workers=None):
    run_all([Child("pagefind", [sys.executable, "-m", "pagefind", "--site", str(work / "no-such-dir")])])


def _site_files_fail(real):
    # `en` is a folder of the built site: a file there fails like a full or read-only disk would
    # (site_files runs in the forked validate+render process, which inherits the patch).
    return lambda content, settings, pages: {**real(content, settings, pages), "en": b"clash"}


def _card_fails(card):
    raise OSError("cannot open resource")  # as FreeType says of a missing or damaged font file


@pytest.mark.parametrize("stage", ["content", "card", "engine", "site-files", "search"])
def test_a_failed_stage_leaves_the_published_site_intact(stage, published, monkeypatch, tmp_path, capsys):
    import generator.cards.draw as gdraw
    import generator.render.site_files as gsite_files

    content, site, docs, before = published
    if stage == "content":
        write_tree(tmp_path, BROKEN_CLAIM)
    elif stage == "card":  # the new claim's cards are not drawn yet (the forked drawing inherits the patch)
        monkeypatch.setattr(gdraw, "draw", _card_fails)
    elif stage == "engine":
        monkeypatch.setattr(gengine, "build", _engine_fails)
    elif stage == "site-files":
        monkeypatch.setattr(gsite_files, "site_files", _site_files_fail(gsite_files.site_files))
    elif stage == "search":
        monkeypatch.setattr(gsearch, "index", _search_fails)
    code = cli(build_args(content, site, docs))
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert "Traceback" not in err
    if stage != "content":
        assert "left as it was" in err or "error:" in err
    if stage == "card":
        assert re.search(r"the share card (en/)?claims/new/card\.png could not be drawn: OSError: cannot open", err)
    assert tree_hash(site) == before
    assert leftovers(site) == []


def test_a_good_build_after_a_failed_one_replaces_the_site(published):
    content, site, docs, before = published
    assert cli(build_args(content, site, docs)) == 0
    assert (site / "claims/new/index.html").is_file()
    assert tree_hash(site) != before
    assert leftovers(site) == []


# --- reproducible ------------------------------------------------------------------------------

def test_builds_are_reproducible_with_and_without_source_date_epoch(tmp_path, fixture_site):
    content = write_tree(tmp_path, SITE_FILES)
    a = build_cmd(content, tmp_path / "a", tmp_path / "docs-a", "--strict", env=env_without("SOURCE_DATE_EPOCH"))
    assert a.returncode == 0, a.stderr
    b = build_cmd(content, tmp_path / "b", tmp_path / "docs-b", "--strict",
                  env={**os.environ, "SOURCE_DATE_EPOCH": "1000000000"})
    assert b.returncode == 0, b.stderr
    first, second = tree_hash(tmp_path / "a"), tree_hash(tmp_path / "b")
    assert {"sitemap.xml", "feed.xml", "en/feed.xml"} <= first.keys()
    assert any(k.startswith("pagefind/") for k in first)
    assert first == second, sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    # and the same as the session's build, made at another moment from another folder
    assert first == tree_hash(fixture_site.path)


def test_sitemap_dates_come_from_the_content(fixture_site):
    sitemap = (fixture_site.path / "sitemap.xml").read_text(encoding="utf-8")
    claim = sitemap.split("/claims/toll-en/</loc>", 1)[1].split("</lastmod>", 1)[0]
    assert claim.strip().endswith("2024-04-22")  # toll-en's `updated`, not the build date


# --- content/ is read only ---------------------------------------------------------------------

def test_the_build_never_writes_into_content(tmp_path):
    content = write_tree(tmp_path, SITE_FILES)
    before = tree_hash(content)
    mtimes = {p: p.stat().st_mtime_ns for p in content.rglob("*")}
    assert build_cmd(content, tmp_path / "site", tmp_path / "docs", "--strict").returncode == 0
    assert cli(["validate", "--content", str(content)]) == 0
    assert tree_hash(content) == before
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*")} == mtimes


def test_the_swapped_in_site_is_readable_by_others(fixture_site):
    """The staging folder comes from mkdtemp (mode 0700); a web server running as another user must read it."""
    assert fixture_site.path.stat().st_mode & 0o005 == 0o005
