"""Shared fixtures: small content trees built per test, and the CLI run as a user runs it."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ARTICLE_TEXT = (
    "قال البيت الأبيض إن الجانبين اتفقا على هزيمة حماس في رفح.\n"
    "وأعرب المشاركون الأمريكيون عن قلقهم. وأعرب المشاركون الأمريكيون عن قلقهم مرة أخرى.\n"
    "ويقول مسؤولو الصحة إن أكثر من 33,000 شخص قتلوا.\n"
)

MINIMAL = {
    "verdicts.yaml": """\
        accurate:
          label: {ar: صحيح, en: "True"}
          description: {ar: الادعاء صحيح., en: The claim is accurate.}
          rating: 5
          color: "#1b7f3b"
        inaccurate:
          label: {ar: خاطئ, en: "False"}
          description: {ar: الادعاء خاطئ., en: The claim is inaccurate.}
          rating: 1
          color: "#b3261e"
        """,
    "topics.yaml": """\
        death-toll:
          label: {ar: حصيلة القتلى, en: Death toll}
        """,
    "tags.yaml": """\
        rafah:
          label: {ar: رفح, en: Rafah}
        """,
    "articles/report.yaml": """\
        title: {ar: تقرير, en: Report}
        outlet: {ar: وكالة, en: Agency}
        published: 2024-04-18
        language: ar
        url: https://example.com/report
        """,
    "articles/report.txt": ARTICLE_TEXT,
    "claims/toll.yaml": """\
        claim: {ar: قتل أكثر من 33 ألف شخص., en: "More than 33,000 people were killed."}
        claimant: {ar: التقرير, en: The report}
        verdict: accurate
        conclusion: {ar: الرقم صحيح., en: The figure is right.}
        explanation:
          ar: "بحسب [وزارة الصحة](https://example.org/toll)."
          en: "According to [the ministry](https://example.org/toll)."
        excerpts:
          - article: report
            quote: أكثر من 33,000 شخص قتلوا
            translation: {en: "more than 33,000 people were killed"}
        sources:
          - url: https://example.org/toll
            title: Toll
            publisher: Ministry
            date: 2024-04-18
        topic: death-toll
        tags: [rafah]
        published: 2024-04-20
        """,
    "pages/about.ar.md": "# عن الموقع\n",
    "pages/about.en.md": "# About\n",
    "pages/methodology.ar.md": "# المنهجية\n",
    "pages/methodology.en.md": "# Methodology\n",
    "pages/corrections.ar.md": "# سياسة التصحيح\n",
    "pages/corrections.en.md": "# Corrections policy\n",
}


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write MINIMAL overlaid with `files` (None deletes a file) under root/content."""
    content = root / "content"
    merged = {**MINIMAL, **files}
    for rel, body in merged.items():
        if body is None:
            continue
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body) if rel.endswith((".yaml", ".yml")) else body, encoding="utf-8")
    return content


@pytest.fixture
def content_tree(tmp_path):
    """Factory: content_tree({"claims/x.yaml": "...", ...}) -> path of a fresh content folder."""
    return lambda files=None: write_tree(tmp_path, files or {})


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8")


def validate_json(content: Path, *args: str, cwd: Path = ROOT) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """`validate --format json` as a user runs it (from the project `cwd`: its mkdocs.yml): the process and its
    diagnostics; never a traceback."""
    import json

    proc = run_cli("validate", "--content", content, "--format", "json", *args, cwd=cwd)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else [])


def git(folder: Path, *args: str) -> str:
    """git in `folder`, as an editor of its own (no user configuration needed)."""
    proc = subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "-c",
                           "init.defaultBranch=main", *args], cwd=folder, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def committed(content: Path) -> Path:
    """The content folder made a git repository of its own, its files committed: the published version."""
    git(content, "init", "-q")
    git(content, "add", "-A")
    git(content, "commit", "-q", "-m", "published")
    return content


def project_copy(root: Path, mkdocs: tuple[tuple[str, str], ...] = ()) -> Path:
    """A project-like folder: the generator, templates, configuration (each `(old, new)` of `mkdocs` replaced in
    it), content and a .git of its own. Commands run from it read its mkdocs.yml."""
    import shutil

    project = root / "project"
    for name in ("generator", "templates", "content"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for old, new in mkdocs:
        assert old in text, old
        text = text.replace(old, new, 1)
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return project


def same_file(reported: str, expected: Path, cwd: Path = ROOT) -> bool:
    """A diagnostic's path (relative to the folder the command ran in) names `expected`; the last link is not
    followed."""
    import os

    path = Path(os.path.abspath(cwd / reported))
    return path.name == expected.name and os.path.realpath(path.parent) == os.path.realpath(expected.parent)


def docs_files(folder: Path) -> dict[str, bytes]:
    """Every generated docs file's bytes (the manifest aside: it records times)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file() and p.name != ".manifest.json"} if folder.exists() else {}


def assert_incremental_equals_cold(content: Path, settings, work: Path, label: str):
    """A run with the validate cache (pipeline.check with a cache file, in `work`) and a render into a kept docs
    folder give the diagnostics and the docs that a cold check and a fresh render give; returns the kept
    render's statistics (None when the content has errors)."""
    import shutil

    from generator.pipeline import check
    from generator.render import render

    cached = check(content, work / "cache.sqlite")
    full = check(content)
    assert cached.diagnostics == full.diagnostics, label
    assert [d.notes for d in cached.diagnostics] == [d.notes for d in full.diagnostics], label
    assert (cached.content is None) == (full.content is None), label
    if full.content is None:
        return None
    stats = render(cached.content, settings, work / "docs", cached.identities).stats
    shutil.rmtree(work / "full", ignore_errors=True)
    render(full.content, settings, work / "full")
    assert docs_files(work / "docs") == docs_files(work / "full"), label
    return stats
