"""`fmt`: rewrite every content YAML file in the one canonical style, keeping comments.

See generator/edit/style.py for the style. Files with YAML errors are
reported as `validate` reports them and left alone; a file is rewritten only
when its data and comments survive unchanged, atomically.
"""
from __future__ import annotations

import difflib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..diagnostics import Diagnostic, Severity
from ..edit.files import content_yaml_files, write_atomic
from ..edit.progress import Progress
from ..edit.style import REPORT, Unsafe, canonical
from ..load import limits
from ..load.tree import display_path
from ..load.yaml_source import read_text
from .validate import report

PARALLEL_FROM = 200  # files; below this, starting worker processes costs more than it saves
HELP = "rewrite content YAML in the canonical style and key order, keeping comments (--check: only report)"


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the files that would change and exit 1 if there are any")
    parser.add_argument("--diff", action="store_true", help="with --check: also print what would change")


def _format(job: tuple[str, str, str]) -> tuple[str | None, list[Diagnostic]]:
    """(canonical text or None, problems) for one file's text; runs in a worker process for large trees."""
    text, kind, shown = job
    try:
        result = canonical(text, kind, shown, nested=kind in ("article", "claim"))
    except Unsafe as exc:
        return None, [Diagnostic(shown, 1, 1, Severity.ERROR, "fmt-unsafe", str(exc).split(": ", 1)[-1], exc.help)]
    except Exception as exc:  # a bug: still a diagnostic, never a traceback, and the file kept
        return None, [Diagnostic(shown, 1, 1, Severity.ERROR, "fmt-unsafe",
                                 f"fmt failed: {type(exc).__name__}: {exc}", REPORT)]
    return result.text, result.diagnostics


def _bytes(path: Path) -> bytes | None:
    """The file's bytes now; None if it is gone or unreadable (changed since it was read)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _changed_meanwhile(shown: str) -> Diagnostic:
    return Diagnostic(shown, 1, 1, Severity.WARNING, "fmt-skipped",
                      "the file changed while fmt was running; it was left as it is",
                      "run `python -m generator fmt` again")


def _formatted(jobs: list[tuple[str, str, str]]):
    """Results in order; in parallel when there are many files (the round-trip dumper is pure Python)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        yield from map(_format, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_format, jobs, chunksize=16)


def run(args) -> int:
    files = content_yaml_files(args.content)
    problems: list[Diagnostic] = []
    changed: list[str] = []
    skipped: set[str] = set()
    readable: list[tuple[Path, str, str, bytes]] = []  # path, shown, text, bytes as read
    jobs: list[tuple[str, str, str]] = []
    for path, kind in files:
        shown = display_path(path)
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
        raw = _bytes(path)
        if raw is None:
            problems.append(_changed_meanwhile(shown))
            skipped.add(shown)
            continue
        readable.append((path, shown, text, raw))
        jobs.append((text, kind, shown))

    with Progress(len(jobs), "fmt") as progress:
        for (path, shown, text, raw), (result, found) in zip(readable, _formatted(jobs)):
            progress.step(shown)
            if result is None:
                problems.extend(found)
                skipped.add(shown)
                continue
            new = result.encode("utf-8")
            if new == raw:
                continue
            changed.append(shown)
            progress.clear()
            if args.check:
                print(f"would reformat {shown}")
                if args.diff:
                    sys.stdout.writelines(difflib.unified_diff(
                        text.splitlines(keepends=True), result.splitlines(keepends=True),
                        f"{shown} (now)", f"{shown} (formatted)"))
            elif _bytes(path) != raw:  # saved by someone else meanwhile: theirs wins
                changed.pop()
                skipped.add(shown)
                problems.append(_changed_meanwhile(shown))
            else:
                try:
                    write_atomic(path, new)
                except OSError as exc:
                    changed.pop()
                    skipped.add(shown)
                    problems.append(Diagnostic(shown, 1, 1, Severity.ERROR, "file-unwritable",
                                               f"cannot write file: {exc.strerror}",
                                               "check the permissions of the file and its folder"))
                    continue
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
