"""MkDocs hooks (mkdocs.yml `hooks:`), run inside MkDocs for each language build.

Material puts `dir` on <body> only; readers' tools, Pagefind and assistive
technology look at <html>, so the page direction is set there as well.
"""
from __future__ import annotations

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def on_post_page(output: str, page, config) -> str:
    lang = str(config.theme.get("language") or "en")
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    return output.replace("<html ", f'<html dir="{direction}" ', 1)
