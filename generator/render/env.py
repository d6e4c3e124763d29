"""The Jinja environment: templates in templates/, filters that make editors' text safe.

Generated pages are Markdown files whose bodies are HTML blocks, so every
editor's string is HTML-escaped by autoescape; Python-Markdown leaves raw
HTML blocks alone, so no Markdown, attribute-list or snippet syntax in an
editor's text is ever interpreted. The Markdown an editor writes, a claim's
`explanation` and the pages (about, methodology, corrections), is rendered
here by markdown-it-py with raw HTML off; pages may also hold tables, mailto:
links and links to the site's own pages (`/methodology/`), which are made
relative to the page, in its language.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from ruamel.yaml import YAML

from ..load import limits
from ..settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
_SAFE_SCHEMES = ("http:", "https:", "#")
_PAGE_SCHEMES = (*_SAFE_SCHEMES, "mailto:", "/")  # the validator checks each (validate/rules/page_links.py)


def _markdown_renderer(schemes: tuple[str, ...]) -> MarkdownIt:
    # maxNesting as the validator's (rules/markdown.py): it refuses what would be cut off here.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": limits.MARKDOWN_MAX_NESTING})
    md.disable("image")  # editors' explanations link sources; images from anywhere are not embedded
    default_validate = md.validateLink
    md.validateLink = lambda url: default_validate(url) and url.strip().lower().startswith(schemes) \
        and not url.startswith("//")
    md.add_render_rule("link_open", _link_open)
    return md


def _link_open(self, tokens, idx, options, env):
    href = tokens[idx].attrGet("href") or ""
    if href.startswith("/"):  # one of the site's pages, from the language's root: relative to this page
        tokens[idx].attrSet("href", (env["up"] + href[1:]) or "./")
    elif not href.startswith(("#", "mailto:")):
        tokens[idx].attrSet("rel", "noopener nofollow")
    return self.renderToken(tokens, idx, options, env)


_md = _markdown_renderer(_SAFE_SCHEMES)
_page_md = _markdown_renderer(_PAGE_SCHEMES).enable("table")


def markdown(text: str, shift: int = 2) -> Markup:
    # Headings inside an explanation would compete with the page's own; shift them down two levels.
    html = _md.render(text, {"up": ""})
    for level in (4, 3, 2, 1) if shift else ():
        html = html.replace(f"<h{level}>", f"<h{min(level + shift, 6)}>").replace(f"</h{level}>", f"</h{min(level + shift, 6)}>")
    return Markup(html.strip())


@pass_context
def page_markdown(ctx, text: str) -> Markup:
    """An about, methodology or corrections page's Markdown: links to the site's pages made relative to this one."""
    return Markup(_page_md.render(text, {"up": _up(ctx["page_url"])}).strip())


@cache
def strings() -> dict:
    return YAML(typ="safe").load((TEMPLATES / "strings.yaml").read_text(encoding="utf-8"))


@pass_context
def t(ctx, key: str) -> str:
    return strings()[key][ctx["lang"]]


@pass_context
def date(ctx, value: dt.date | None) -> Markup:
    if value is None:
        return Markup("")
    return _date_html(value, ctx["lang"])


@lru_cache(maxsize=8192)
def _date_html(value: dt.date, lang: str) -> Markup:
    # Cached: a listing shows the same few hundred days over and over, and babel is slow.
    shown = format_date(value, format="long", locale=lang)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), shown)


@pass_context
def tr(ctx, text) -> str:
    """The page-language side of a bilingual Text."""
    return text[ctx["lang"]] if text is not None else ""


@pass_context
def url(ctx, target: str, lang: str | None = None) -> str:
    """Link from the current page to a page path such as "claims/x/" (directory URLs), "" for the home
    page: up to the language root, then down. Not always the shortest link, but one that depends on the
    page's depth alone, so a fragment rendered for one page (`memo`) is right on any page as deep.
    `lang`: a path under that language's root instead (up to the site's root, then down)."""
    up = _up(ctx["page_url"])
    if lang is not None and lang != ctx["lang"]:
        settings = ctx["settings"]
        up += _up(settings.root(ctx["lang"])) + settings.root(lang)
    return (up + target) or "./"


@lru_cache(maxsize=1024)
def _up(page_url: str) -> str:
    return "../" * len([part for part in page_url.split("/") if part])


_FRAGMENTS: dict = {}  # memo's store: emptied at the start of every render pass (render.begin_pass)


@pass_context
def memo(ctx, macro, item) -> Markup:
    """macro(item), rendered once per render pass for each item, language and page depth: a claim's list
    item is on its verdict, tag, topic, article and related claims' pages, dozens of times in all. Keyed by
    the item object itself (by id: it lives as long as the pass), so no fragment outlives its content."""
    k = (macro.name, id(item), ctx["lang"], _up(ctx["page_url"]))
    hit = _FRAGMENTS.get(k)
    if hit is None or hit[0] is not item:
        hit = _FRAGMENTS[k] = (item, macro(item))
    return hit[1]


def begin_pass() -> None:
    _FRAGMENTS.clear()


@pass_context
def report_links(ctx, title: str) -> list[tuple[str, str]]:
    """(label key, href) of each way to report an error in the page titled `title`: the corrections form with
    the page's address filled in, an e-mail with its title and address in the subject and body. The page
    links the first as "report an error in this fact-check", the other by its label."""
    settings, lang = ctx["settings"], ctx["lang"]
    channel, address = settings.corrections, settings.url(lang, ctx["page_url"])
    found = []
    if channel.url:
        if "{url}" in channel.url:
            found.append(("report_form", channel.url.replace("{url}", quote(address, safe=""))))
        else:
            found.append(("report_form", channel.url + ("&" if "?" in channel.url else "?") + urlencode({"url": address})))
    if channel.email:
        subject = f"{strings()['report_subject'][lang]}: {title}"
        body = strings()["report_body"][lang].format(url=address)
        found.append(("report_email", f"mailto:{channel.email}?" + urlencode({"subject": subject, "body": body},
                                                                                quote_via=quote)))
    return found


def _fragment_term(term: str) -> str:
    # Text Fragments: `-`, `&` and `,` inside a term must be percent-encoded; quote() never encodes `-`.
    return quote(" ".join(term.split()), safe="").replace("-", "%2D")


def text_fragment(page_url: str, exact: str, prefix: str = "", suffix: str = "", words: int = 4) -> str:
    """`url#:~:text=[prefix-,]start[,end][,-suffix]`, long quotes cut to their first and last words."""
    parts = exact.split()
    if len(parts) > 2 * words:
        body = f"{_fragment_term(' '.join(parts[:words]))},{_fragment_term(' '.join(parts[-words:]))}"
    else:
        body = _fragment_term(exact)
    pre = f"{_fragment_term(prefix)}-," if prefix.strip() else ""
    post = f",-{_fragment_term(suffix)}" if suffix.strip() else ""
    return f"{page_url.split('#')[0]}#:~:text={pre}{body}{post}"


def to_json(value) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` escaped so no text can close the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def contrast_text(color: str) -> str:
    """Black or white, whichever reads better on `color` (WCAG relative luminance)."""
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = sum(w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
              for w, c in zip((0.2126, 0.7152, 0.0722), (r, g, b)))
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def front_matter_value(value) -> str:
    """A YAML-safe scalar for front matter: JSON, which YAML reads as a double-quoted string."""
    return Markup(json.dumps(value, ensure_ascii=True))


def split_title(markdown_text: str) -> tuple[str, str]:
    """(title, body) of an editor's page: the title is its first `# ` heading."""
    lines = markdown_text.lstrip("\ufeff").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return line[2:].strip(), "\n".join(lines[:i] + lines[i + 1:])
    return "", markdown_text


@cache
def environment(template_dir: Path = TEMPLATES) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=True,  # every editor's string is HTML-escaped
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from .pages import anchor_id
    from .share import share

    env.globals.update(t=t, url=url, memo=memo, text_fragment=text_fragment, split_title=split_title,
                       anchor_id=anchor_id, report_links=report_links, share=share)
    env.filters.update(markdown=markdown, page_markdown=page_markdown, date=date, tr=tr, to_json=to_json,
                       fm=front_matter_value, e=escape, contrast_text=contrast_text)
    return env
