"""`build`: validate, render, run MkDocs and Pagefind; write the site only if everything succeeded."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..build import Options, build
from ..diagnostics import Diagnostic, has_errors
from ..errors import BuildError, UsageError
from ..incremental import check_and_render
from ..log import log
from ..pipeline import check
from ..process import Lock, in_child
from ..publish.owned import check_output, remove_stale
from ..render import render_site_files
from ..render.write import SyncStats
from ..settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from .validate import report

HELP = "build the site into site/ (or --site-dir): validate, render Markdown, MkDocs, Pagefind"


def add_site_dir(parser) -> None:
    parser.add_argument("--site-dir", type=Path, default=PROJECT_ROOT / "site", metavar="PATH",
                        help="where the built site goes (default: site/)")


def add_arguments(parser) -> None:
    add_site_dir(parser)
    parser.add_argument("--docs-dir", type=Path, default=PROJECT_ROOT / "build" / "docs", metavar="PATH",
                        help="where the generated Markdown goes (default: build/docs/, git-ignored)")
    parser.add_argument("--strict", action="store_true", help="fail on any MkDocs warning (broken links and the like)")
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index (faster previews)")


@dataclass(frozen=True)
class Prepared:
    """What the build needs of validate+render: small, unlike the content model it came from."""
    diagnostics: list[Diagnostic]
    summary: str = ""
    rendered: SyncStats | None = None
    site_files: dict[str, str] | None = None  # feeds and filter data, placed beside MkDocs' output


def prepare(content_dir: Path, settings: Settings | None, docs_dir: Path) -> Prepared:
    """Validate and, when valid, render the Markdown and the site files (run in a forked process)."""
    if settings is None:
        return Prepared(check(content_dir).diagnostics)
    # reuses the previous run's work for what did not change (build/cache/)
    checked, rendered = check_and_render(content_dir, settings, docs_dir)
    if has_errors(checked.diagnostics):
        return Prepared(checked.diagnostics)
    content = checked.content
    summary = f"building {len(content.claims)} claims, {len(content.articles)} articles × {len(content.languages)} languages …"
    return Prepared(checked.diagnostics, summary, rendered, render_site_files(content, settings))


def run(args) -> int:
    started = time.perf_counter()
    # Checked before anything is read or written: a refused folder is left exactly as it was.
    site_dir = check_output(args.site_dir, "site", args.content)
    docs_dir = check_output(args.docs_dir, "docs", args.content)
    with Lock(site_dir.with_name(f".{site_dir.name}.lock"), f"the site folder {args.site_dir}"), \
            Lock(docs_dir.with_name(f".{docs_dir.name}.lock"), f"the docs folder {args.docs_dir}"):
        if removed := remove_stale(site_dir):
            log(f"removed {removed} staging folder(s) that a stopped build left beside {args.site_dir}")
        return _build(args, site_dir, docs_dir, started)


def _build(args, site_dir: Path, docs_dir: Path, started: float) -> int:
    log(f"validating {args.content} …")
    try:
        settings, settings_error = load_settings(), None
    except SettingsError as exc:  # reported after the content's own errors, as before
        settings, settings_error = None, exc
    # Forked: the content model (~0.6 GB at 10,000 claims) is gone before MkDocs and Pagefind start.
    prepared, figures = in_child(prepare, args.content, settings, docs_dir)
    if prepared.diagnostics:
        report(prepared.diagnostics, stream=sys.stderr)
    if has_errors(prepared.diagnostics):
        log("build stopped: fix the errors above; nothing was written")
        return 1
    if settings_error is not None:
        raise UsageError(str(settings_error)) from settings_error
    log(prepared.summary)
    log(f"  validate+render: {figures}")
    stats = prepared.rendered
    log(f"  render: {stats.written} written, {stats.unchanged} unchanged, {stats.deleted} deleted")
    try:
        build(settings, Options(site_dir, docs_dir, args.strict, not args.no_search), prepared.site_files)
    except BuildError as exc:
        log(f"error: {exc}\nthe previous site in {args.site_dir} was left as it was")
        return 1
    log(f"built {args.site_dir} in {time.perf_counter() - started:.1f} s")
    return 0
