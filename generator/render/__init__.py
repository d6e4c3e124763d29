"""Render: the content model → Markdown pages (one per page per language), assets and feeds."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the templates load on first use: `render.write` alone must stay light
    from ..model import Content
    from ..settings import Settings
    from .pages import Page

__all__ = ["iter_docs", "render_docs", "render_site_files"]


def iter_docs(content: Content, settings: Settings,
              skip: Callable[[Page], bool] | None = None) -> Iterator[tuple[str, str | bytes]]:
    """(path in the generated docs folder, body) of every file, one at a time (10,000 claims make
    ~25,000 pages: holding them all costs hundreds of MB). Pages for which `skip(page)` is true are
    left out (generator/incremental.py: their files are already up to date)."""
    from .pages import pages, render_page

    for page in pages(content, settings):
        if skip is not None and skip(page):
            continue
        for lang in content.languages:
            yield f"{page.path}.{lang}.md", render_page(page, lang)
    yield from asset_files(content)


def asset_files(content: Content) -> Iterator[tuple[str, str | bytes]]:
    from .env import TEMPLATES, environment

    for asset in sorted((TEMPLATES / "assets").iterdir()):
        yield f"assets/{asset.name}", asset.read_bytes()
    yield "assets/verdicts.css", environment().get_template("verdicts.css.j2").render(content=content)


def render_docs(content: Content, settings: Settings,
                skip: Callable[[Page], bool] | None = None) -> dict[str, str | bytes]:
    """Every file of the generated docs folder, keyed by its path there."""
    return dict(iter_docs(content, settings, skip))


def render_site_files(content: Content, settings: Settings) -> dict[str, str]:
    """Files placed beside MkDocs' output: per-language feed and filter data."""
    from .pages import site_files

    out = {}
    for lang in content.languages:
        prefix = "" if lang == content.languages[0] else f"{lang}/"
        for name, body in site_files(content, settings, lang).items():
            out[prefix + name] = body
    return out
