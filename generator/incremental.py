"""Incremental check + render: re-runs redo only what changed since the last run.

A cache in build/cache/ (one pair of files per content folder, docs folder and
working directory) keeps, from the previous run:
- `<key>.meta`: the generator version (a hash of generator/ and templates/),
  a hash of every content file's (path, size, mtime_ns), the diagnostics and
  the docs manifest's signature. When nothing changed, a run stats the files,
  compares, and stops there: no parsing, no rendering.
- `<key>.data`: per claim, its file signature, the articles it quotes (with
  their signatures), its related ids, its diagnostics and its built model;
  every other YAML file's parsed document; the content model; and, per page,
  the value its output depends on (`render.pages.page_deps`).

A claim is validated again when its file, an article it quotes, the verdict,
topic or tag keys, or the generator changed, or a related claim disappeared;
otherwise its diagnostics and model come from the cache. A page is rendered
again when its dependencies differ. The output is the same as a full run's:
tests/test_benchmarks.py checks diagnostics and every generated file after edits.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, has_errors, sort_key
from .pipeline import Checked
from .render.write import MANIFEST, SyncStats, read_manifest, sync, write_one
from .settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from .model import Claim
    from .render.pages import Page

# The validator, the model and the templates are imported when a run has work to do: a run with
# nothing changed only stats files (imports are a third of its time).

FORMAT = 2
CACHE_DIR = Path(os.environ.get("FACTCHECK_CACHE_DIR") or PROJECT_ROOT / "build" / "cache")


@cache
def generator_version() -> str:
    h = hashlib.blake2b(f"{FORMAT} {sys.version}".encode(), digest_size=16)
    for base in ("generator", "templates"):
        for path in sorted((PROJECT_ROOT / base).rglob("*")):
            if path.suffix in (".pyc",) or "__pycache__" in path.parts or not path.is_file():
                continue
            h.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def scan(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of every file under root, by path relative to it."""
    out: dict[str, tuple[int, int]] = {}
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir():
                    stack.append((rel + "/", entry.path))
                    continue
                st = entry.stat()
                out[rel] = (st.st_size, st.st_mtime_ns)
            except OSError:
                out[rel] = (-1, -1)
    return out


def _digest(obj) -> str:
    return hashlib.blake2b(repr(obj).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Entry:
    """What one valid-to-parse claim file gave last time."""
    sig: tuple[int, int]
    display: str
    articles: tuple[tuple[str, tuple], ...]  # (article id, its signature) for each article quoted
    related: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    claim: Claim | None  # None when the run had errors (no model was built)


class LazyContent:
    """The content model, built on first use by a run that reuses every cached claim (a no-change run
    may never need it: the cache does not keep the model whole, whose article texts make it slow to load)."""

    def __init__(self, *args) -> None:
        self._args, self._content = args, None

    def __getattr__(self, name):
        if self._content is None:
            self._content = check_and_render(*self._args, _reuse_only=True)[0].content
        return getattr(self._content, name)


class _NoGC:
    """The cyclic GC off while (un)pickling: 300,000 new objects trigger full collections that scan them
    all again and again (10,000 claims: 1.5 s to load the cache with it, 0.4 s without)."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _load(path: Path):
    try:
        with open(path, "rb") as f, _NoGC():
            return pickle.load(f)
    except Exception:  # a missing, truncated or old-format cache is only a cold run
        return None


KEEP_CACHES = 16  # content folders remembered (tests build many small ones); the oldest go first


def _save(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f, _NoGC():
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _prune(cache_dir: Path) -> None:
    try:
        metas = sorted(cache_dir.glob("*.meta"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in metas[KEEP_CACHES:]:
            for p in (old, old.with_suffix(".data")):
                p.unlink(missing_ok=True)
    except OSError:
        pass


# --- both cores for cold runs: half the work in a forked worker, which inherits the state below ---------

_FORK: dict = {}
MIN_PARALLEL = 200  # below this many items a fork costs more than it saves


def _workers() -> int:
    if not hasattr(os, "fork") or os.environ.get("FACTCHECK_WORKERS") == "1":
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2, cpus)


def _in_parallel(fn, items: list) -> list:
    """fn(part) for two halves of items, one in a forked process (copy-on-write: nothing to pickle but
    the results); the concatenated results. One process when there is one core or little work."""
    if _workers() < 2 or len(items) < MIN_PARALLEL:
        return fn(items)
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        theirs = pool.apply_async(fn, (items[1::2],))
        mine = fn(items[0::2])
        return mine + theirs.get()


def _check_claims(items: list[tuple[str, Path, str]]) -> list:
    """Parse and check claims: (id, load diagnostics, data, rule diagnostics or None); a worker also
    sends the anchors it found, which the model needs."""
    from .load.yaml_source import load_yaml_file

    ctx, rules = _FORK["ctx"], _FORK["rules"]
    out: list = []
    for cid, path, display in items:
        doc, load_diags = load_yaml_file(path, display)
        diags = [d for r in rules for d in r.check(doc, ctx)] if doc.data is not None else None
        out.append((cid, load_diags, doc.data, diags))
    if os.getpid() != _FORK["pid"]:
        out.append(("", None, ctx._anchors, None))
    return out


def _render_pages(items: list[int]) -> list[tuple[str, str, bool]]:
    from .render.pages import render_page

    pages_, folder, old, languages = _FORK["pages"], _FORK["docs"], _FORK["manifest"], _FORK["languages"]
    out = []
    for i in items:
        page = pages_[i]
        for lang in languages:
            rel = f"{page.path}.{lang}.md"
            out.append((rel, *write_one(folder, old, rel, render_page(page, lang))))
    return out


def _article_sig(files: dict, aid: str) -> tuple:
    return tuple(files.get(f"articles/{aid}{ext}") for ext in (".yaml", ".yml", ".txt"))


def _keys(doc: Document):
    return frozenset(doc.data) if isinstance(doc.data, dict) else doc.data is None


def _sig_of_manifest(docs_dir: Path):
    try:
        st = (docs_dir / MANIFEST).stat()
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return None


def check_and_render(content_dir: Path, settings: Settings, docs_dir: Path,
                     cache_dir: Path = CACHE_DIR, _reuse_only: bool = False) -> tuple[Checked, SyncStats | None]:
    """`pipeline.check` then, when there are no errors, render into docs_dir: the same results, reusing
    the previous run's work. Returns the check and the render's statistics (None when not rendered)."""
    root = content_dir.resolve()
    docs_dir = docs_dir.resolve()
    key = _digest((str(root), os.getcwd(), str(docs_dir)))[:20]
    meta_path, data_path = cache_dir / f"{key}.meta", cache_dir / f"{key}.data"
    version = generator_version()
    files = scan(root)
    files_hash = _digest(sorted(files.items()))

    meta = _load(meta_path)
    if (not _reuse_only and meta and meta["version"] == version and meta["files"] == files_hash
            and meta["settings"] == settings
            and meta["manifest"] is not None and meta["manifest"] == _sig_of_manifest(docs_dir)):
        diagnostics = meta["diagnostics"]
        if has_errors(diagnostics):
            return Checked(None, diagnostics), None
        return (Checked(LazyContent(content_dir, settings, docs_dir, cache_dir), diagnostics),
                SyncStats(0, meta["n_docs"], 0))

    from .load.tree import Corpus, display_path, load_corpus
    from .load.yaml_source import Document, load_yaml_file
    from .model import build_content
    from .render import asset_files
    from .render.pages import Page, page_deps, pages
    from .validate import Context
    from .validate.registry import RULES

    data = _load(data_path) if meta and meta["version"] == version else None
    data = data or {"yaml": {}, "claims": {}, "env": None, "deps": {}, "settings": None}
    cached_yaml: dict[str, tuple] = data["yaml"]
    new_yaml: dict[str, tuple] = {}

    def parse(path: Path, display: str):
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            return load_yaml_file(path, display)
        sig = files.get(rel)
        hit = new_yaml.get(rel) or cached_yaml.get(rel)
        if hit and hit[0] == sig and hit[1].path == display:
            new_yaml[rel] = hit
            return hit[1], list(hit[2])
        doc, found = load_yaml_file(path, display)
        new_yaml[rel] = (sig, doc, tuple(found))
        return doc, found

    # The verdict, topic and tag keys decide every claim's reference checks.
    env = tuple(_keys(parse(root / name, display_path(root / name))[0])
                for name in ("verdicts.yaml", "topics.yaml", "tags.yaml"))
    reuse_env = data["env"] == env
    candidates: dict[str, Entry] = {}
    pending: dict[str, Path] = {}  # claims to parse, after the folder walk: one at a time

    def load(path: Path, display: str):
        rel = path.relative_to(root).as_posix() if path.is_absolute() else None
        if rel and rel.startswith("claims/"):
            entry = data["claims"].get(path.stem) if reuse_env else None
            if (entry and entry.sig == files.get(rel) and entry.display == display
                    and all(_article_sig(files, aid) == sig for aid, sig in entry.articles)):
                candidates[path.stem] = entry
            else:
                pending[path.stem] = path
            return Document(display, None), []
        if rel:
            return parse(path, display)
        return load_yaml_file(path, display)

    corpus: Corpus = load_corpus(root, load_yaml=load)
    reused: dict[str, Entry] = {}
    for cid, entry in candidates.items():
        if cid not in corpus.claims:
            continue
        if all(r in corpus.claims for r in entry.related) and all(aid in corpus.articles for aid, _ in entry.articles):
            reused[cid] = entry
        else:  # a related claim or an article went away: check it again
            pending[cid] = root / "claims" / Path(entry.display).name

    ctx = Context(corpus)
    found: list[Diagnostic] = list(corpus.diagnostics)
    claim_rules = [r for r in RULES if r.kind == "claim"]
    for r in RULES:  # as validate.validate(); claims below, one file at a time
        if r.kind == "corpus":
            found.extend(r.check(ctx))
        elif r.kind != "claim":
            docs = [a.meta for a in corpus.articles.values()] if r.kind == "article" else [getattr(corpus, r.kind)]
            for doc in docs:
                if doc.data is not None:
                    found.extend(r.check(doc, ctx))
    per_claim: dict[str, list[Diagnostic]] = {}
    _FORK.update(ctx=ctx, rules=claim_rules, pid=os.getpid())
    try:
        todo = [(cid, path, corpus.claims[cid].path) for cid, path in pending.items() if cid in corpus.claims]
        for cid, load_diags, claim_data, diags in _in_parallel(_check_claims, todo):
            if not cid:  # a worker's anchors
                for k, v in claim_data.items():
                    ctx._anchors.setdefault(k, v)
                continue
            found.extend(load_diags)
            if claim_data is not None:  # kept without positions: those are only for diagnostics
                per_claim[cid] = diags
                corpus.claims[cid] = Document(corpus.claims[cid].path, claim_data)
    finally:
        _FORK.clear()
    for diags in per_claim.values():
        found.extend(diags)
    for entry in reused.values():
        found.extend(entry.diagnostics)
    diagnostics = sorted(set(found), key=sort_key)
    errors = has_errors(diagnostics)

    content = None
    if not errors:
        content = build_content(corpus, ctx, prebuilt={cid: e.claim for cid, e in reused.items()})

    entries = dict(reused)
    for cid, diags in per_claim.items():
        doc = corpus.claims[cid]
        excerpts = doc.data.get("excerpts") if isinstance(doc.data, dict) else None
        aids = sorted({e.get("article") for e in excerpts if isinstance(e, dict) and isinstance(e.get("article"), str)}
                      ) if isinstance(excerpts, list) else []
        related = doc.data.get("related") if isinstance(doc.data, dict) else None
        related = tuple(r for r in related if isinstance(r, str)) if isinstance(related, list) else ()
        if not all(a in corpus.articles for a in aids) or not all(r in corpus.claims for r in related):
            continue  # its diagnostics name other files ("did you mean"): never reused
        if content is None and not has_errors(diags):
            continue  # valid, but no model was built this time
        rel_path = Path(doc.path).name
        sig = files.get(f"claims/{rel_path}")
        entries[cid] = Entry(sig, doc.path, tuple((a, _article_sig(files, a)) for a in aids), related,
                             tuple(diags), content.claims[cid] if content is not None else None)

    stats = None
    new_deps: dict[str, object] = {}
    if content is not None:
        old_deps = data["deps"] if data["settings"] == settings else {}
        manifest = read_manifest(docs_dir)
        existing = set()
        for dirpath, _, filenames in os.walk(docs_dir):
            base = os.path.relpath(dirpath, docs_dir).replace(os.sep, "/")
            existing.update(name if base == "." else f"{base}/{name}" for name in filenames)
        keep: set[str] = set()

        def skip(page: Page) -> bool:
            deps = page_deps(page)
            new_deps[page.path] = deps
            if deps is None or old_deps.get(page.path) != deps:
                return False
            rels = [f"{page.path}.{lang}.md" for lang in content.languages]
            if all(rel in manifest and rel in existing for rel in rels):
                keep.update(rels)
                return True
            return False

        todo = [page for page in pages(content, settings) if not skip(page)]
        _FORK.update(pages=todo, docs=docs_dir, manifest=manifest, languages=content.languages)
        try:
            docs_dir.mkdir(parents=True, exist_ok=True)
            done = _in_parallel(_render_pages, list(range(len(todo))))
        finally:
            _FORK.clear()
        stats = sync(docs_dir, asset_files(content), keep=keep, done=done)

    _save(data_path, {"yaml": new_yaml, "claims": entries, "env": env, "deps": new_deps, "settings": settings})
    _save(meta_path, {"version": version, "files": files_hash, "settings": settings, "diagnostics": diagnostics,
                      "manifest": _sig_of_manifest(docs_dir) if stats is not None else None,
                      "n_docs": (stats.written + stats.unchanged) if stats else 0})
    _prune(cache_dir)
    return Checked(content, diagnostics), stats
