"""Render: the content model → Markdown pages (one file per page per language) in the docs folder, and
the files that go to the site as they are (feeds, filter data, sitemap).

Only pages whose key changed are rendered (render/keys.py), in parallel on every core; only files
whose bytes changed are written (render/write.py). The result says which Markdown files the site is
made of, with their digests: the engine builds exactly the pages whose Markdown changed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..model import Content
from ..process import fork_map
from ..settings import Settings
from .env import TEMPLATES, begin_pass, environment
from .keys import Identities, page_key, template_digest
from .pages import Page, pages
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


def render(content: Content, settings: Settings, docs_dir: Path, known: dict[int, bytes] | None = None,
           drafts: bool = False) -> Rendered:
    """`known`: digests of model objects computed already (pipeline.check), by id. `drafts`: an internal
    preview (the content holds unpublished claims; every page is noindex and bannered)."""
    from .site_files import site_files

    begin_pass()
    folder = DocsFolder(docs_dir)
    folder.open()
    identities = Identities(content, known or {})
    all_pages = list(pages(content, settings, drafts))
    templates: dict[str, bytes] = {}
    files: dict[str, str] = {}
    keys: dict[str, str] = {}
    todo: list[Page] = []
    for page in all_pages:
        if page.template not in templates:
            templates[page.template] = template_digest(page.template, TEMPLATES)
        key = keys[page.path] = page_key(templates[page.template], page.context, identities).hex()
        rels = [f"{page.path}.{lang}.md" for lang in settings.codes]
        if folder.unchanged(page.path, key, rels):
            files.update((rel, folder.files[rel]) for rel in rels)
        else:
            todo.append(page)

    def render_part(part: list[Page]) -> list[tuple[str, str, bool]]:
        return [(f"{page.path}.{lang}.md",
                 *write_if_changed(docs_dir, folder.files, f"{page.path}.{lang}.md", render_page(page, lang)))
                for page in part for lang in settings.codes]

    written = 0
    for rel, digest, wrote in fork_map(render_part, todo):
        files[rel] = digest
        written += wrote
    for rel, body in asset_files(content).items():
        files[rel], wrote = write_if_changed(docs_dir, folder.files, rel, body)
        written += wrote
    deleted = folder.finish(files, keys)
    infos = tuple(PageInfo(p.path, p.url, p.lastmod, p.group) for p in all_pages)
    return Rendered(files, infos, site_files(content, settings, all_pages),
                    SyncStats(written, len(files) - written, deleted))
