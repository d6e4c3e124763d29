"""URLs are absolute http(s); links in explanations too (no javascript:, data:, …)."""
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from ..registry import rule
from ._access import items, text

_md = MarkdownIt("commonmark", {"html": False})
_md.validateLink = lambda url: True  # see every link, to report the unsafe ones


def problem(url: str) -> str | None:
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        return "contains spaces or control characters"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return f"uses `{parts.scheme or 'no'}` scheme; only http and https are allowed"
    if not parts.netloc:
        return "has no host name"
    return None


def _check(doc, path, url):
    if isinstance(url, str) and (why := problem(url)):
        yield doc.diag(path, "url-invalid", f"URL `{url[:80]}` {why}",
                       "copy the full address from the browser, starting with https://", key=False)


def _links(markdown: str):
    for block in _md.parse(markdown):
        for tok in block.children or ():
            if tok.type in ("link_open", "image"):
                yield tok.attrGet("href") or tok.attrGet("src") or ""


@rule("article")
def article_url(doc, ctx):
    yield from _check(doc, ("url",), doc.data.get("url"))


@rule("claim")
def claim_urls(doc, ctx):
    for i, item in items(doc.data, "sources"):
        yield from _check(doc, ("sources", i, "url"), item.get("url"))
    for lang in ("ar", "en"):
        body = text(doc.data, "explanation", lang)
        for href in _links(body or ""):
            if href.startswith("#"):
                continue
            why = problem(href)
            if why:
                yield doc.diag(("explanation", lang), "url-invalid", f"a link in the explanation {why}: `{href[:80]}`",
                               "link only to http(s) pages, written as [text](https://…)", key=False)
