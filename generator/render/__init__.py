"""Render: the content model → Markdown pages (one per page per language), assets and feeds."""
from __future__ import annotations

from ..model import Content
from ..settings import Settings
from .env import TEMPLATES, environment
from .pages import pages, render_page, site_files

__all__ = ["render_docs", "render_site_files"]


def render_docs(content: Content, settings: Settings) -> dict[str, str | bytes]:
    """Every file of the generated docs folder, keyed by its path there."""
    files: dict[str, str | bytes] = {}
    for page in pages(content, settings):
        for lang in content.languages:
            files[f"{page.path}.{lang}.md"] = render_page(page, lang)
    for asset in sorted((TEMPLATES / "assets").iterdir()):
        files[f"assets/{asset.name}"] = asset.read_bytes()
    files["assets/verdicts.css"] = environment().get_template("verdicts.css.j2").render(content=content)
    return files


def render_site_files(content: Content, settings: Settings) -> dict[str, str]:
    """Files placed beside MkDocs' output: per-language feed and filter data."""
    out = {}
    for lang in content.languages:
        prefix = "" if lang == content.languages[0] else f"{lang}/"
        for name, body in site_files(content, settings, lang).items():
            out[prefix + name] = body
    return out
