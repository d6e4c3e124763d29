"""Search: a Pagefind index per language, split into partitions that are indexed again only when their
pages changed, and merged in the reader's browser at query time (Pagefind's `mergeIndex`).

Why partitions, and why so few (BENCHMARKS.md, "Search"): Pagefind indexes ~600 pages a second and
cannot update an index, so a one-page change re-indexes that page's whole partition; but every
partition adds its metadata and an index chunk to what a reader downloads for one query (at 10,000
claims ~25 kB each for a frequent word), and the budget is 300 kB. The number of partitions is a
setting (mkdocs.yml `extra.factcheck.search.partitions`, settings.py): 2 fits the budget.

A page goes to a partition by its search group (render/pages.py `search_group`): a claim with its
topic's comparison page, an article alone, listings together, so that the pages one edit changes
tend to share a partition. Each partition is a bundle `pagefind/<lang>-<n>/`; the UI files, the
WASM and pagefind.js are needed in the first bundle of each language only, the others hold their
index (entry, metadata, chunks, fragments).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..log import log
from ..process import cpu_count, run_pool

BUNDLES = "pagefind"
PAGEFIND_MB_PER_PAGE = 0.16
# Files a merged bundle does not need: the browser loads them from the language's first bundle only.
_PRIMARY_ONLY = ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
                 "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
                 "pagefind-highlight.js", "pagefind-worker.js")


def bundle(lang: str, n: int) -> str:
    return f"{BUNDLES}/{lang}-{n}"


LISTING = f"{BUNDLES}/bundles.json"


def partition_of(group: str, partitions: int) -> int:
    # Listings (home, indexes, static pages) are in every language's first partition, which is thus never
    # empty: it holds Pagefind's UI, which the search page loads from it.
    return 0 if group == "lists" else zlib.crc32(group.encode("utf-8")) % partitions


def search_digest() -> bytes:
    version = metadata.version("pagefind")
    return hashlib.blake2b(f"pagefind {version}".encode(), digest_size=16).digest()


@dataclass(frozen=True)
class Indexed:
    """A page to index: its HTML file in the site, the file's digest, where it is now."""
    rel: str
    digest: str
    path: Path
    lang: str
    group: str


@dataclass
class Bundles:
    partitions: dict[str, str] = field(default_factory=dict)  # bundle → key (bundles with pages only)
    files: dict[str, Path] = field(default_factory=dict)  # site-relative path → new file (rebuilt bundles)
    rebuilt: list[str] = field(default_factory=list)

    def listing(self) -> bytes:
        """pagefind/bundles.json: each language's bundles, the first one first (the search page reads it)."""
        langs: dict[str, list[str]] = {}
        for name in sorted(self.partitions, key=lambda b: (b.rsplit("-", 1)[0], int(b.rsplit("-", 1)[1]))):
            langs.setdefault(name[len(BUNDLES) + 1:].rsplit("-", 1)[0], []).append(name)
        return json.dumps(langs, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _key(pages: list[Indexed]) -> str:
    h = hashlib.blake2b(search_digest(), digest_size=16)
    for page in sorted(pages, key=lambda p: p.rel):
        h.update(f"{page.rel}\0{page.digest}\n".encode())
    return h.hexdigest()


def index(pages: list[Indexed], languages: tuple[str, ...], partitions: int, previous: dict[str, str], work: Path,
          workers: int | None = None) -> Bundles:
    """Index, in `partitions` partitions a language, those whose key differs from `previous` (bundle → key);
    every bundle's key comes back, and the files of the rebuilt ones. Empty partitions get no bundle."""
    parts: dict[str, list[Indexed]] = {bundle(lang, n): [] for lang in languages for n in range(partitions)}
    for page in pages:
        parts[bundle(page.lang, partition_of(page.group, partitions))].append(page)
    out = Bundles()
    jobs = []
    for name, members in parts.items():
        if not members:
            continue
        key = out.partitions[name] = _key(members)
        if previous.get(name) == key:
            continue
        site = work / name / "site"  # the partition's pages at their site paths, so URLs stay right
        for page in members:
            dst = site / page.rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(page.path, dst)
            except OSError:
                shutil.copyfile(page.path, dst)
        jobs.append((f"pagefind {name} ({len(members):,} pages)",
                     [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path",
                      str(work / name / "out"), "--silent"], None))
        out.rebuilt.append(name)
    if jobs:  # Pagefind holds its whole index in memory: ~160 kB a page (BENCHMARKS.md)
        run_pool(jobs, workers or cpu_count(), memory_mb=[PAGEFIND_MB_PER_PAGE * len(parts[name]) for name in out.rebuilt])
    for name in out.rebuilt:
        primary = name.endswith("-0")
        root = work / name / "out"
        for dirpath, _, filenames in os.walk(root):
            base = os.path.relpath(dirpath, root).replace(os.sep, "/")
            for filename in filenames:
                rel = filename if base == "." else f"{base}/{filename}"
                if primary or rel not in _PRIMARY_ONLY and not rel.startswith("wasm."):
                    out.files[f"{name}/{rel}"] = Path(dirpath) / filename
    if out.rebuilt:
        log(f"  search: {len(out.rebuilt)} of {len(parts)} partition(s) indexed again")
    return out
