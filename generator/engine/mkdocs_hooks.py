"""MkDocs hooks (mkdocs.yml `hooks:`), run inside MkDocs for each language build.

Material puts `dir` on <body> only; readers' tools, Pagefind and assistive
technology look at <html>, so the page direction is set there as well.

MkDocs dates every page (the sitemap's <lastmod>, the .gz header) with the
build date, or SOURCE_DATE_EPOCH; the generator writes each page's content
date as `lastmod` in its front matter, and that date is used instead, so the
same content builds the same sitemap on any day, with or without the variable.

With FACTCHECK_BUILD_LOCALE set (generator/build/ runs one MkDocs process per
language, in parallel), this process builds that one language only; see on_config.
"""
from __future__ import annotations

import os
from pathlib import Path

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}
LOCALE_VARIABLE = "FACTCHECK_BUILD_LOCALE"


def on_config(config):
    """Build only the language named in FACTCHECK_BUILD_LOCALE, at its usual place (`/` or `/<lang>/`).

    mkdocs-static-i18n builds the default language, then the others from its on_post_build. Its
    own `build_only_locale` makes the built language the site root and drops the language
    switcher, so instead: both languages stay `build: true` (alternates, the switcher and the
    sitemap's hreflang links are computed as usual), `building = True` stops its loop over the
    other languages, and `current_language` chooses this process's language. This hook runs
    before i18n's on_config (event priority -100), which then configures that language.
    """
    locale = os.environ.get(LOCALE_VARIABLE)
    if not locale:
        return config
    i18n = config.plugins.get("i18n")
    if i18n is None or locale not in i18n.build_languages:
        raise ValueError(f"{LOCALE_VARIABLE}={locale!r}: not a language the i18n plugin builds")
    i18n.building = True
    i18n.current_language = locale
    return config


def on_post_page(output: str, page, config) -> str:
    lang = str(config.theme.get("language") or "en")
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    return output.replace("<html ", f'<html dir="{direction}" ', 1)


def on_page_markdown(markdown: str, page, config, files) -> str:
    lastmod = page.meta.get("lastmod")
    if lastmod:
        page.update_date = str(lastmod)
    return markdown


def _languages(config) -> list:
    i18n = config.plugins.get("i18n")
    return [lang for lang in i18n.config.languages if lang.build] if i18n else []


def on_template_context(context, template_name, config):
    # The 404 page has no page of its own: without this, its language links keep the
    # alternates of whichever page was rendered last. Point them at each language's home.
    if template_name == "404.html" and _languages(config):
        config.extra["alternate"] = [{"name": lang.name, "link": lang.link, "lang": lang.locale}
                                     for lang in _languages(config)]
    return context


def on_post_template(output: str, template_name: str, config) -> str:
    if template_name != "404.html":
        return output
    # Every language build writes the one /404.html at the site root; the later builds
    # would overwrite the default language's page, so they keep what it wrote.
    default = next((lang.locale for lang in _languages(config) if lang.default), None)
    existing = Path(config.site_dir) / "404.html"
    if default and config.theme.get("language") != default and existing.is_file():
        return existing.read_text(encoding="utf-8")
    return on_post_page(output, None, config)
