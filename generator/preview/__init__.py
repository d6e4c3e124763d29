"""The live preview behind `serve`: the same pipeline as `build`, kept warm in one process, with the
engine run on request.

- A refresh (at start, then after each content change) checks the content, reusing the checks of
  unchanged files from memory, and renders the Markdown of the pages whose key changed. Nothing is
  built as HTML yet: a large site shows its first page as soon as its content is checked.
- A page a browser asks for is built by the engine when its HTML is missing or older than its
  Markdown (a second or so: one MkDocs process, a few pages).
- Each open page waits for its own state (its Markdown's digest and the content's errors) to change,
  then reloads itself; invalid content leaves the last good pages on screen under a list of the errors.
A refresh decides on digests, not on events: a file saved unchanged, or only opened, changes nothing.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from ..diagnostics import Diagnostic
from ..engine import Target, build as build_html, mkdocs
from ..log import log
from ..pipeline import check_with
from ..render import render
from ..settings import Settings


class Preview:
    def __init__(self, content: Path, settings: Settings, work: Path) -> None:
        self.content, self.settings = content, settings
        self.docs, self.site, self.tmp = work / "docs", work / "site", work / "tmp"
        self.lock = threading.Lock()  # one pipeline step at a time
        self.changed = threading.Condition()  # notified when a page's state or the errors change
        self.units: dict = {}
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

    def refresh(self) -> bool:
        """Check and render; False when the content has errors (the pages shown stay as they were)."""
        with self.lock:
            checked, self.units = check_with(self.content, self.units, self.settings)
            errors = [d for d in checked.diagnostics if d.is_error]
            if checked.content is None:
                self._publish_state(errors)
                log(f"preview not updated: {len(errors)} error(s); fix them and save again")
                return False
            # Drafts and claims in review too, bannered: the preview is where an editor reads them.
            rendered = render(checked.content, self.settings, self.docs, checked.identities, drafts=True)
            markdown, targets = {}, {}
            for info in rendered.pages:
                for lang in self.settings.codes:
                    html = mkdocs.html_file(self.settings, info.url, lang)
                    markdown[html] = rendered.docs[mkdocs.docs_file(info.path, lang)]
                    targets[html] = Target(info.path, info.url, lang)
            for rel, body in rendered.site_files.items():
                self._write(rel, body)
            for rel, digest in rendered.docs.items():
                if not rel.endswith(".md") and self.docs_files.get(rel) != digest:
                    self._write(rel, (self.docs / rel).read_bytes())
            self.docs_files, self.targets = rendered.docs, targets
            for html in self.built.keys() - markdown.keys():  # pages that are gone
                (self.site / html).unlink(missing_ok=True)
                del self.built[html]
            written = rendered.stats.written
            self._publish_state([], markdown)
            log(f"preview: {written} Markdown file(s) changed")
            return True

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
        """The page's HTML file, built first if its Markdown changed; None if there is no such page."""
        with self.lock:
            if html not in self.targets:
                return None
            if self.built.get(html) != self.markdown[html] or not (self.site / html).is_file():
                self._build([html])
            return self.site / html

    def _build(self, pages: list[str]) -> None:
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
                self._build([next(iter(self.targets))] if self.targets else [])
        path = self.site / rel
        return path if path.is_file() else None

    def banner(self) -> str:
        """The errors, for the top of every page while the content has them (JSON for the script)."""
        return json.dumps([f"{d.path}:{d.line}:{d.column}: {d.code}: {d.message}" for d in self.errors],
                          ensure_ascii=False)

