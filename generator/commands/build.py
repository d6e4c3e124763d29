"""`build`: validate, render, build HTML and the search index; publish the site only if all succeeded."""
from __future__ import annotations

from pathlib import Path

from ..pipeline import BuildOptions, build, work_dir
from ..publish.owned import check_output
from ..settings import PROJECT_ROOT

HELP = "build the site into site/ (or --site-dir): validate, render Markdown, MkDocs, Pagefind"


def add_arguments(parser) -> None:
    parser.add_argument("--site-dir", type=Path, default=PROJECT_ROOT / "site", metavar="PATH",
                        help="where the built site goes (default: site/)")
    parser.add_argument("--docs-dir", type=Path, default=None, metavar="PATH",
                        help="where the generated Markdown goes (default: a folder of the content's own "
                             "under build/, git-ignored)")
    parser.add_argument("--strict", action="store_true", help="fail on any MkDocs warning")
    parser.add_argument("--no-search", action="store_true", help="no search index (faster previews)")
    parser.add_argument("--no-cache", action="store_true",
                        help="build every page again (the same bytes as an incremental build): for a site "
                             "folder someone edited by hand")


def run(args) -> int:
    # Checked before anything is read or written: a refused folder is left exactly as it was.
    site_dir = check_output(args.site_dir, "site", args.content)
    docs_dir = check_output(args.docs_dir or work_dir(args.content) / "docs", "docs", args.content)
    return build(BuildOptions(args.content, site_dir, docs_dir, args.strict, not args.no_search, args.no_cache))
