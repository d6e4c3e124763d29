"""Work proportional to the change (issue 11). For each kind of change, on a generated corpus:
- the incremental build gives the site a cold build of the same inputs gives, byte for byte (search
  index, sitemap and feeds included);
- only the pages whose Markdown changed went through MkDocs: what the build reports, and what the site
  shows independently (a page carried over is the same file, a hard link to the one before: same inode);
- an edit that keeps the file's size and time is seen (decisions rest on bytes, not on size and mtime).
Builds run from a copy of the project, so that a change to a template or to mkdocs.yml is a change like
any other.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import project_copy

pytestmark = pytest.mark.slow


def _run(project: Path, work: Path, content: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir",
                           str(site), *extra], cwd=project, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, FACTCHECK_CACHE_DIR=str(work)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return proc


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*.html")}


def _markdown(work: Path) -> dict[str, str]:
    """The docs folder's manifest: each Markdown file's digest."""
    (manifest,) = work.glob("*/docs/.manifest.json")
    return json.loads(manifest.read_text(encoding="utf-8"))["files"]


def _html_of(md: str) -> str:
    """claims/x.en.md → en/claims/x/index.html (the default language, ar, at the root)."""
    path, lang = md[: -len(".md")].rsplit(".", 1)
    root = "" if lang == "ar" else f"{lang}/"
    if path == "index":
        return f"{root}index.html"
    return f"{root}{path[: -len('index')] if path.endswith('/index') else path + '/'}index.html"


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert n == 1, (path, pattern)
    path.write_text(new, encoding="utf-8")


def _unreferenced_claim(content: Path) -> Path:
    """A claim no other claim names in `related`: deleting or renaming it keeps the content valid."""
    named = set()
    for path in (content / "claims").glob("*.yaml"):
        if m := re.search(r"^related: \[(.*)\]$", path.read_text(encoding="utf-8"), re.M):
            named.update(x.strip() for x in m.group(1).split(","))
    return next(p for p in sorted((content / "claims").glob("*.yaml")) if p.stem not in named)


def _keep_size_and_time(path: Path, change) -> None:
    before = path.stat()
    change(path)
    after = path.stat()
    assert after.st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def _draft(content: Path) -> None:
    """A published claim taken back to draft: it leaves the public site as a deleted one would."""
    path = _unreferenced_claim(content)
    path.write_text("status: draft\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _person(content: Path) -> None:
    """Two people added to the desk, named as a claim's author and reviewer: new pages, the claim's page, and the
    pages of the two people it leaves."""
    with (content / "people.yaml").open("a", encoding="utf-8") as f:
        f.write("nadia:\n  name: {ar: نادية, en: Nadia}\n  role: {ar: محررة, en: Editor}\n"
                "omar:\n  name: {ar: عمر, en: Omar}\n  role: {ar: مدقق, en: Checker}\n")
    _edit(content / "claims/claim-00006.yaml", r"^author: .*\nreviewer: .*\n", "author: nadia\nreviewer: omar\n")


def _swap_letters(path: Path) -> None:
    # the English conclusion's first "e" becomes "a": same length in bytes
    _edit(path, r'(^conclusion:\n  ar: .*\n  en: "[^e"]*)e', r"\1a")


CHANGES = {
    "claim-text": lambda p, c: _edit(c / "claims/claim-00003.yaml", r'(^conclusion:\n  ar: .*\n  en: ")', r"\1Revised: "),
    "claim-added": lambda p, c: shutil.copy(c / "claims/claim-00004.yaml", c / "claims/claim-99999.yaml"),
    "claim-deleted": lambda p, c: _unreferenced_claim(c).unlink(),
    "claim-renamed": lambda p, c: _unreferenced_claim(c).rename(c / "claims/claim-renamed.yaml"),
    "article-text": lambda p, c: (c / "articles/article-00002.txt").write_text(
        (c / "articles/article-00002.txt").read_text(encoding="utf-8") + "\nفقرة أضيفت في آخر التقرير.\n",
        encoding="utf-8"),
    "article-metadata": lambda p, c: _edit(c / "articles/article-00002.yaml", r'^(title:\n  ar: "?)', r"\1عنوان "),
    "verdict-label": lambda p, c: _edit(c / "verdicts.yaml", r"^(  label:\n    ar: .*\n    en: )", r"\1Rated "),
    "topic-label": lambda p, c: _edit(c / "topics.yaml", r'^(  label:\n    ar: .*\n    en: "?)', r"\1Topic: "),
    "tag-label": lambda p, c: _edit(c / "tags.yaml", r'^(  label:\n    ar: .*\n    en: "?)', r"\1Tag: "),
    "template": lambda p, c: _edit(p / "templates/claim.md.j2", r'<p class="fc-kicker">', '<p class="fc-kicker fc-x">'),
    "mkdocs-yml": lambda p, c: _edit(p / "mkdocs.yml", r"^(site_description: )", r"\1— "),
    "same-size-and-time": lambda p, c: _keep_size_and_time(c / "claims/claim-00005.yaml", _swap_letters),
    "claim-drafted": lambda p, c: _draft(c),
    "person-added": lambda p, c: _person(c),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_incremental_build_equals_a_cold_build_and_builds_only_what_changed(tmp_path, change):
    from benchmarks.corpus import generate

    project = project_copy(tmp_path)
    content = project / "content"
    shutil.rmtree(content)
    generate(content, 40, seed=11)
    site, work = tmp_path / "site", tmp_path / "work"
    _run(project, work, content, site)
    before_md, before_files, before_inodes = _markdown(work), _files(site), _inodes(site)

    CHANGES[change](project, content)
    _run(project, work, content, site)
    report = json.loads((tmp_path / ".site.factcheck" / "report.json").read_text(encoding="utf-8"))
    after_md, after_files = _markdown(work), _files(site)

    # 1. The same bytes as a cold build (new site folder, new work folder: nothing carried over).
    _run(project, tmp_path / "cold-work", content, tmp_path / "cold")
    cold = _files(tmp_path / "cold")
    assert after_files.keys() == cold.keys(), sorted(after_files.keys() ^ cold.keys())[:10]
    assert [rel for rel in cold if after_files[rel] != cold[rel]] == []
    assert after_files != before_files, "the change changed nothing on the site"

    # 2. Only pages whose Markdown changed went through MkDocs (all of them when mkdocs.yml changed) …
    built = set(report["built"])
    pages = {rel for rel in after_files if rel.endswith("index.html") and rel != "404.html"}
    if change == "mkdocs-yml":
        assert built == pages
    else:
        changed_md = {_html_of(md) for md, digest in after_md.items()
                      if md.endswith(".md") and before_md.get(md) != digest}
        assert built == changed_md
        assert 0 < len(built) < len(pages) / 2, f"{len(built)} of {len(pages)} pages built"
    # … and every other page is the very file published before (a hard link: the same inode).
    after_inodes = _inodes(site)
    rewritten = {rel for rel, ino in after_inodes.items() if before_inodes.get(rel) != ino and rel in pages}
    assert rewritten == built & pages


def test_nothing_changed_is_nothing_to_do(tmp_path):
    from benchmarks.corpus import generate

    content = tmp_path / "content"
    generate(content, 20, seed=3)
    site, work = tmp_path / "site", tmp_path / "work"
    _run(Path(__file__).resolve().parent.parent, work, content, site)
    inodes = _inodes(site)
    proc = _run(Path(__file__).resolve().parent.parent, work, content, site)
    assert "is up to date" in proc.stderr and "validating" not in proc.stderr
    assert _inodes(site) == inodes


@pytest.mark.parametrize("edit", ["free-text", "verdict", "new-claim", "status", "author"])
def test_the_previews_shortcut_gives_the_keys_a_full_pass_gives(tmp_path, edit):
    """The preview's render pass reuses the previous page list when claims changed in free text only
    (render/__init__.py): its keys and stale pages are those of a pass computed from scratch."""
    from benchmarks.corpus import generate
    from generator.pipeline import check_with
    from generator.render import RenderPass, render
    from generator.settings import load_settings

    content, settings = tmp_path / "content", load_settings()
    generate(content, 40, seed=12)
    first, units = check_with(content, {})  # as the preview: unchanged files keep their model objects
    with (content / "people.yaml").open("a", encoding="utf-8") as f:
        f.write("nadia:\n  name: {ar: نادية, en: Nadia}\n  role: {ar: محررة, en: Editor}\n")
    first, units = check_with(content, units)
    # drafts=True, as the preview renders: a status change keeps the claim's page but moves it in listings
    render(first.content, settings, tmp_path / "docs", first.identities, drafts=True)
    previous = RenderPass(first.content, settings, tmp_path / "docs", first.identities, drafts=True)
    claim = content / "claims/claim-00006.yaml"
    if edit == "free-text":
        _edit(claim, r'(^conclusion:\n  ar: ")', r"\1مراجعة ")
    elif edit == "verdict":
        _edit(claim, r"^verdict: (\S+)", "verdict: unproven")
    elif edit == "status":  # the page gets its banner; listings are selected by it
        claim = _unreferenced_claim(content)  # a published claim may not link to one in review
        claim.write_text("status: review\n" + claim.read_text(encoding="utf-8"), encoding="utf-8")
    elif edit == "author":  # the claim moves onto a person's page
        _edit(claim, r"^author: .*\n", "author: nadia\n")
    else:
        shutil.copy(claim, content / "claims/claim-77777.yaml")
    second, _ = check_with(content, units)
    reused = RenderPass(second.content, settings, tmp_path / "docs", second.identities, previous=previous,
                        drafts=True)
    fresh = RenderPass(second.content, settings, tmp_path / "docs", second.identities, drafts=True)
    assert reused.all_keys == fresh.all_keys
    assert sorted(reused.stale) == sorted(fresh.stale) and reused.stale
    assert [p.path for p in reused.pages] == [p.path for p in fresh.pages]
    shared = sum(a is b for a, b in zip(reused.pages, previous.pages))  # pages taken over as they were
    assert (shared > len(reused.pages) / 2) if edit == "free-text" else shared == 0
