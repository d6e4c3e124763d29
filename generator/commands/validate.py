"""`validate`: check all content and print every problem found."""
from __future__ import annotations

import sys

from ..diagnostics import FORMATTERS, has_errors
from ..pipeline import check

HELP = "check the content (schema, references, quotes) and report every problem"


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="text",
                        help="text (default), json (a list of objects) or github (Actions annotations)")


def report(diagnostics, fmt: str = "text", stream=None) -> None:
    stream = stream or sys.stdout
    if fmt == "text":
        if diagnostics:
            print(FORMATTERS["text"](diagnostics, color=stream.isatty()), file=stream)
    else:
        print(FORMATTERS[fmt](diagnostics), file=stream)


def run(args) -> int:
    checked = check(args.content)
    report(checked.diagnostics, args.format)
    if args.format == "text" and not checked.diagnostics:
        print(f"{args.content}: all content is valid")
    return 1 if has_errors(checked.diagnostics) else 0
