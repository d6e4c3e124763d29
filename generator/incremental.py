"""Incremental check + render: re-runs redo only what changed since the last run.

A cache in build/cache/ (one set of files per content folder, docs folder and working directory) keeps,
from the previous run:
- `<key>.meta`: the generator version (a hash of generator/ and templates/), a hash of every content
  file's (path, size, mtime_ns), the diagnostics and the docs manifest's signature. When nothing
  changed, a run stats the files, compares, and stops there: no parsing, no rendering.
- `<key>.base`: what the content walk and the checks of every file but the claims gave: the corpus with
  its claims unparsed (article texts included), those diagnostics and the verdict/topic/tag keys. A run
  in which only claim files changed (same names, other bytes) starts from it: no walk, no article read.
- `<key>.yaml`: every other YAML file's parsed document, for the runs that walk the content again.
- `<key>.cNN`: shard NN of the claims (by a hash of the id): per claim, its file signature, the articles
  it quotes (with their signatures), its related ids, its diagnostics, its built model and a digest of
  that model. An edit rewrites only the shards of the claims it touched.
- `<key>.deps`: per page, a digest of the value its output depends on (`render.pages.page_deps`), with
  each model object (claim, article, verdict…) in it hashed once per run.

A claim is validated again when its file, an article it quotes, the verdict, topic or tag keys, or the
generator changed, or a related claim disappeared; otherwise its diagnostics and model come from the
cache. A page is rendered again when its dependencies' digest differs. The output is the same as a
full run's: tests/test_benchmarks.py and tests/test_incremental.py check diagnostics and every
generated file after edits.
"""
from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import sys
import zlib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, has_errors, sort_key
from .pipeline import Checked
from .render.write import MANIFEST, SyncStats, read_manifest, sync, write_one
from .settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from .load.tree import Corpus
    from .load.yaml_source import Document
    from .model import Claim
    from .render.pages import Page

# The validator, the model and the templates are imported when a run has work to do: a run with
# nothing changed only stats files (imports are a third of its time).

FORMAT = 3
CACHE_DIR = Path(os.environ.get("FACTCHECK_CACHE_DIR") or PROJECT_ROOT / "build" / "cache")
SHARDS = 64  # claim shards: 10,000 claims make ~160 a shard, ~0.3 MB to rewrite after an edit


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


def scan(root: Path) -> dict[str, tuple]:
    """(size, mtime_ns) of every file under root, by path relative to it; a symbolic link gets a third
    item, so that `_base_sig` can tell it from a plain file."""
    out: dict[str, tuple] = {}
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
                out[rel] = (st.st_size, st.st_mtime_ns, 1) if entry.is_symlink() else (st.st_size, st.st_mtime_ns)
            except OSError:
                out[rel] = (-1, -1)
    return out


def _base_sig(files: dict[str, tuple]) -> str:
    """What `Base` depends on: every file's signature, but only the name of a plain claim file (its
    contents are checked claim by claim)."""
    return _digest(sorted((rel, None if rel.startswith("claims/") and len(sig) == 2
                           and rel.endswith((".yaml", ".yml")) else sig) for rel, sig in files.items()))


def _digest(obj) -> str:
    return hashlib.blake2b(repr(obj).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _model_digest(obj) -> bytes:
    return hashlib.blake2b(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


@dataclass(frozen=True)
class Entry:
    """What one valid-to-parse claim file gave last time."""
    sig: tuple
    display: str
    articles: tuple[tuple[str, tuple], ...]  # (article id, its signature) for each article quoted
    related: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]  # its file's and its rules'
    claim: Claim | None  # None when the run had errors (no model was built)
    digest: bytes | None  # _model_digest(claim)


@dataclass(frozen=True)
class Base:
    """Everything but the claims, as checked: the start of a run in which only claim files changed."""
    version: str
    sig: str  # _base_sig of the files it was made from
    corpus: Corpus  # the claims as Documents without data (parsed claim by claim)
    diagnostics: tuple[Diagnostic, ...]  # the walk's, the other files' loads and their rules (not corpus rules)
    env: tuple  # the verdict, topic and tag keys


class _DepPickler(pickle.Pickler):
    """Pickles a page's dependencies for `_dep_digest`: each object that is not a plain container or atom
    (a claim, an article, a verdict, a date) is pickled once per run and stands as its digest; claims
    bring theirs from the cache."""

    def __init__(self, file, objects: dict[int, tuple]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.objects = objects  # id → _stand_in(object, its digest)
        self.claims: list[str] = []  # the ids of the claims met (each once: the pickler's memo)

    def reducer_override(self, obj):
        hit = self.objects.get(id(obj))
        if hit is None:
            if isinstance(obj, type) or callable(obj):
                return NotImplemented
            hit = self.objects[id(obj)] = _stand_in(obj, _model_digest(obj))
        if hit[2] is not None:
            self.claims.append(hit[2])
        return hit[1]


def _stand_in(obj, digest: bytes, claim_id: str | None = None) -> tuple:
    """(the object, kept alive so that its id is not reused; what pickles in its place; its claim id)"""
    return obj, (bytes, (digest,)), claim_id


def _dep_digest(deps, objects: dict) -> tuple[bytes, list[str]]:
    """The digest, and the ids of the claims in deps. Equal digests mean equal values; the converse may
    fail (objects shared differently pickle differently), and then the page is only rendered again.
    A new pickler per page: clearing a memo costs as much as its largest size, the all-claims page's."""
    buf = io.BytesIO()
    pickler = _DepPickler(buf, objects)
    pickler.dump(deps)
    return hashlib.blake2b(buf.getbuffer(), digest_size=16).digest(), pickler.claims


# Free text: no page chooses or orders its claims by these (they are only shown), so a change to them
# alone leaves every page with the same claims as before.
TEXT_FIELDS = ("claim", "claimant", "conclusion", "explanation")


def _affected_pages(old: dict, content, entries: dict[str, Entry], old_entries: dict[str, Entry]) -> set[str] | None:
    """The pages that may change, when that can be told without computing every page's dependencies:
    nothing but claim files changed since the last render (`old`: its deps file), and each changed
    claim differs from the model then in free text only. Those pages are the ones that showed a
    changed claim. None when not so: every page's dependencies must be computed."""
    claims_then = old["claims"]
    if claims_then.keys() != content.claims.keys():
        return None
    affected: set[str] = set()
    for cid, claim in content.claims.items():
        entry = entries.get(cid)
        if entry is None or entry.digest == claims_then[cid]:
            if entry is None:
                return None
            continue
        before = old_entries.get(cid)
        if before is None or before.claim is None or before.digest != claims_then[cid]:
            return None  # the model shown then is not at hand
        if replace(claim, **{f: getattr(before.claim, f) for f in TEXT_FIELDS}) != before.claim:
            return None
        affected.update(old["refs"].get(cid, ()))
    return affected


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
            for p in cache_dir.glob(f"{old.stem}.*"):
                p.unlink(missing_ok=True)
    except OSError:
        pass


def _shard(cid: str) -> int:
    return zlib.crc32(cid.encode()) % SHARDS


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


def _walk_and_check(root: Path, files: dict, cache_path: Path, version: str, base_sig: str) -> Base:
    """The content walk and the checks of every file but the claims (their files are only listed),
    reusing the parsed YAML of files whose signature is unchanged."""
    from .load.tree import load_corpus
    from .load.yaml_source import Document, load_yaml_file
    from .validate import Context
    from .validate.registry import RULES

    cached = _load(cache_path)
    cached_yaml: dict[str, tuple] = cached["docs"] if cached and cached["version"] == version else {}
    new_yaml: dict[str, tuple] = {}

    def load(path: Path, display: str):
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            return load_yaml_file(path, display)
        if rel.startswith("claims/"):
            return Document(display, None), []
        sig = files.get(rel)
        hit = new_yaml.get(rel) or cached_yaml.get(rel)
        if hit and hit[0] == sig and hit[1].path == display:
            new_yaml[rel] = hit
            return hit[1], list(hit[2])
        doc, found = load_yaml_file(path, display)
        new_yaml[rel] = (sig, doc, tuple(found))
        return doc, found

    corpus = load_corpus(root, load_yaml=load)
    ctx = Context(corpus)
    found: list[Diagnostic] = list(corpus.diagnostics)
    # As validate.validate(), but for claims and the corpus (check_and_render runs those every time). These
    # rules read their own document only: their diagnostics are kept while only claim files change.
    for r in RULES:
        if r.kind in ("article", "verdicts", "topics", "tags"):
            docs = [a.meta for a in corpus.articles.values()] if r.kind == "article" else [getattr(corpus, r.kind)]
            for doc in docs:
                if doc.data is not None:
                    found.extend(r.check(doc, ctx))
    _save(cache_path, {"version": version, "docs": new_yaml})
    env = tuple(_keys(getattr(corpus, name)) for name in ("verdicts", "topics", "tags"))
    # Kept without positions: those are only for the diagnostics, found above (a third of the base's size).
    bare = lambda doc: Document(doc.path, doc.data)  # noqa: E731
    corpus = replace(corpus, verdicts=bare(corpus.verdicts), topics=bare(corpus.topics), tags=bare(corpus.tags),
                     articles={aid: replace(a, meta=bare(a.meta)) for aid, a in corpus.articles.items()})
    return Base(version, base_sig, corpus, tuple(found), env)


def check_and_render(content_dir: Path, settings: Settings, docs_dir: Path,
                     cache_dir: Path = CACHE_DIR, _reuse_only: bool = False) -> tuple[Checked, SyncStats | None]:
    """`pipeline.check` then, when there are no errors, render into docs_dir: the same results, reusing
    the previous run's work. Returns the check and the render's statistics (None when not rendered)."""
    root = content_dir.resolve()
    docs_dir = docs_dir.resolve()
    key = _digest((str(root), os.getcwd(), str(docs_dir)))[:20]
    meta_path = cache_dir / f"{key}.meta"
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
    try:
        return _run(root, settings, docs_dir, cache_dir / key, version, files, files_hash, meta)
    finally:
        gc.unfreeze()


def _run(root: Path, settings: Settings, docs_dir: Path, stem: Path, version: str, files: dict, files_hash: str,
         meta: dict | None) -> tuple[Checked, SyncStats | None]:
    # What is loaded here (modules included) lives to the end of the run: the cyclic GC stays off while it
    # comes in (else each file's objects are scanned as soon as the next file's arrive: 10,000 claims,
    # ~0.3 s), then it is frozen, never scanned; check_and_render unfreezes it.
    with _NoGC():
        from .load.yaml_source import Document
        from .model import build_content
        from .render import asset_files
        from .render.pages import Page, page_deps, pages
        from .validate import Context
        from .validate.registry import RULES

        path = lambda suffix: stem.with_name(f"{stem.name}.{suffix}")  # noqa: E731
        warm = bool(meta) and meta["version"] == version
        base_sig = _base_sig(files)
        base = _load(path("base")) if warm else None
    base_reused = isinstance(base, Base) and base.version == version and base.sig == base_sig
    if not base_reused:
        base = _walk_and_check(root, files, path("yaml"), version, base_sig)
        _save(path("base"), base)
        base = replace(base, corpus=replace(base.corpus, claims=dict(base.corpus.claims)))  # the saved one stays unparsed
    corpus, env = base.corpus, base.env
    old_entries: dict[str, Entry] = {}
    stale_shards: set[int] = set()
    with _NoGC():  # as above
        for i in range(SHARDS):
            shard = _load(path(f"c{i:02d}")) if warm else None
            if shard and shard["version"] == version and shard["env"] == env:
                old_entries.update(shard["entries"])
            else:
                stale_shards.add(i)
        gc.freeze()

    reused: dict[str, Entry] = {}
    pending: list[str] = []
    article_sigs = {aid: _article_sig(files, aid) for aid in corpus.articles}
    for cid, doc in corpus.claims.items():
        entry = old_entries.get(cid)
        if (entry and entry.display == doc.path and entry.sig == files.get("claims/" + os.path.basename(doc.path))
                and all(article_sigs.get(aid) == sig for aid, sig in entry.articles)
                and all(r in corpus.claims for r in entry.related)):
            reused[cid] = entry
        else:  # new or changed, or an article it quotes or a claim it names changed or went away
            pending.append(cid)

    ctx = Context(corpus)
    found: list[Diagnostic] = list(base.diagnostics)
    for r in RULES:
        if r.kind == "corpus":
            found.extend(r.check(ctx))
    claim_rules = [r for r in RULES if r.kind == "claim"]
    per_claim: dict[str, list[Diagnostic]] = {}
    _FORK.update(ctx=ctx, rules=claim_rules, pid=os.getpid())
    try:
        todo = [(cid, root / "claims" / os.path.basename(corpus.claims[cid].path), corpus.claims[cid].path)
                for cid in pending]
        for cid, load_diags, claim_data, diags in _in_parallel(_check_claims, todo):
            if not cid:  # a worker's anchors
                for k, v in claim_data.items():
                    ctx._anchors.setdefault(k, v)
                continue
            if claim_data is None:
                found.extend(load_diags)
            else:  # kept without positions: those are only for diagnostics
                per_claim[cid] = list(load_diags) + diags
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
        claim = content.claims[cid] if content is not None else None
        entries[cid] = Entry(files.get("claims/" + os.path.basename(doc.path)), doc.path,
                             tuple((a, _article_sig(files, a)) for a in aids), related, tuple(diags), claim,
                             _model_digest(claim) if claim is not None else None)

    stats = None
    if content is not None:
        old = _load(path("deps")) if warm else None
        old_pages = old["pages"] if old and old["version"] == version and old["settings"] == settings else {}
        new_pages: dict[str, bytes | None] = {}
        manifest = read_manifest(docs_dir)
        existing = None  # the manifest is untouched since the last run: its files are there
        if not (meta and meta["manifest"] is not None and meta["manifest"] == _sig_of_manifest(docs_dir)):
            existing = set()
            for dirpath, _, filenames in os.walk(docs_dir):
                base_dir = os.path.relpath(dirpath, docs_dir).replace(os.sep, "/")
                existing.update(name if base_dir == "." else f"{base_dir}/{name}" for name in filenames)
        keep: set[str] = set()
        langs = content.languages
        on_disk = {rel for rel in manifest if existing is None or rel in existing}
        objects = {id(e.claim): _stand_in(e.claim, e.digest, cid) for cid, e in entries.items() if e.claim is not None}
        affected = None
        if base_reused and old_pages and old["base"] == base.sig:
            affected = _affected_pages(old, content, entries, old_entries)
        refs: dict[str, list[str]] = old["refs"] if affected is not None else {}  # claim id → pages showing it

        def skip(page: Page) -> bool:
            d = old_pages.get(page.path)
            if affected is None or d is None or page.path in affected:
                deps = page_deps(page)
                d = None
                if deps is not None:
                    d, shown = _dep_digest(deps, objects)
                    if affected is None:
                        for cid in shown:
                            refs.setdefault(cid, []).append(page.path)
            new_pages[page.path] = d
            if d is None or old_pages.get(page.path) != d:
                return False
            rels = [f"{page.path}.{lang}.md" for lang in langs]
            if on_disk.issuperset(rels):
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
        _save(path("deps"), {"version": version, "settings": settings, "base": base.sig, "pages": new_pages,
                             "claims": {cid: e.digest for cid, e in entries.items()}, "refs": refs})

    # Only the shards whose claims changed are written again.
    dirty = set(stale_shards)
    for cid in entries.keys() | old_entries.keys():
        if entries.get(cid) is not old_entries.get(cid):
            dirty.add(_shard(cid))
    if dirty:
        by_shard: dict[int, dict[str, Entry]] = {i: {} for i in dirty}
        for cid, entry in entries.items():
            if (i := _shard(cid)) in by_shard:
                by_shard[i][cid] = entry
        for i, shard in by_shard.items():
            _save(path(f"c{i:02d}"), {"version": version, "env": env, "entries": shard})
    # The meta goes last: a run stopped before this leaves the old one, and every file above checks itself.
    _save(path("meta"), {"version": version, "files": files_hash, "settings": settings, "diagnostics": diagnostics,
                         "manifest": _sig_of_manifest(docs_dir) if stats is not None else None,
                         "n_docs": (stats.written + stats.unchanged) if stats else 0})
    _prune(stem.parent)
    return Checked(content, diagnostics), stats
