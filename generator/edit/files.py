"""Writing content files safely: new files never replace old ones, rewrites are atomic."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..load.tree import REGISTRIES, YAML_SUFFIXES

# (kind, folder relative to the content root or None for a top-level file, file name or None for "every YAML file")
KINDS = (*((name, None, f"{name}.yaml") for name in REGISTRIES),
         ("article", "articles", None), ("claim", "claims", None))


def schema_comment(kind: str, nested: bool) -> str:
    """The first line of every content file: IDEs complete and check fields with it."""
    up = "../../" if nested else "../"
    return f"# yaml-language-server: $schema={up}generator/schemas/{kind}.schema.json"  # named after the kind


def content_yaml_files(root: Path) -> list[tuple[Path, str]]:
    """Every content YAML file the loader reads, with its kind, in a stable order."""
    found: list[tuple[Path, str]] = []
    for kind, folder, name in KINDS:
        if name:
            path = root / name
            if path.is_file():
                found.append((path, kind))
            continue
        where = root / folder
        if where.is_dir():
            for path in sorted(where.iterdir()):
                if not path.name.startswith(".") and path.suffix in YAML_SUFFIXES and path.is_file():
                    found.append((path, kind))
    return found


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`; raise FileExistsError if it exists (O_EXCL: no race, no overwrite)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new one, never half."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # dot: loaders skip it
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
