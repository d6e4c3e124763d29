"""The live preview behind `serve`: the same pipeline as `build`, kept warm in one process, with the
engine run on request.

- A refresh (at start, then after each content change) checks the content, reusing the checks of
  unchanged files (from the build's cache at start, then from memory), and computes every page's key;
  it renders the Markdown only of pages already shown whose key changed. Nothing else is rendered or
  built yet: a large site shows its first page as soon as its content is checked.
- A page a browser asks for is rendered if its key changed, and built by the engine when its HTML is
  missing or older than its Markdown (a second or so: one MkDocs process for the page).
- Each open page waits for its own state (its Markdown's digest and the content's errors) to change,
  then reloads itself; invalid content leaves the last good pages on screen under a list of the errors.
A refresh decides on digests, not on events: a file saved unchanged, or only opened, changes nothing.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

from ..diagnostics import Diagnostic
from ..engine import Target, build as build_html, mkdocs
from ..log import log
from ..cache import UnitStore
from ..load.tree import Reader
from ..pipeline import check_with
from ..render import RenderPass
from ..settings import Settings


class Preview:
    def __init__(self, content: Path, settings: Settings, work: Path) -> None:
        self.content, self.settings = content, settings
        self.docs, self.site, self.tmp = work / "docs", work / "site", work / "tmp"
        self.lock = threading.Lock()  # one pipeline step at a time
        self.changed = threading.Condition()  # notified when a page's state or the errors change
        self.store = UnitStore(work.parent / "cache.sqlite")  # the build's: a preview after a build starts warm
        self.units: dict | None = None
        self.corpus = None  # the files as last read
        self.rendering: RenderPass | None = None
        self.site_files: dict[str, bytes] | None = None  # feeds, claims.json, sitemap: made when asked for
        self.errors: list[Diagnostic] = []
        self.markdown: dict[str, str] = {}  # HTML file → digest of its current Markdown
        self.targets: dict[str, Target] = {}  # HTML file → what the engine builds it from
        self.built: dict[str, str] = {}  # HTML file → digest of the Markdown it was built from
        self.docs_files: dict[str, str] = {}
        self.theme = False  # the theme's files and 404.html are in the preview's site

    # --- what browsers wait for ---------------------------------------------------------------------

    def state(self, html: str) -> str:
        """A page's state as shown: its Markdown and the errors above it. A change reloads the page."""
        errors = "\n".join(f"{d.path}:{d.line}:{d.code}" for d in self.errors)
        return hashlib.blake2b(f"{self.markdown.get(html)}|{errors}".encode(), digest_size=8).hexdigest()

    def wait(self, html: str, state: str, timeout: float) -> str:
        with self.changed:
            self.changed.wait_for(lambda: self.state(html) != state, timeout)
            return self.state(html)

    # --- the pipeline -------------------------------------------------------------------------------

    def refresh(self, changed: set[Path] | None = None) -> bool:
        """Check, and compute the pages' keys; False when the content has errors (the pages shown stay).
        `changed`: the files the watcher saw change (None: read every file)."""
        with self.lock:
            started = time.perf_counter()
            if self.units is None:
                self.units = self.store.load()
            checked, self.units = check_with(self.content, self.units, Reader(self.corpus, changed), self.settings)
            self.corpus = checked.corpus
            self.store.save(self.units)
            checked_at = time.perf_counter()
            errors = [d for d in checked.diagnostics if d.is_error]
            if checked.content is None:
                self._publish_state(errors)
                log(f"preview not updated: {len(errors)} error(s); fix them and save again")
                return False
            rendering = self.rendering = RenderPass(checked.content, self.settings, self.docs, checked.identities,
                                                    previous=self.rendering,
                                                    drafts=True)  # drafts too, bannered: an editor reads them here
            shown = {self.targets[h].path for h in self.built if h in self.targets}
            rendering.render([page for path, page in rendering.stale.items() if path in shown])
            rendered = rendering.finish(with_site_files=False)
            self.site_files = None
            targets = {}
            for info in rendered.pages:
                for lang in self.settings.codes:
                    targets[mkdocs.html_file(self.settings, info.url, lang)] = Target(info.path, info.url, lang)
            for rel, digest in rendered.docs.items():
                if not rel.endswith(".md") and self.docs_files.get(rel) != digest:
                    self._write(rel, (self.docs / rel).read_bytes())
            self.docs_files, self.targets = rendered.docs, targets
            for html in self.built.keys() - targets.keys():  # pages that are gone
                (self.site / html).unlink(missing_ok=True)
                del self.built[html]
            self._publish_state([], {html: self._markdown(html) for html in targets})
            log(f"preview: {rendered.stats.written} Markdown file(s) changed, {len(rendering.stale):,} page(s) "
                f"to render when asked for (check {checked_at - started:.1f} s, render "
                f"{time.perf_counter() - checked_at:.1f} s)")
            return True

    def _markdown(self, html: str) -> str:
        """The digest of a page's Markdown, or its key while it waits to be rendered."""
        target = self.targets[html]
        page = self.rendering.stale.get(target.path)
        return f"key:{page.key}" if page is not None else self.docs_files[mkdocs.docs_file(target.path, target.lang)]

    def _publish_state(self, errors: list[Diagnostic], markdown: dict | None = None) -> None:
        with self.changed:
            self.errors = errors
            if markdown is not None:
                self.markdown = markdown
            self.changed.notify_all()

    def _write(self, rel: str, body: bytes) -> None:
        path = self.site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(body)
        tmp.replace(path)

    def page(self, html: str) -> Path | None:
        """The page's HTML file, rendered and built first if it changed; None if there is no such page."""
        with self.lock:
            if html not in self.targets:
                return None
            if self.built.get(html) != self.markdown[html] or not (self.site / html).is_file():
                self._build([html])
            return self.site / html

    def _render(self, htmls: list[str]) -> None:
        """Render the pages of these HTML files that wait to be rendered."""
        pages = {self.targets[h].path: self.rendering.stale.get(self.targets[h].path) for h in htmls}
        pages = [page for page in pages.values() if page is not None]
        if not pages:
            return
        self.rendering.render(pages)
        self.docs_files = self.rendering.finish(with_site_files=False).docs
        done = {page.path for page in pages}
        with self.changed:
            self.markdown = {**self.markdown, **{h: self._markdown(h) for h, t in self.targets.items()
                                                 if t.path in done}}

    def _build(self, pages: list[str]) -> None:
        if not self.theme:  # the theme and 404.html come with the default language's home page
            pages = [*pages, mkdocs.html_file(self.settings, "", self.settings.default)]
        self._render(pages)
        wanted = {h for h in pages if h in self.targets and self.built.get(h) != self.markdown[h]}
        built = build_html(self.settings, self.docs, self.docs_files, [self.targets[h] for h in sorted(wanted)],
                           self.tmp, need_theme=not self.theme, workers=1)
        for rel, path in built.pages.items():
            self._write(rel, path.read_bytes())
            self.built[rel] = self.markdown[rel]
        if not self.theme:
            for rel, path in built.theme.items():
                self._write(rel, path.read_bytes())
            self._write(mkdocs.NOT_FOUND, built.not_found.read_bytes())
            self.theme = True

    def static(self, rel: str) -> Path | None:
        """A file of the preview's site that is not a page (theme, stylesheets, feeds)."""
        with self.lock:
            if not self.theme:
                self._build([])
            if self.site_files is None and self.rendering is not None:
                from ..render.site_files import site_files

                self.site_files = site_files(self.rendering.content, self.settings, self.rendering.pages)
                for name, body in self.site_files.items():
                    self._write(name, body)
        path = self.site / rel
        return path if path.is_file() else None

    def banner(self) -> str:
        """The errors, for the top of every page while the content has them (JSON for the script)."""
        return json.dumps([f"{d.path}:{d.line}:{d.column}: {d.code}: {d.message}" for d in self.errors],
                          ensure_ascii=False)

