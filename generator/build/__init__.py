"""Build: validated content → generated Markdown → MkDocs → feeds and Pagefind → site/, atomically.

The site is built in a temporary folder beside the target and swapped in
only when every stage succeeded, so a failed build leaves the published
`site/` exactly as it was.

MkDocs runs once per language, the processes in parallel (MkDocs uses one
core; mkdocs-static-i18n would build the languages one after the other in one
process). Each builds into its own folder (MkDocs empties its output folder
first); the other languages' outputs are then merged into the default
language's, giving the same files as the sequential build (tests/test_parallel_build.py).
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..model import LANGUAGES, Content
from ..render import iter_docs
from ..render.write import SyncStats, sync
from ..errors import BuildError
from ..log import log
from ..process import Child, run_all
from ..publish.owned import mark, new_staging, swap_in
from ..settings import PROJECT_ROOT, Settings
from .mkdocs_hooks import LOCALE_VARIABLE


@dataclass(frozen=True)
class Options:
    site_dir: Path
    docs_dir: Path = PROJECT_ROOT / "build" / "docs"
    strict: bool = False
    search: bool = True  # run Pagefind


def render(content: Content, settings: Settings, docs_dir: Path) -> SyncStats:
    return sync(docs_dir, iter_docs(content, settings))


# --- MkDocs ---------------------------------------------------------------------------------------------

def _mkdocs_cmd(settings: Settings, out: Path, strict: bool) -> list[str]:
    # No --quiet: it raises MkDocs' log level above WARNING, so --strict never sees a warning to fail on
    # (MkDocs 1.6). The output goes to a file and is shown only when the stage fails.
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(settings.mkdocs_yml), "-d", str(out)]
    return cmd + ["--strict"] if strict else cmd


def mkdocs_build(settings: Settings, docs_dir: Path, out: Path, strict: bool, parallel: bool = True) -> None:
    """Build every language into `out`: one MkDocs process per language, in parallel, merged;
    `parallel=False`: one `mkdocs build`, as mkdocs.yml alone does it (the i18n plugin's sequential build)."""
    env = dict(os.environ, FACTCHECK_DOCS_DIR=str(docs_dir))
    env.pop(LOCALE_VARIABLE, None)
    if not parallel:
        run_all([Child("mkdocs", _mkdocs_cmd(settings, out, strict), env, PROJECT_ROOT)])
        return
    default, others = LANGUAGES[0], LANGUAGES[1:]
    outs = {lang: out.with_name(f"{out.name}-{lang}") for lang in others}
    try:
        run_all([Child(f"mkdocs {lang}", _mkdocs_cmd(settings, outs.get(lang, out), strict),
                        dict(env, **{LOCALE_VARIABLE: lang}), PROJECT_ROOT)
                  for lang in LANGUAGES])
        started = time.perf_counter()
        merge_language_builds(out, [outs[lang] for lang in others])
        log(f"  merge: {time.perf_counter() - started:.1f} s")
    finally:
        for folder in outs.values():
            shutil.rmtree(folder, ignore_errors=True)


SITEMAP = "sitemap.xml"


def merge_language_builds(root: Path, others: list[Path]) -> None:
    """Merge the other languages' builds into the default language's, in build order, leaving what the
    sequential build leaves: each later build writes its files over the earlier ones' (its language
    folder, the theme's assets, which are the same), except
    - 404.html: the default language's stays (mkdocs_hooks.on_post_template does the same in one process);
    - sitemap.xml: one build lists the pages of the languages it built so far, so the sequential
      build's last sitemap lists all; here each lists its own, joined in build order. Its .gz is
      written as MkDocs writes it, dated like the last build's (the date of its latest page)."""
    sitemaps = [(root / SITEMAP).read_text(encoding="utf-8")]
    gz_mtime = None
    for other in others:
        if (other / SITEMAP).is_file():
            sitemaps.append((other / SITEMAP).read_text(encoding="utf-8"))
            gz_mtime = struct.unpack("<I", (other / f"{SITEMAP}.gz").read_bytes()[4:8])[0]
        for name in ("404.html", SITEMAP, f"{SITEMAP}.gz"):
            (other / name).unlink(missing_ok=True)
        _move_tree(other, root)
    if gz_mtime is None:
        return
    text = join_sitemaps(sitemaps)
    (root / SITEMAP).write_text(text, encoding="utf-8")
    gz_path = root / f"{SITEMAP}.gz"
    with open(gz_path, "wb") as f, gzip.GzipFile(fileobj=f, filename=str(gz_path), mode="wb", mtime=gz_mtime) as gz:
        gz.write(text.encode("utf-8"))


def join_sitemaps(sitemaps: list[str]) -> str:
    """The <url> entries of every sitemap, in order, in the first one's <urlset> (the i18n plugin's
    template: each entry starts on a new line, `</urlset>` ends the file on a line of its own)."""
    close = "\n</urlset>"
    parts = []
    for i, text in enumerate(sitemaps):
        body_start = text.index(">", text.index("<urlset")) + 1 if i else 0
        body_end = text.rindex(close)
        parts.append(text[body_start:body_end])
    return "".join(parts) + close


def _move_tree(src: Path, dst: Path) -> None:
    """Move src's files into dst, replacing files of the same path; a folder dst lacks moves in one rename."""
    for entry in os.scandir(src):
        target = dst / entry.name
        if entry.is_dir(follow_symlinks=False) and target.is_dir():
            _move_tree(Path(entry.path), target)
        else:
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(entry.path, target)


# --- Pagefind, the swap, the whole build ----------------------------------------------------------------

PAGEFIND = "pagefind"


def pagefind(out: Path) -> None:
    """The search bundle of every page in out/pagefind/, built one language at a time.

    Pagefind's peak memory grows with the pages it holds (at 10,000 claims, one run over the whole
    site peaks at ~2.9 GB, one language at ~2.1 GB) and it indexes each language on its own anyway:
    a language's files are the same whether it is indexed alone or with the others; only
    pagefind-entry.json, which lists the languages, is joined (tests/test_parallel_build.py)."""
    default, others = LANGUAGES[0], [lang for lang in LANGUAGES[1:] if (out / lang).is_dir()]
    # The default language is everything outside the other languages' folders: its pages, 404.html.
    rest = sorted(f"{e.name}/**/*.html" if e.is_dir() else e.name for e in os.scandir(out)
                  if e.name not in others and e.name != PAGEFIND and (e.is_dir() or e.name.endswith(".html")))
    runs = [(default, "{" + ",".join(rest) + "}", PAGEFIND)]
    runs += [(lang, f"{lang}/**/*.html", f".{PAGEFIND}-{lang}") for lang in others]
    entries = []
    try:
        for lang, glob, subdir in runs:
            run_all([Child(f"pagefind {lang}", [sys.executable, "-m", "pagefind", "--site", str(out), "--glob", glob,
                                                "--output-subdir", subdir, "--silent"], None, PROJECT_ROOT)])
            entry = out / subdir / "pagefind-entry.json"
            entries.append(json.loads(entry.read_text(encoding="utf-8")))
            entry.unlink()
            if subdir != PAGEFIND:
                _move_tree(out / subdir, out / PAGEFIND)  # the other files are the language's, or the same in each
    finally:
        for _, _, subdir in runs[1:]:
            shutil.rmtree(out / subdir, ignore_errors=True)
    # In language order; Pagefind's own order (one run, several languages) is its hash map's, which changes.
    joined = dict(entries[0], languages=dict(sorted(
        (code, value) for entry in entries for code, value in entry.get("languages", {}).items())))
    (out / PAGEFIND / "pagefind-entry.json").write_text(
        json.dumps(joined, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def build(settings: Settings, options: Options, site_files: Mapping[str, str]) -> None:
    """Build options.docs_dir (rendered already) into options.site_dir (checked by publish.owned.check_output),
    with site_files (feeds, filter data: render.render_site_files) beside MkDocs' output."""
    site_dir = options.site_dir
    staging = new_staging(site_dir)
    try:
        mkdocs_build(settings, options.docs_dir, staging, options.strict)
        try:
            for rel, body in site_files.items():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                (staging / rel).write_text(body, encoding="utf-8")
        except OSError as exc:  # disk full, permissions: a failed stage, not a traceback
            raise BuildError(f"writing feeds failed: {exc}") from exc
        if options.search:
            pagefind(staging)
        mark(staging, "site")
        swap_in(staging, site_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
