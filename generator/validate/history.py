"""The claims as last published: the claim files at a git ref, for `validate --against REF` (the
pull-request workflow passes the pull request's base).

Read from the content's own repository with three git commands, however many claims: the ref's commit,
the claims folder's listing at it, and every file's bytes in one `git cat-file --batch`.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..load.tree import YAML_SUFFIXES
from ..load.yaml_source import source_from_bytes
from ..process import run_tool


def _git(args: list[str], cwd: Path, input: bytes | None = None) -> bytes:
    proc = run_tool(["git", *args], cwd=cwd, input=input)
    if proc.returncode != 0:
        raise UsageError(f"git {' '.join(args[:2])} in {cwd}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


class History:
    def __init__(self, files: dict[str, tuple[str, str, bytes]]) -> None:
        self._files = files  # claim id → (oid, path in the repository, bytes)
        self._data: dict[str, object] = {}

    @classmethod
    def at(cls, content_dir: Path, ref: str) -> History:
        content_dir = content_dir.resolve()
        if run_tool(["git", "rev-parse", "--git-dir"], cwd=content_dir).returncode != 0:
            raise UsageError(f"--against {ref}: {content_dir} is not in a git repository")
        found = run_tool(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                         cwd=content_dir)
        if found.returncode != 0:
            raise UsageError(f"--against {ref}: git knows no commit `{ref}` in this repository; fetch it first "
                             f"(as in `git fetch origin {ref}`), or name a branch, tag or commit that exists")
        commit = found.stdout.decode().strip()
        top = Path(_git(["rev-parse", "--show-toplevel"], content_dir).decode().strip())
        folder = (content_dir / "claims").relative_to(top.resolve()).as_posix()
        listing = _git(["ls-tree", "-z", commit, "--", folder + "/"], top)
        entries = {}
        for line in filter(None, listing.split(b"\0")):
            meta, _, name = line.decode("utf-8", "surrogateescape").partition("\t")
            _, kind, oid = meta.split()
            stem, dot, suffix = name.rpartition("/")[2].rpartition(".")
            if kind == "blob" and f".{suffix}" in YAML_SUFFIXES and dot:
                entries.setdefault(stem, (oid, name))
        files = {}
        if entries:
            out = _git(["cat-file", "--batch"], top, "".join(f"{oid}\n" for oid, _ in entries.values()).encode())
            pos = 0
            for cid, (oid, name) in entries.items():
                header_end = out.index(b"\n", pos)
                size = int(out[pos:header_end].split()[2])
                files[cid] = (oid, name, out[header_end + 1:header_end + 1 + size])
                pos = header_end + 1 + size + 1
        return cls(files)

    def oid(self, claim_id: str) -> str | None:
        """The git object of the claim's file at the ref (None: the claim is new since)."""
        found = self._files.get(claim_id)
        return found[0] if found else None

    def data(self, claim_id: str):
        """The claim's data at the ref; None when it was not there or did not parse."""
        if claim_id not in self._data:
            found = self._files.get(claim_id)
            self._data[claim_id] = source_from_bytes(found[2], found[1]).parse()[0].data if found else None
        return self._data[claim_id]
