"""Render: the content model → Markdown pages (one file per page per language) in the docs folder, and
the files that go to the site as they are (feeds, filter data, sitemap).

Only pages whose key changed are rendered (render/keys.py), in parallel on every core; only files
whose bytes changed are written (render/write.py). The result says which Markdown files the site is
made of, with their digests: the engine builds exactly the pages whose Markdown changed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..model import Claim, Content
from ..process import fork_map
from ..settings import Settings
from .env import TEMPLATES, begin_pass, environment
from .keys import Identities, page_key, template_digest
from .pages import FREE_TEXT, Page, pages
from .write import DocsFolder, SyncStats, write_if_changed

__all__ = ["PageInfo", "Rendered", "render"]


@dataclass(frozen=True)
class PageInfo:
    path: str  # "claims/x"
    url: str  # "claims/x/"
    lastmod: dt.date
    group: str  # Page.group: its search partition follows from it


@dataclass(frozen=True)
class Rendered:
    docs: dict[str, str]  # every file of the docs folder: relative path → digest
    pages: tuple[PageInfo, ...]  # in site order
    site_files: dict[str, bytes]  # relative to the site root: feeds, claims.json, sitemap
    stats: SyncStats


def render_page(page: Page, lang: str) -> str:
    from .article import article_html
    from .jsonld import claim_review

    ctx = {**page.context, "lang": lang, "page_url": page.url, "page": page}
    if page.template == "claim.md.j2":  # no structured data says a draft is a review
        ctx["jsonld"] = claim_review(page.context, lang) if page.context["claim"].is_published else None
    if page.template == "article.md.j2":
        ctx["article_html"] = article_html(page.context, lang)
    return environment().get_template(page.template).render(ctx)


def asset_files(content: Content) -> dict[str, bytes]:
    """Docs files that are not pages (MkDocs copies them as they are): the stylesheets and script."""
    out = {f"assets/{p.name}": p.read_bytes() for p in sorted((TEMPLATES / "assets").iterdir())}
    out["assets/verdicts.css"] = environment().get_template("verdicts.css.j2").render(
        verdicts=content.verdicts).encode("utf-8")
    return out


class RenderPass:
    """One render of the content: every page's key, the pages whose key changed (`stale`), and their
    Markdown when asked for. `build` renders every stale page (`render`); the preview renders a page when a
    browser asks for it, and passes its previous pass (`previous`) so that an edit to claims that moves
    none of them (render/pages.py `FREE_TEXT`) recomputes only the keys of the pages that hold them."""

    def __init__(self, content: Content, settings: Settings, docs_dir: Path,
                 known: dict[int, bytes] | None = None, previous: RenderPass | None = None,
                 drafts: bool = False) -> None:
        """`known`: digests of model objects computed already (pipeline.check), by id. `drafts`: an internal
        preview (the content holds unpublished claims; every page is noindex and bannered)."""
        begin_pass()
        self.content, self.settings, self.docs_dir, self.drafts = content, settings, docs_dir, drafts
        self.folder = DocsFolder(docs_dir)
        self.folder.open()
        self.identities = Identities(content, known or {})
        self.files: dict[str, str] = {}  # the docs folder's files that are current: relative path → digest
        self.keys: dict[str, str] = {}  # the key of each page whose files are current
        self.stale: dict[str, Page] = {}
        self.all_keys: dict[str, str] = {}  # every page's key
        self.holders: dict[str, set[str]] = {}  # claim id → the pages whose context holds the claim
        self.written = 0
        self._templates: dict[str, bytes] = {}
        changed = None
        if previous is not None and previous.drafts == drafts \
                and all(template_digest(t, TEMPLATES) == d for t, d in previous._templates.items()):
            self._templates = dict(previous._templates)
            changed = _moved_nothing(previous, content)
        if changed is None:
            self.pages = list(pages(content, settings, drafts))
            for page in self.pages:
                self._keep_or_stale(page, self._key(page))
        else:  # the previous pass's pages, with the changed claims swapped in where they are held
            self.holders = previous.holders
            touched = set().union(*(previous.holders.get(cid, ()) for cid in changed))
            self.pages = [_swapped(page, changed) if page.path in touched else page for page in previous.pages]
            for page in self.pages:
                self._keep_or_stale(page, self._key(page) if page.path in touched else previous.all_keys[page.path])

    def _key(self, page: Page) -> str:
        if page.template not in self._templates:
            self._templates[page.template] = template_digest(page.template, TEMPLATES)
        holds: set[str] = set()
        key = page_key(self._templates[page.template], page.context, self.identities, holds).hex()
        for cid in holds:
            self.holders.setdefault(cid, set()).add(page.path)
        return key

    def _keep_or_stale(self, page: Page, key: str) -> None:
        self.all_keys[page.path] = key
        rels = self.rels(page)
        if self.folder.unchanged(page.path, key, rels):
            self.files.update((rel, self.folder.files[rel]) for rel in rels)
            self.keys[page.path] = key
        else:
            self.stale[page.path] = page
            object.__setattr__(page, "key", key)  # kept with the page until it is rendered

    def rels(self, page: Page) -> list[str]:
        return [f"{page.path}.{lang}.md" for lang in self.settings.codes]

    def render(self, pages: list[Page]) -> None:
        """Write the Markdown of these stale pages, on every core when there are many."""
        folder, docs_dir, codes = self.folder, self.docs_dir, self.settings.codes

        def render_part(part: list[Page]) -> list[tuple[str, str, bool]]:
            return [(f"{page.path}.{lang}.md",
                     *write_if_changed(docs_dir, folder.files, f"{page.path}.{lang}.md", render_page(page, lang)))
                    for page in part for lang in codes]

        for rel, digest, wrote in fork_map(render_part, pages):
            self.files[rel] = digest
            self.written += wrote
        for page in pages:
            self.keys[page.path] = self.stale.pop(page.path).key

    def finish(self, with_site_files: bool = True) -> Rendered:
        """Write the static files, record what is current (a stale page not rendered stays out of the
        manifest, so the next pass renders it) and make the files that go to the site as they are."""
        from .site_files import site_files

        for rel, body in asset_files(self.content).items():
            self.files[rel], wrote = write_if_changed(self.docs_dir, self.folder.files, rel, body)
            self.written += wrote
        deleted = self.folder.finish(self.files, self.keys)
        infos = tuple(PageInfo(p.path, p.url, p.lastmod, p.group) for p in self.pages)
        extra = site_files(self.content, self.settings, self.pages) if with_site_files else {}
        return Rendered(dict(self.files), infos, extra,
                        SyncStats(self.written, len(self.files) - self.written, deleted))


def _moved_nothing(previous: RenderPass, content: Content) -> dict | None:
    """The claims that changed since the previous pass, by id, if they changed in free text only and nothing
    else changed (no claim added or removed, every other model object the same); else None."""
    before = previous.content
    if any(getattr(before, f) is not getattr(content, f) and getattr(before, f) != getattr(content, f)
           for f in ("verdicts", "topics", "tags", "articles", "pages", "people", "languages")) \
            or before.claims.keys() != content.claims.keys():
        return None
    changed = {cid: claim for cid, claim in content.claims.items() if claim is not before.claims[cid]}
    for cid, claim in changed.items():
        old = before.claims[cid]
        if dataclasses.replace(claim, **{f: getattr(old, f) for f in FREE_TEXT}) != old:
            return None
    return changed


def _swapped(page: Page, claims: dict) -> Page:
    def swap(value):
        if isinstance(value, Claim):
            return claims.get(value.id, value)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    return Page(page.path, page.template, swap(page.context), page.group)


def render(content: Content, settings: Settings, docs_dir: Path, known: dict[int, bytes] | None = None,
           drafts: bool = False) -> Rendered:
    """Render every page whose key changed (the build's render stage)."""
    rendering = RenderPass(content, settings, docs_dir, known, drafts=drafts)
    rendering.render(list(rendering.stale.values()))
    return rendering.finish()
