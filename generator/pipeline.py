"""The pipeline: load → validate → model → render (Markdown) → engine (HTML) → search → publish.

Each stage is one package and the data flows one way; this module runs them in order and hands each
the previous one's result. Work is proportional to the change:
- the build key (a digest of every input byte and option) equal to the published site's: nothing to do;
- render writes only pages whose context or template changed (render/keys.py);
- the engine builds only pages whose Markdown changed (the site's manifest records, per HTML file,
  the digest of the Markdown it came from);
- search indexes again only partitions whose pages changed;
- publish writes only files whose digest changed, then swaps the site in one step.
The same code builds cold: an empty manifest means every page is new.
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, has_errors

if TYPE_CHECKING:
    from .model import Content
    from .render import Rendered
    from .settings import Settings


@dataclass(frozen=True)
class Checked:
    content: Content | None  # None when there are errors
    diagnostics: list[Diagnostic]
    identities: dict[int, bytes] = field(default_factory=dict)  # id(model object) → its digest (render/keys.py)


def check(content_dir: Path, cache: Path | None = None) -> Checked:
    """load → validate → model; with `cache` (a file in the content's work folder), the checks of files
    that did not change are reused (validate/__init__.py)."""
    from .load import load_corpus
    from .model import build_content
    from .render.keys import source_digest
    from .validate import validate

    corpus = load_corpus(content_dir)
    store = None
    if cache is not None:
        from .cache import UnitStore

        store = UnitStore(cache)
    validated = validate(corpus, previous=store.load() if store else None, code=source_digest("generator").hex())
    if store is not None:
        store.save(validated.units)
    if has_errors(validated.diagnostics):
        return Checked(None, validated.diagnostics)
    models = {uid: unit.model for uid, unit in validated.units.items()}
    articles = {uid.split(":", 1)[1]: m for uid, m in models.items() if uid.startswith("article:")}
    claims = {uid.split(":", 1)[1]: m for uid, m in models.items() if uid.startswith("claim:")}
    identities = {id(unit.model): unit.identity for unit in validated.units.values()}
    return Checked(build_content(corpus, articles, claims), validated.diagnostics, identities)


# --- the build key -----------------------------------------------------------------------------------------

# Packages whose version changes what a build makes: the engine's (engine/mkdocs.py) and these.
PACKAGES = ("jinja2", "markdown-it-py", "ruamel.yaml", "jsonschema", "rapidfuzz", "babel", "pagefind")


def content_digest(content_dir: Path) -> bytes:
    """Every file under the content folder, by path and bytes (not size or time). Files that are not
    regular (a pipe, a device) count by their kind: reading them could block."""
    h = hashlib.blake2b(digest_size=16)
    root = str(content_dir)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.join(rel_dir, name).encode("utf-8", "surrogateescape") + b"\0")
            try:
                info = os.stat(path)
                if stat.S_ISREG(info.st_mode):
                    with open(path, "rb") as f:
                        h.update(hashlib.blake2b(f.read(), digest_size=16).digest())
                else:
                    h.update(b"special")
            except OSError as exc:
                h.update(f"unreadable {exc.errno}".encode())
    return h.digest()


def build_key(content_dir: Path, settings: Settings, options: str) -> str:
    """A digest of everything a build reads: the content's bytes, the generator's code and templates,
    mkdocs.yml, the Python and package versions, and the options that change the output."""
    from .engine.mkdocs import engine_digest
    from .render.keys import source_digest

    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}==-")
    h = hashlib.blake2b(digest_size=16)
    for part in (content_digest(content_dir), source_digest("generator", "templates"), engine_digest(settings),
                 "\n".join([sys.version, *versions, options]).encode()):
        h.update(part)
    return h.hexdigest()


# --- validate and render, in a forked process ------------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """What the later stages need of validate+render: small, unlike the content model it came from."""
    diagnostics: list[Diagnostic]
    rendered: Rendered | None = None
    summary: str = ""


def prepare(content_dir: Path, settings: Settings, docs_dir: Path, cache: Path | None) -> Prepared:
    from .render import render

    checked = check(content_dir, cache)
    if checked.content is None:
        return Prepared(checked.diagnostics)
    content = checked.content
    summary = (f"{len(content.claims):,} claims, {len(content.articles):,} articles × "
               f"{len(settings.languages)} languages")
    return Prepared(checked.diagnostics, render(content, settings, docs_dir, checked.identities), summary)


# --- the stages after render -----------------------------------------------------------------------------

@dataclass
class Site:
    """The site being made: each file's digest, and the files this build made (the rest come from the
    current site, unchanged)."""
    files: dict[str, str] = field(default_factory=dict)
    fresh: dict[str, Path | bytes] = field(default_factory=dict)

    def add(self, rel: str, source: Path | bytes, digest: str | None = None) -> None:
        from .render.write import file_digest

        if digest is None:
            digest = file_digest(source if isinstance(source, bytes) else source.read_bytes())
        self.files[rel] = digest
        self.fresh[rel] = source

    def carry(self, rel: str, digest: str) -> None:
        self.files[rel] = digest


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    site_dir: Path  # checked by publish.owned.check_output
    docs_dir: Path  # idem
    strict: bool = False
    search: bool = True
    no_cache: bool = False  # build everything again (the same bytes): for a site edited by hand

    @property
    def key_options(self) -> str:
        """The options that change what is built (no_cache does not: it only rebuilds)."""
        return f"strict={self.strict} search={self.search}"


def build(options: BuildOptions) -> int:
    """Build the site; 0 when built (or already up to date), 1 on content errors or a failed stage."""
    import time

    from . import engine, search
    from .diagnostics import Severity
    from .engine import mkdocs
    from .log import log
    from .process import Lock, in_child
    from .publish import Manifest, SiteState, site_marker
    from .publish.owned import MARKER
    from .settings import load_settings

    started = time.perf_counter()
    settings = load_settings()
    with Lock(options.docs_dir.with_name(f".{options.docs_dir.name}.lock"), f"the docs folder {options.docs_dir}"), \
            SiteState(options.site_dir) as state:
        key = build_key(options.content, settings, options.key_options)
        current = None if options.no_cache else state.current
        if current is not None and current.key == key:
            warnings = [Diagnostic(**{**d, "severity": Severity(d["severity"]), "notes": tuple(d["notes"])})
                        for d in current.warnings]
            _report(warnings)
            log(f"{options.site_dir} is up to date ({time.perf_counter() - started:.1f} s)")
            return 0
        log(f"validating {options.content} …")
        # Forked: the content model (~0.6 GB at 10,000 claims) is gone before MkDocs and Pagefind start.
        cache = None if options.no_cache else work_dir(options.content) / "cache.sqlite"
        prepared, figures = in_child(prepare, options.content, settings, options.docs_dir, cache)
        _report(prepared.diagnostics)
        if prepared.rendered is None:
            log("build stopped: fix the errors above; nothing was written")
            return 1
        rendered = prepared.rendered
        log(f"building {prepared.summary}")
        log(f"  validate+render: {figures}; Markdown files: {rendered.stats.written:,} written, "
            f"{rendered.stats.unchanged:,} unchanged, {rendered.stats.deleted:,} deleted")

        site = Site()
        eng = mkdocs.engine_digest(settings).hex()
        same_engine = current is not None and current.engine == eng
        pages: dict[str, str] = {}  # HTML file → Markdown digest
        targets = []
        for info in rendered.pages:
            for lang in settings.codes:
                html = mkdocs.html_file(settings, info.url, lang)
                md = pages[html] = rendered.docs[mkdocs.docs_file(info.path, lang)]
                if same_engine and current.pages.get(html) == md and html in current.files:
                    site.carry(html, current.files[html])
                else:
                    targets.append(engine.Target(info.path, info.url, lang))
        built = engine.build(settings, options.docs_dir, rendered.docs, targets, state.tmp / "engine",
                             options.strict, need_theme=not same_engine)
        for rel, path in built.pages.items():
            site.add(rel, path)
        theme = sorted(built.theme) if built.theme else (current.theme if same_engine else [])
        for rel in theme:
            if built.theme:
                site.add(rel, built.theme[rel])
            else:
                site.carry(rel, current.files[rel])
        if built.not_found is not None:
            site.add(mkdocs.NOT_FOUND, built.not_found)
        else:
            site.carry(mkdocs.NOT_FOUND, current.files[mkdocs.NOT_FOUND])
        for rel, digest in rendered.docs.items():  # the stylesheets and script: MkDocs would copy them as they are
            if not rel.endswith(".md"):
                site.add(rel, (options.docs_dir / rel).read_bytes(), digest)
        for rel, body in rendered.site_files.items():
            site.add(rel, body)

        partitions: dict[str, str] = {}
        if options.search:
            indexed = [search.Indexed(mkdocs.html_file(settings, info.url, lang), "", Path(), lang, info.group)
                       for info in rendered.pages for lang in settings.codes]
            indexed = [search.Indexed(p.rel, site.files[p.rel],
                                      site.fresh[p.rel] if p.rel in site.fresh else options.site_dir / p.rel,
                                      p.lang, p.group) for p in indexed]
            bundles = search.index(indexed, settings.codes, current.partitions if current else {},
                                   state.tmp / "search")
            partitions = bundles.partitions
            for rel, digest in (current.files.items() if current else ()):
                name = rel.split("/", 2)[:2]
                if rel.startswith(search.BUNDLES + "/") and "/".join(name) in partitions \
                        and "/".join(name) not in bundles.rebuilt:
                    site.carry(rel, digest)
            for rel, path in bundles.files.items():
                site.add(rel, path)
            site.add(search.LISTING, bundles.listing())
        site.add(MARKER, site_marker(key))

        warnings = [{**d.__dict__, "severity": d.severity.value, "notes": list(d.notes)} for d in prepared.diagnostics]
        manifest = Manifest(key, site.files, pages, eng, partitions, warnings, theme)
        counts = state.publish(manifest, site.fresh)
        log(f"  publish: {counts['written']:,} files written, {counts['linked']:,} carried over, "
            f"{counts['deleted']:,} deleted, {counts['kept']:,} kept")
    log(f"built {options.site_dir} in {time.perf_counter() - started:.1f} s")
    return 0


def _report(diagnostics: list[Diagnostic]) -> None:
    from .commands.validate import report

    if diagnostics:
        report(diagnostics, stream=sys.stderr)


def work_dir(content_dir: Path) -> Path:
    """The generated files of one content folder (Markdown, caches), under build/ (FACTCHECK_CACHE_DIR moves
    it): two content folders never share one, so their builds never mix."""
    from .settings import PROJECT_ROOT

    base = Path(os.environ.get("FACTCHECK_CACHE_DIR") or PROJECT_ROOT / "build")
    real = content_dir.resolve()
    return base / f"{real.name}-{hashlib.blake2b(str(real).encode(), digest_size=5).hexdigest()}"
