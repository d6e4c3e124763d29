"""`fmt`: rewrite every content YAML file in the one canonical style, keeping comments.

See generator/edit/style.py for the style. Files with YAML errors are
reported as `validate` reports them and left alone; a file is rewritten only
when its data and comments survive unchanged, atomically.
"""
from __future__ import annotations

import difflib
import sys

from ..diagnostics import Diagnostic, Severity
from ..edit.files import content_yaml_files, write_atomic
from ..edit.progress import Progress
from ..edit.style import Unsafe, canonical
from ..load import limits
from ..load.tree import display_path
from ..load.yaml_source import read_text
from .validate import report

HELP = "rewrite content YAML in the canonical style and key order, keeping comments (--check: only report)"


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the files that would change and exit 1 if there are any")
    parser.add_argument("--diff", action="store_true", help="with --check: also print what would change")


def run(args) -> int:
    files = content_yaml_files(args.content)
    problems: list[Diagnostic] = []
    changed: list[str] = []
    skipped: set[str] = set()
    with Progress(len(files), "fmt") as progress:
        for path, kind in files:
            shown = display_path(path)
            progress.step(shown)
            if path.is_symlink():
                problems.append(Diagnostic(shown, 1, 1, Severity.WARNING, "fmt-skipped",
                                           "this file is a link; fmt does not rewrite links",
                                           "replace the link with a real file"))
                skipped.add(shown)
                continue
            text, problem = read_text(path, shown, limits.MAX_YAML_BYTES)
            if problem:
                problems.append(problem)
                skipped.add(shown)
                continue
            try:
                result = canonical(text, kind, shown, nested=kind in ("article", "claim"))
            except Unsafe as exc:
                problems.append(Diagnostic(shown, 1, 1, Severity.ERROR, "fmt-unsafe", str(exc).split(": ", 1)[-1],
                                           "the file was left untouched; please report this file to the developers"))
                skipped.add(shown)
                continue
            if result.text is None:
                problems.extend(result.diagnostics)
                skipped.add(shown)
                continue
            new = result.text.encode("utf-8")
            if new == path.read_bytes():
                continue
            changed.append(shown)
            progress.clear()
            if args.check:
                print(f"would reformat {shown}")
                if args.diff:
                    sys.stdout.writelines(difflib.unified_diff(
                        text.splitlines(keepends=True), result.text.splitlines(keepends=True),
                        f"{shown} (now)", f"{shown} (formatted)"))
            else:
                write_atomic(path, new)
                print(f"reformatted {shown}")
    if problems:
        report(problems, stream=sys.stderr)
    verb = "would be reformatted" if args.check else "reformatted"
    summary = f"{len(changed)} file(s) {verb}, {len(files) - len(changed) - len(skipped)} already formatted"
    if skipped:
        summary += f", {len(skipped)} skipped (see above)"
    print(summary, file=sys.stderr)
    if args.check and changed:
        print("run `python -m generator fmt` to format them", file=sys.stderr)
    return 1 if any(d.is_error for d in problems) or (args.check and changed) else 0
