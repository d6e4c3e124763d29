"""`build`: validate, render, build HTML and the search index; publish the site only if all succeeded."""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
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
    parser.add_argument("--drafts", action="store_true",
                        help="an internal preview: include drafts and claims in review, bannered; every page "
                             "noindex. Never publish it")
    parser.add_argument("--no-cache", action="store_true",
                        help="build every page again (the same bytes as an incremental build): for a site "
                             "folder someone edited by hand")
    split = parser.add_mutually_exclusive_group()
    split.add_argument("--shard", type=_shard, metavar="I/N",
                       help="build only part I of N of the pages' HTML into --site-dir (a shard folder), "
                            "for a build spread over N machines; then --merge the N folders")
    split.add_argument("--merge", type=Path, nargs="+", metavar="DIR",
                       help="make the site in --site-dir from the folders of shards 1 to N, then index and publish it")


def _shard(value: str) -> tuple[int, int]:
    import argparse

    try:
        i, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: write the part and the number of parts, as in 2/4") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"{value!r}: the part must be between 1 and {max(n, 1)}")
    return i, n


def run(args) -> int:
    # Checked before anything is read or written: a refused folder is left exactly as it was.
    site_dir = check_output(args.site_dir, "shard" if args.shard else "site", args.content)
    docs_dir = check_output(args.docs_dir or work_dir(args.content) / "docs", "docs", args.content)
    for folder in args.merge or ():
        if not folder.is_dir():
            raise UsageError(f"--merge {folder}: no such folder")
    return build(BuildOptions(args.content, site_dir, docs_dir, args.strict, not args.no_search, args.no_cache,
                              args.shard, tuple(f.resolve() for f in args.merge or ()), args.drafts))
