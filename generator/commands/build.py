"""`build`: validate, render, run MkDocs and Pagefind; write the site only if everything succeeded."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..build import BuildError, Options, build, log
from ..diagnostics import has_errors
from ..incremental import check_and_render
from ..pipeline import check
from ..settings import PROJECT_ROOT, SettingsError, load_settings
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


def run(args) -> int:
    from ..cli import UsageError

    started = time.perf_counter()
    log(f"validating {args.content} …")
    try:
        settings, settings_error = load_settings(), None
    except SettingsError as exc:  # reported after the content's own errors, as before
        settings, settings_error = None, exc
    if settings is None:
        checked, rendered = check(args.content), None
    else:  # validate and render, reusing the previous run's work for what did not change (build/cache/)
        checked, rendered = check_and_render(args.content, settings, args.docs_dir.resolve())
    if checked.diagnostics:
        report(checked.diagnostics, stream=sys.stderr)
    if has_errors(checked.diagnostics):
        log("build stopped: fix the errors above; nothing was written")
        return 1
    if settings_error is not None:
        raise UsageError(str(settings_error)) from settings_error
    content = checked.content
    log(f"building {len(content.claims)} claims, {len(content.articles)} articles × {len(content.languages)} languages …")
    try:
        build(content, settings, Options(args.site_dir, args.docs_dir.resolve(), args.strict, not args.no_search),
              rendered)
    except BuildError as exc:
        log(f"error: {exc}\nthe previous site in {args.site_dir} was left as it was")
        return 1
    log(f"built {args.site_dir} in {time.perf_counter() - started:.1f} s")
    return 0
