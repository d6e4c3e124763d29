"""`python -m generator <command>`: argument parsing only; each command lives in commands/.

Exit codes: 0 success (warnings allowed), 1 content errors, 2 usage or environment errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .commands import COMMANDS

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with the command line or the environment (exit 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator",
                                     description="Validate, render and build the bilingual fact-check site.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        cmd.add_argument("--content", type=Path, default=Path("content"), metavar="PATH",
                         help="content folder to read (default: content/)")
        module.add_arguments(cmd)
        cmd.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.content.is_dir():
        print(f"error: content folder {args.content} does not exist (run from the project root, or pass --content)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
