"""MkDocs hooks (mkdocs.yml `hooks:`), run inside MkDocs for each language build.

Material puts `dir` on <body> only; readers' tools, Pagefind and assistive
technology look at <html>, so the page direction is set there as well.

MkDocs dates every page (the sitemap's <lastmod>, the .gz header) with the
build date, or SOURCE_DATE_EPOCH; the generator writes each page's content
date as `lastmod` in its front matter, and that date is used instead, so the
same content builds the same sitemap on any day, with or without the variable.
"""
from __future__ import annotations

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def on_post_page(output: str, page, config) -> str:
    lang = str(config.theme.get("language") or "en")
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    return output.replace("<html ", f'<html dir="{direction}" ', 1)


def on_page_markdown(markdown: str, page, config, files) -> str:
    lastmod = page.meta.get("lastmod")
    if lastmod:
        page.update_date = str(lastmod)
    return markdown
