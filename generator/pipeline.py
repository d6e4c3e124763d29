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
from .publish.owned import MARKER

if TYPE_CHECKING:
    from .cards import Cards
    from .model import Content
    from .render import Rendered
    from .settings import Settings


@dataclass(frozen=True)
class Checked:
    content: Content | None  # None when there are errors
    diagnostics: list[Diagnostic]
    identities: dict[int, bytes] = field(default_factory=dict)  # id(model object) → its digest (render/keys.py)
    corpus: object = field(default=None, repr=False)  # what was read (a preview reads again only what changed)


def check(content_dir: Path, cache: Path | None = None, settings: Settings | None = None,
          history=None) -> Checked:
    """load → validate → model; with `cache` (a file in the content's work folder), the checks of files
    that did not change are reused (validate/__init__.py). `settings`: mkdocs.yml's (its policies), read
    when not given; `history`: the claims as last published (validate/history.py), for `--against`."""
    from .cache import UnitStore

    store = UnitStore(cache) if cache is not None else None
    checked, units = check_with(content_dir, store.load() if store else {}, settings=settings, history=history)
    if store is not None:
        store.save(units)
    return checked


def check_with(content_dir: Path, previous: dict, read=None, settings: Settings | None = None,
               history=None) -> tuple[Checked, dict]:
    """check() reusing the validate units `previous` (a preview keeps them in memory); also returns the
    units of this run. `read`: a load.tree.Reader (the preview's reads only the files that changed)."""
    from .load import load_corpus
    from .model import build_content
    from .render.keys import source_digest
    from .settings import load_settings
    from .validate import validate

    policy = (settings or load_settings()).policy
    corpus = load_corpus(content_dir, read=read)
    validated = validate(corpus, previous=previous, code=source_digest("generator").hex(), policy=policy,
                         history=history)
    if has_errors(validated.diagnostics):
        return Checked(None, validated.diagnostics, corpus=corpus), validated.units
    models = {uid: unit.model for uid, unit in validated.units.items()}
    articles = {uid.split(":", 1)[1]: m for uid, m in models.items() if uid.startswith("article:")}
    claims = {uid.split(":", 1)[1]: m for uid, m in models.items() if uid.startswith("claim:")}
    identities = {id(unit.model): unit.identity for unit in validated.units.values()}
    return Checked(build_content(corpus, articles, claims), validated.diagnostics, identities, corpus), validated.units


# --- the build key -----------------------------------------------------------------------------------------

# Packages whose version changes what a build makes: the engine's (engine/mkdocs.py), the share cards'
# (cards/) and these.
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
    from .cards import PACKAGES as CARD_PACKAGES
    from .engine.mkdocs import engine_digest
    from .render.keys import source_digest

    versions = []
    for name in PACKAGES + CARD_PACKAGES:
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
    cards: Cards | None = None  # the claim pages' share cards (none for a shard: the merge draws them)


def prepare(content_dir: Path, settings: Settings, docs_dir: Path, cache: Path | None,
            drafts: bool = False, cards: bool = True) -> Prepared:
    """validate → model → render, then the share cards (drawn anew without `cache`, as everything else is);
    without `drafts`, the claims not yet published are dropped first."""
    from .cards import draw_cards
    from .render import render

    checked = check(content_dir, cache, settings)
    if checked.content is None:
        return Prepared(checked.diagnostics)
    content = checked.content if drafts else checked.content.published_only()
    unpublished = len(checked.content.claims) - len(content.claims)
    summary = (f"{len(content.claims):,} claims, {len(content.articles):,} articles × "
               f"{len(settings.languages)} languages"
               + (f" ({unpublished:,} unpublished claim(s) left out; `--drafts` shows them)" if unpublished else ""))
    rendered = render(content, settings, docs_dir, checked.identities, drafts)
    drawn = draw_cards(content, settings, work_dir(content_dir) / "cards", reuse=cache is not None) if cards else None
    return Prepared(checked.diagnostics, rendered, summary, drawn)


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
    shard: tuple[int, int] | None = None  # (i, n): build the HTML of part i of n into site_dir, a shard folder
    merge: tuple[Path, ...] = ()  # shard folders: the site is made from their HTML, then indexed and published
    drafts: bool = False  # an internal preview: drafts and claims in review included, every page noindex

    @property
    def key_options(self) -> str:
        """The options that change the site (no_cache does not: it only rebuilds; a site merged from
        shards is the site a build in one go makes, so shards do not count either)."""
        return f"strict={self.strict} search={self.search} drafts={self.drafts}"


def build(options: BuildOptions) -> int:
    """Build the site; 0 when built (or already up to date), 1 on content errors or a failed stage."""
    import time

    from .errors import BuildError
    from .log import log
    from .process import Lock, in_child
    from .publish import SiteState
    from .settings import load_settings

    started = time.perf_counter()
    settings = load_settings()
    for problem in settings.example_addresses():
        log(f"warning: {problem} before the site is published")
    what = f"shard {options.shard[0]} of {options.shard[1]} of the site" if options.shard else "the site"
    with Lock(options.docs_dir.with_name(f".{options.docs_dir.name}.lock"), f"the docs folder {options.docs_dir}"), \
            SiteState(options.site_dir) as state:
        key = build_key(options.content, settings, options.key_options)
        current = None if options.no_cache or options.shard else state.current
        if current is not None and current.key == key:
            _report([_diagnostic(d) for d in current.warnings])
            log(f"{options.site_dir} is up to date ({time.perf_counter() - started:.1f} s)")
            return 0
        log(f"validating {options.content} …")
        cache = None if options.no_cache else work_dir(options.content) / "cache.sqlite"
        try:
            # Forked: the content model (~0.4 GB at 10,000 claims) is gone before MkDocs and Pagefind start.
            prepared, figures = in_child(prepare, options.content, settings, options.docs_dir, cache,
                                         options.drafts, not options.shard)
            _report(prepared.diagnostics)
            if prepared.rendered is None:
                log("build stopped: fix the errors above; nothing was written")
                return 1
            rendered = prepared.rendered
            log(f"building {what}: {prepared.summary}")
            ran = "validate+render" + ("+cards" if prepared.cards is not None else "")
            log(f"  {ran}: {figures}; Markdown files: {rendered.stats.written:,} written, "
                f"{rendered.stats.unchanged:,} unchanged, {rendered.stats.deleted:,} deleted")
            if prepared.cards is not None:
                log(f"  {prepared.cards.summary()}")
            stages = _Stages(settings, options, state, key, current, rendered, prepared.cards)
            if options.shard:
                stages.publish_shard(*options.shard)
            else:
                stages.html()
                if options.search:
                    stages.search()
                stages.publish(prepared.diagnostics)
        except BuildError as exc:
            log(f"error: {exc}\nthe previous site in {options.site_dir} was left as it was")
            return 1
    log(f"built {what} in {options.site_dir} in {time.perf_counter() - started:.1f} s")
    return 0


def _diagnostic(row: dict) -> Diagnostic:
    from .diagnostics import Severity

    return Diagnostic(**{**row, "severity": Severity(row["severity"]), "notes": tuple(row["notes"])})


class _Stages:
    """engine → search → publish, for one build: each stage adds to `site` (the new site's files)."""

    def __init__(self, settings: Settings, options: BuildOptions, state, key: str, current, rendered: Rendered,
                 cards: Cards | None = None):
        from . import engine
        from .engine import mkdocs

        self.settings, self.options, self.state, self.key = settings, options, state, key
        self.current, self.rendered, self.cards = current, rendered, cards
        self.site = Site()
        self.engine_digest = mkdocs.engine_digest(settings).hex()
        self.pages: dict[str, str] = {}  # HTML file → digest of its Markdown
        self.theme: list[str] = []
        self.partitions: dict[str, str] = {}
        self.report: dict = {"built": [], "indexed": []}
        self.groups = {info.path: info.group for info in rendered.pages}  # search groups
        self.merged_theme: dict[str, Path] = {}
        self.all_targets = []
        for info in rendered.pages:
            for lang in settings.codes:
                html = mkdocs.html_file(settings, info.url, lang)
                self.pages[html] = rendered.docs[mkdocs.docs_file(info.path, lang)]
                self.all_targets.append(engine.Target(info.path, info.url, lang))

    def html(self) -> None:
        """Pages whose Markdown (or the engine) changed go through MkDocs; the others are carried over."""
        from . import engine
        from .engine import mkdocs

        current, settings = self.current, self.settings
        same_engine = current is not None and current.engine == self.engine_digest
        shards = self._shards() if self.options.merge else {}
        targets = []
        for target in self.all_targets:
            html = mkdocs.html_file(settings, target.url, target.lang)
            if html in shards:
                self.site.add(html, shards[html])
            elif same_engine and current.pages.get(html) == self.pages[html] and html in current.files:
                self.site.carry(html, current.files[html])
            else:
                targets.append(target)
        if self.options.merge and targets:
            from .errors import BuildError

            raise BuildError(f"the shard folders lack {len(targets):,} page(s), such as "
                             f"{mkdocs.html_file(settings, targets[0].url, targets[0].lang)}: merge the folders of "
                             "every shard, all built from the same commit")
        need_theme = not same_engine and not self.options.merge
        built = engine.build(settings, self.options.docs_dir, self.rendered.docs, targets, self.state.tmp / "engine",
                             self.options.strict, need_theme=need_theme)
        self.report["built"] = sorted(built.pages)
        for rel, path in built.pages.items():
            self.site.add(rel, path)
        if self.options.merge:
            self.theme = sorted(self.merged_theme)
            for rel in self.theme:
                self.site.add(rel, self.merged_theme[rel])
        elif need_theme:
            self.theme = sorted(built.theme)
            for rel in self.theme:
                self.site.add(rel, built.theme[rel])
            self.site.add(mkdocs.NOT_FOUND, built.not_found)
        else:
            self.theme = current.theme
            for rel in [*self.theme, mkdocs.NOT_FOUND]:
                self.site.carry(rel, current.files[rel])
        for rel, digest in self.rendered.docs.items():  # the stylesheets and script: MkDocs would copy them as is
            if not rel.endswith(".md"):
                self.site.add(rel, (self.options.docs_dir / rel).read_bytes(), digest)
        for rel, body in self.rendered.site_files.items():
            self.site.add(rel, body)
        for rel, (name, digest) in (self.cards.files.items() if self.cards else ()):
            if current is not None and current.files.get(rel) == digest:
                self.site.carry(rel, digest)  # published already: no need of the drawn file
            else:
                self.site.add(rel, self.cards.folder / name, digest)

    def _shards(self) -> dict[str, Path]:
        """The HTML files of the shard folders to merge (checked: this build's inputs, every shard)."""
        import json

        from .engine import mkdocs
        from .errors import BuildError

        found: dict[str, Path] = {}
        seen: set[int] = set()
        total = None
        for folder in self.options.merge:
            try:
                info = json.loads((folder / SHARD_INFO).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise BuildError(f"{folder} is not a shard folder ({SHARD_INFO}: {exc})") from exc
            if info["key"] != self.key or info["engine"] != self.engine_digest:
                raise BuildError(f"{folder} was built from other inputs (content, code or mkdocs.yml) than this "
                                 "build's: build every shard from the same commit")
            (i, n), total = info["shard"], total or info["shard"][1]
            if n != total or i in seen:
                raise BuildError(f"{folder} is shard {i} of {n}: the folders must be shards 1 to {total}, once each")
            seen.add(i)
            for html, md in info["pages"].items():
                if self.pages.get(html) == md:
                    found[html] = folder / html
            if info["theme"]:
                self.merged_theme = {rel: folder / rel for rel in [*info["theme"], mkdocs.NOT_FOUND]}
        if total is None or len(seen) != total:
            raise BuildError(f"merging needs the folders of shards 1 to {total or 'N'}; got {sorted(seen)}")
        return found

    def publish_shard(self, i: int, n: int) -> None:
        """Shard i of n: every n-th page (in a fixed order) built into a shard folder, with what merging needs."""
        import json

        from . import engine
        from .engine import mkdocs
        from .publish import Manifest, site_marker

        targets = self.all_targets[i - 1::n]
        built = engine.build(self.settings, self.options.docs_dir, self.rendered.docs, targets,
                             self.state.tmp / "engine", self.options.strict, need_theme=i == 1)
        for rel, path in built.pages.items():
            self.site.add(rel, path)
        theme = sorted(built.theme) if i == 1 else []
        for rel in theme:
            self.site.add(rel, built.theme[rel])
        if i == 1:
            self.site.add(mkdocs.NOT_FOUND, built.not_found)
        info = {"key": self.key, "engine": self.engine_digest, "shard": [i, n], "theme": theme,
                "pages": {rel: self.pages[rel] for rel in sorted(built.pages)}}
        self.site.add(SHARD_INFO, json.dumps(info, sort_keys=True).encode("utf-8"))
        marker = site_marker(self.key, "shard")
        self.site.add(MARKER, marker)
        self.state.publish(Manifest(self.key, self.site.files), self.site.fresh, from_scratch=True, marker=marker)

    def search(self) -> None:
        from . import search
        from .engine import mkdocs

        current, site = self.current, self.site
        indexed = []
        for target in self.all_targets:
            rel = mkdocs.html_file(self.settings, target.url, target.lang)
            indexed.append(search.Indexed(rel, site.files[rel],
                                          site.fresh[rel] if rel in site.fresh else self.options.site_dir / rel,
                                          target.lang, self.groups[target.path]))
        bundles = search.index(indexed, self.settings.codes, self.settings.search_partitions,
                               current.partitions if current and not self.options.no_cache else {},
                               self.state.tmp / "search")
        self.partitions = bundles.partitions
        self.report["indexed"] = bundles.rebuilt
        for rel, digest in (current.files.items() if current else ()):
            name = "/".join(rel.split("/", 2)[:2])
            if rel.startswith(search.BUNDLES + "/") and name in bundles.partitions and name not in bundles.rebuilt:
                site.carry(rel, digest)
        for rel, path in bundles.files.items():
            site.add(rel, path)
        site.add(search.LISTING, bundles.listing())

    def publish(self, diagnostics: list[Diagnostic]) -> None:
        import json

        from .log import log
        from .publish import Manifest, site_marker

        self.site.add(MARKER, site_marker(self.key))
        warnings = [{**d.__dict__, "severity": d.severity.value, "notes": list(d.notes)} for d in diagnostics]
        manifest = Manifest(self.key, self.site.files, self.pages, self.engine_digest, self.partitions, warnings,
                            self.theme)
        counts = self.state.publish(manifest, self.site.fresh, from_scratch=self.options.no_cache)
        self.report["publish"] = counts
        (self.state.folder / "report.json").write_text(json.dumps(self.report, indent=1), encoding="utf-8")
        log(f"  publish: {counts['written']:,} files written, {counts['linked']:,} carried over, "
            f"{counts['deleted']:,} deleted, {counts['kept']:,} kept")


SHARD_INFO = "shard.json"


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
