"""Publish: the new site replaces the old one in one step, and only the files that changed are written.

Beside the site folder, a state folder `.<site>.factcheck/` that the tool made and marked holds
- `lock`: one build of this site at a time (a second one waits);
- `prev/`: the site before the current one. A build turns it into the new site by writing only the
  files that differ (the others are hard links shared with the current site, never written in place),
  then exchanges it with the site folder in one atomic rename (Linux renameat2 RENAME_EXCHANGE): the
  old site or the new one is in place at every instant, and the old one becomes `prev/`;
- `manifests/`: for the site and for `prev/`, every file's digest and what it was made from: the
  Markdown digest of each page's HTML, the engine's digest, the search partitions' keys;
- `tmp/`: the engine's and the search's work, on the site's filesystem so results move in by rename.
A build that is stopped or killed leaves the site as it was; the next one clears `tmp/` and, if
`prev/` was being written, starts it again from scratch.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..log import log
from ..process import Lock
from .owned import MARKER, is_owned, mark, marker_of, remove_stale

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass
class Manifest:
    key: str  # the build key (pipeline.py): a digest of every input and option
    files: dict[str, str] = field(default_factory=dict)  # every file of the site: relative path → digest
    pages: dict[str, str] = field(default_factory=dict)  # HTML file → digest of the Markdown it was built from
    engine: str = ""  # engine.mkdocs.engine_digest when the pages were built
    partitions: dict[str, str] = field(default_factory=dict)  # search partition → key (search/)
    warnings: list[dict] = field(default_factory=list)  # the content's diagnostics, shown again when nothing changed
    theme: list[str] = field(default_factory=list)  # the theme's files (engine/mkdocs.py theme_files)

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(asdict(self), sort_keys=True, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)


def site_marker(key: str, kind: str = "site") -> bytes:
    """The marker a published site (or shard) holds: its bytes depend on the build key only."""
    return (json.dumps({"made-by": "factcheck-generator", "kind": kind, "build": key}, sort_keys=True)
            + "\n").encode("utf-8")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then the caller renames twice)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the filesystem or kernel cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(a))


class SiteState:
    """The state folder of one site folder (see the module's docstring). Use as a context manager:
    it holds the site's lock."""

    def __init__(self, site_dir: Path) -> None:
        self.site = site_dir
        self.folder = site_dir.with_name(f".{site_dir.name}.factcheck")
        self.prev = self.folder / "prev"
        self.tmp = self.folder / "tmp"
        self.lock = Lock(self.folder / "lock", f"the site folder {site_dir}")

    def __enter__(self) -> SiteState:
        if self.folder.exists() and not is_owned(self.folder, "state"):
            raise UsageError(f"{self.folder} exists and was not made by this tool; move it away to build {self.site}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not is_owned(self.folder, "state"):
                mark(self.folder, "state")
        except OSError as exc:
            raise UsageError(f"cannot write beside {self.site} (in {self.site.parent}): {exc.strerror}; "
                             "choose a folder whose parent you can write to") from exc
        self.lock.acquire()
        if self.tmp.exists():  # what a stopped or killed build left
            log(f"removing what a stopped build left in {self.tmp}")
            shutil.rmtree(self.tmp)
        remove_stale(self.site)  # staging folders of earlier versions of the tool
        self.tmp.mkdir()
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.lock.release()

    def _manifest_path(self, key: str) -> Path:
        return self.folder / "manifests" / f"{key}.json"

    def manifest_of(self, folder: Path) -> Manifest | None:
        """The manifest of a folder the tool published (its marker names the build), if it is known."""
        found = marker_of(folder)
        if not found or found.get("kind") not in ("site", "shard") or not isinstance(found.get("build"), str):
            return None
        return Manifest.load(self._manifest_path(found["build"]))

    @property
    def current(self) -> Manifest | None:
        return self.manifest_of(self.site) if self.site.is_dir() else None

    def publish(self, new: Manifest, fresh: dict[str, Path | bytes], from_scratch: bool = False,
                marker: bytes | None = None) -> dict[str, int]:
        """Make the site `new.files`: each file comes from `fresh` (made by this build: a file, linked in, or
        bytes) or, with the same digest, from the current site. `from_scratch`: trust nothing already
        there (every file must be fresh). `marker`: the marker's bytes (default: a site's). Returns counts
        for the log."""
        current = None if from_scratch else self.current
        prev = self.manifest_of(self.prev) if current is not None and self.prev.is_dir() else None
        if prev is not None:
            target, have = self.prev, dict(prev.files)
        else:
            if self.prev.exists():
                shutil.rmtree(self.prev)
            target, have = self.tmp / "site", {}
            target.mkdir()
        (target / MARKER).unlink(missing_ok=True)  # until the end, a half-written folder is no known site
        have.pop(MARKER, None)
        counts = {"written": 0, "linked": 0, "deleted": 0, "kept": 0}
        for rel, digest in new.files.items():
            if rel == MARKER:
                continue
            if have.get(rel) == digest:
                counts["kept"] += 1
                continue
            dst = target / rel
            if rel in have:
                dst.unlink(missing_ok=True)  # never written in place: it may be a link to the current site's file
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
            source = fresh.get(rel)
            if isinstance(source, bytes):
                dst.write_bytes(source)
                counts["written"] += 1
            elif source is not None:
                try:
                    os.link(source, dst)  # the source stays: it may be an input (a shard's file)
                except OSError:  # another filesystem
                    shutil.copyfile(source, dst)
                counts["written"] += 1
            elif current is not None and current.files.get(rel) == digest:
                os.link(self.site / rel, dst)
                counts["linked"] += 1
            else:
                raise AssertionError(f"publish: no source for {rel}")  # a bug in the pipeline, not in content
        for rel in sorted(have.keys() - new.files.keys()):
            path = target / rel
            path.unlink(missing_ok=True)
            counts["deleted"] += 1
            for parent in path.parents:
                if parent == target:
                    break
                try:
                    parent.rmdir()
                except OSError:
                    break
        (target / MARKER).write_bytes(marker if marker is not None else site_marker(new.key))
        target.chmod(0o755)
        new.save(self._manifest_path(new.key))
        self._swap(target, current)
        keep = {new.key} | ({current.key} if current else set())
        for path in (self.folder / "manifests").glob("*.json"):
            if path.stem not in keep:
                path.unlink()
        return counts

    def _swap(self, target: Path, current: Manifest | None) -> None:
        """target becomes the site; the old site becomes prev/ if its manifest is known, else goes."""
        if not self.site.exists():
            os.replace(target, self.site)
            return
        if not _exchange(target, self.site):
            old = self.tmp / "old"
            os.replace(self.site, old)
            os.replace(target, self.site)
            target = old
        if target != self.prev:  # a new site was made in tmp/: the old one is now there
            if current is not None:
                os.replace(target, self.prev)
            else:
                shutil.rmtree(target)
