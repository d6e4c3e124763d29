"""Output folders: the tool fills, replaces or deletes only folders that it made and marked.

A folder the tool made holds a marker file naming its kind (`site`, `docs`, `staging`, `shard`).
An output path given on the command line (`--site-dir`, `--docs-dir`) is refused, with exit 2 and
nothing touched, when it
- is, contains or lies inside the content folder;
- is or contains the project (the folder holding generator/), or lies inside its .git;
- is a file or a symbolic link;
- is a non-empty folder without the tool's marker of that kind.
A new or empty folder, or one the tool made before, is fine.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import OutputRefused, UsageError
from ..settings import PROJECT_ROOT

MARKER = ".factcheck-output"
_FLAGS = {"site": "--site-dir", "docs": "--docs-dir", "shard": "--site-dir"}


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def marker_of(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("made-by") == "factcheck-generator" else None


def is_owned(folder: Path, kind: str) -> bool:
    found = marker_of(folder)
    return found is not None and found.get("kind") == kind


def mark(folder: Path, kind: str, **extra) -> None:
    """Write the marker. Its bytes depend only on its arguments: a site's marker is part of the site."""
    body = json.dumps({"made-by": "factcheck-generator", "kind": kind, **extra}, sort_keys=True)
    (folder / MARKER).write_text(body + "\n", encoding="utf-8")


def check_output(path: Path, kind: str, content_dir: Path) -> Path:
    """The absolute, checked output folder, or OutputRefused saying why and what to do."""
    flag = _FLAGS.get(kind, "the output folder")
    given = Path(os.path.abspath(path))
    if given.is_symlink():
        raise OutputRefused(f"{flag} {path} is a symbolic link; name the real folder instead")
    real = given.resolve()
    content = content_dir.resolve()
    if _within(real, content) or _within(content, real):
        where = "is" if real == content else ("lies inside" if _within(real, content) else "contains")
        raise OutputRefused(f"{flag} {path} {where} the content folder {content_dir}; "
                            "the build writes and deletes files there. Choose another folder")
    if _within(PROJECT_ROOT, real):
        raise OutputRefused(f"{flag} {path} {'is' if real == PROJECT_ROOT else 'contains'} the project folder "
                            f"{PROJECT_ROOT}; choose a folder of its own, such as site/")
    if _within(real, PROJECT_ROOT / ".git"):
        raise OutputRefused(f"{flag} {path} lies inside the project's .git folder; choose another folder")
    if real.exists() and not real.is_dir():
        raise OutputRefused(f"{flag} {path} is a file, not a folder; choose a folder")
    if real.is_dir() and not is_owned(real, kind) and _non_empty(real):
        raise OutputRefused(f"{flag} {path} is not empty and was not made by this tool (no {MARKER} marker of a "
                            f"{kind} folder); the build replaces what it names, so it only takes a new or empty "
                            f"folder, or one it made. Choose another folder, or empty this one yourself")
    return real


def _non_empty(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in entries)
    except OSError as exc:
        raise UsageError(f"cannot read {folder}: {exc.strerror}") from exc


# --- staging and the swap -----------------------------------------------------------------------------------

def _staging_prefixes(target: Path) -> tuple[str, str]:
    return f".{target.name}.new-", f".{target.name}.old-"


def remove_stale(target: Path) -> int:
    """Staging and old copies that a stopped or killed build left beside `target`; only marked ones go.
    Call with the target's lock held: no other build is using them. Returns how many were removed."""
    removed = 0
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(_staging_prefixes(target)) and entry.is_dir(follow_symlinks=False)):
            continue
        if marker_of(Path(entry.path)) is not None:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
        else:  # made by mkdtemp, killed before anything went in: only an empty one goes
            try:
                os.rmdir(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def new_staging(target: Path) -> Path:
    """An empty marked folder beside target, on the same filesystem, for an atomic swap."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefixes(target)[0], dir=target.parent))
    except OSError as exc:
        raise UsageError(f"cannot write beside {target} (in {target.parent}): {exc.strerror}; "
                         "choose a folder whose parent you can write to") from exc
    staging.chmod(0o755)  # mkdtemp makes it private (0700); the site must stay readable by the web server
    mark(staging, "staging")
    return staging


def swap_in(staging: Path, target: Path) -> None:
    """Replace target by staging with two renames; the old copy is deleted afterwards.
    Until the second rename the old site is in place, after it the new one."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=_staging_prefixes(target)[1], dir=target.parent))
        os.replace(target, old)  # rename(2) over an empty directory
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
