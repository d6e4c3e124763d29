"""`python -m generator <command>`: argument parsing only; each command lives in commands/.

Exit codes: 0 success (warnings allowed), 1 content errors or a failed build stage, 2 usage or
environment errors, 128 + N when stopped by signal N (130: Ctrl-C).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import FactcheckError, Stopped, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from .commands import COMMANDS

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
    try:
        args = _parser().parse_args(argv)
        if not args.content.is_dir():
            raise UsageError(f"content folder {args.content} does not exist (run from the project root, "
                             "or pass --content)")
        return args.run(args)
    except FactcheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the environment: a full disk, a read-only folder, a missing permission
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Stopped as exc:
        print(f"stopped by signal {exc.signum}", file=sys.stderr)
        return 128 + exc.signum
