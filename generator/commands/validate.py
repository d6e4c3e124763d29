"""`validate`: check all content and print every problem found."""
from __future__ import annotations

import sys

from ..diagnostics import FORMATTERS, has_errors
from ..errors import ConfigError
from ..pipeline import check
from ..settings import load_settings

HELP = "check the content (schema, references, quotes) and report every problem"


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="text",
                        help="text (default), json (a list of objects) or github (Actions annotations)")
    parser.add_argument("--against", metavar="REF",
                        help="a git branch, tag or commit holding the claims as last published: a published claim "
                             "whose verdict, claim or conclusion changed since must record a correction")
    parser.add_argument("--public", action="store_true",
                        help="also refuse a mkdocs.yml whose addresses are still the example domain's (the Pages "
                             "workflow runs this before it publishes)")


def report(diagnostics, fmt: str = "text", stream=None) -> None:
    stream = stream or sys.stdout
    if fmt == "text":
        if diagnostics:
            print(FORMATTERS["text"](diagnostics, color=stream.isatty()), file=stream)
    else:
        print(FORMATTERS[fmt](diagnostics), file=stream)


def run(args) -> int:
    from ..validate.history import History

    settings = load_settings()
    if args.public and (problems := settings.example_addresses()):
        raise ConfigError("the site cannot be published while mkdocs.yml points at the example domain:\n  "
                          + "\n  ".join(problems))
    history = History.at(args.content, args.against) if args.against else None
    checked = check(args.content, settings=settings, history=history)
    report(checked.diagnostics, args.format)
    if args.format == "text" and not checked.diagnostics:
        print(f"{args.content}: all content is valid")
    if history is None:  # said once, not per claim; not a diagnostic: the content is not at fault
        print("note: corrections were not checked against the published claims (`--against REF` checks them; "
              "the pull-request workflow does)", file=sys.stderr)
    return 1 if has_errors(checked.diagnostics) else 0
