"""`archive`: fill in the missing `archive` of claims' sources with the Wayback Machine's copies.

Every source without `archive` is looked up (the copy closest to the source's date); with `--save`, a
page the Wayback Machine has no copy of is saved first. Files are rewritten as `fmt` writes them
(comments kept, the new field in the schema's order), and only when every lookup succeeded: on any
failure nothing is written. `build` never runs this: it is the only command that goes on the network.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Severity
from ..edit.files import content_yaml_files, write_atomic
from ..edit.progress import Progress
from ..edit.style import Unsafe, canonical
from ..edit.wayback import Wayback, WaybackError
from ..load import limits
from ..load.tree import display_path
from ..load.yaml_source import parse_yaml, read_text
from ..settings import load_settings
from ..validate.rules import dates, urls
from ..validate.rules._access import items, text
from .validate import report

HELP = "fill in sources' missing `archive` with Wayback Machine copies (--dry-run: only say what)"


def add_arguments(parser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="ask, and print what would be written; write nothing")
    parser.add_argument("--save", action="store_true",
                        help="when the Wayback Machine has no copy of a page, ask it to make one (Save Page Now)")


@dataclass
class Missing:
    path: Path  # the claim file
    shown: str
    index: int  # in `sources`
    url: str
    date: dt.date | None  # the source's date, else the claim's: the copy closest to it is taken
    archive: str | None = None


def _missing(content) -> tuple[list[Missing], dict, list[Diagnostic]]:
    """The sources to look up, the files' texts, and the files that cannot be read (left alone)."""
    found, texts, problems = [], {}, []
    for path, kind in content_yaml_files(content):
        if kind != "claim":
            continue
        shown = display_path(path)
        body, problem = read_text(path, shown, limits.MAX_YAML_BYTES)
        doc, errors = parse_yaml(body, shown) if problem is None else (None, [problem])
        if errors or not isinstance(doc.data, dict):
            problems.extend(errors)
            continue
        texts[path] = (body, path.read_bytes())
        claim_date = dates.parse(text(doc.data, "published") or "")
        for i, source in items(doc.data, "sources"):
            url = text(source, "url")
            if "archive" not in source and url and urls.problem(url) is None:
                found.append(Missing(path, shown, i, url, dates.parse(text(source, "date") or "") or claim_date))
    return found, texts, problems


def run(args) -> int:
    settings = load_settings()
    todo, texts, problems = _missing(args.content)
    if problems:
        report(problems, stream=sys.stderr)
    client = Wayback(settings.archive)
    failures = []
    with Progress(len(todo), "archive") as progress:
        for item in todo:
            progress.step(f"{item.shown} {item.url[:60]}")
            try:
                item.archive = client.available(item.url, item.date)
                if item.archive is None and args.save:
                    item.archive = client.save(item.url)
            except WaybackError as exc:
                failures.append(f"{item.shown}: sources[{item.index}]: {exc}")
            progress.clear()
            print(f"{item.shown}: sources[{item.index}]: "
                  + (item.archive or f"no copy of {item.url} in the Wayback Machine"))
    if failures:
        print("\n".join(["error: the Wayback Machine could not be asked about every source:", *failures,
                         "nothing was written; run `python -m generator archive` again later"]), file=sys.stderr)
        return 1
    found = [item for item in todo if item.archive]
    written = 0 if args.dry_run else _write(found, texts)
    missing = len(todo) - len(found)
    print(f"{len(found)} source(s) with a copy found, {missing} without"
          + (" (--save asks the Wayback Machine to make them)" if missing and not args.save else "")
          + ("; --dry-run: nothing written" if args.dry_run else f"; {written} file(s) written"), file=sys.stderr)
    return 1 if written is None else 0


def _write(found: list[Missing], texts: dict) -> int | None:
    """Rewrite each file with its new `archive` fields as `fmt` writes it; None when a file cannot be."""
    by_file: dict = {}
    for item in found:
        by_file.setdefault(item.path, []).append(item)
    new = {}
    for path, entries in by_file.items():
        changes = {("sources", item.index, "archive"): item.archive for item in entries}
        body, raw = texts[path]
        try:
            new[path] = canonical(body, "claim", entries[0].shown, nested=True, changes=changes).text.encode("utf-8")
        except Unsafe as exc:
            print(f"error: {exc}; nothing was written", file=sys.stderr)
            return None
        if path.read_bytes() != raw:
            print(f"error: {entries[0].shown} changed while archive was running; nothing was written (run it again)",
                  file=sys.stderr)
            return None
    for path, body in new.items():
        write_atomic(path, body)
        print(f"wrote {display_path(path)}")
    return len(new)
