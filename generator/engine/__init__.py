"""Engine: Markdown → HTML, for the pages whose Markdown changed only.

The pages to build are split into jobs: one language each (MkDocs builds one language per process),
at most `MAX_PAGES` pages each (MkDocs holds every page of a build in memory), as many as the cores
when there is enough work. Each job is MkDocs run on a folder of hard links to the docs folder's
files: the job's pages, the navigation's pages and the static files (engine/mkdocs.py says why that
gives the same HTML as a build of the whole site). The jobs run in parallel, one process per core.
"""
from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..log import log
from ..process import cpu_count, run_pool
from ..settings import Settings
from . import mkdocs

MAX_PAGES = 2500  # per MkDocs process: ~100 MB of pages in memory
MKDOCS_MB, MKDOCS_MB_PER_PAGE = 40, 0.025  # a MkDocs process's peak, measured at 10,000 claims
MIN_PAGES = 200  # below this, another process costs more than it saves


@dataclass(frozen=True)
class Target:
    path: str  # docs page path, "claims/x"
    url: str  # "claims/x/"
    lang: str


@dataclass
class Built:
    pages: dict[str, Path] = field(default_factory=dict)  # site-relative HTML path → the file built
    theme: dict[str, Path] = field(default_factory=dict)  # the theme's files, from one job
    not_found: Path | None = None  # 404.html, from a job of the default language


def plan(targets: list[Target], workers: int) -> list[list[Target]]:
    """Jobs: per language, in page order, in equal parts of at most MAX_PAGES, enough to feed every core."""
    by_lang: dict[str, list[Target]] = {}
    for t in targets:
        by_lang.setdefault(t.lang, []).append(t)
    total = len(targets)
    jobs = []
    for lang_targets in by_lang.values():
        n = len(lang_targets)
        # this language's share of the cores, when the work is worth a process each
        share = max(1, min(round(workers * n / total), n // MIN_PAGES))
        parts = max(share, math.ceil(n / MAX_PAGES))
        size = math.ceil(n / parts)
        jobs.extend(lang_targets[i:i + size] for i in range(0, n, size))
    return jobs


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:  # another filesystem
        shutil.copyfile(src, dst)


def build(settings: Settings, docs_dir: Path, docs: dict[str, str], targets: list[Target], work: Path,
          strict: bool = False, workers: int | None = None, need_theme: bool = False) -> Built:
    """Build `targets` from docs_dir (whose files are `docs`: relative path → digest) in folders under
    `work` (emptied first; on the site's filesystem, so the results can be moved into the site)."""
    workers = workers or cpu_count()
    if not targets and not need_theme:
        return Built()
    if need_theme and not any(t.lang == settings.default for t in targets):  # the theme and 404.html come
        targets = [*targets, Target("index", "", settings.default)]  # from a job of the default language
    shutil.rmtree(work, ignore_errors=True)
    pages = {mkdocs.docs_file(p, lang) for p in mkdocs.nav_pages(settings.mkdocs_yml) for lang in settings.codes}
    static = {rel for rel in docs if not rel.endswith(".md")}
    jobs, built = [], Built()
    planned = plan(targets, workers)
    for n, job in enumerate(planned):
        folder = work / f"job-{n:03d}"
        own = {mkdocs.docs_file(t.path, lang) for t in job for lang in settings.codes}  # i18n links both
        for rel in sorted(pages | static | own):
            if rel in docs:
                _link(docs_dir / rel, folder / "docs" / rel)
        lang = job[0].lang
        cmd, env = mkdocs.command(settings, folder / "docs", folder / "out", lang, strict)
        jobs.append((f"mkdocs {lang} {n + 1} ({len(job):,} pages)", cmd, env))
        for t in job:
            rel = mkdocs.html_file(settings, t.url, t.lang)
            built.pages[rel] = folder / "out" / rel
    log(f"  engine: {len(targets):,} pages in {len(jobs)} MkDocs process(es), {min(workers, len(jobs))} at a time")
    run_pool(jobs, workers, cwd=mkdocs.PROJECT, memory_mb=[MKDOCS_MB + MKDOCS_MB_PER_PAGE * len(job) for job in planned])
    if need_theme:
        first = work / "job-000" / "out"
        built.theme = mkdocs.theme_files(first, {mkdocs.html_file(settings, t.url, t.lang) for t in targets}, static)
        default_job = next(i for i, job in enumerate(planned) if job[0].lang == settings.default)
        built.not_found = work / f"job-{default_job:03d}" / "out" / mkdocs.NOT_FOUND
    return built
