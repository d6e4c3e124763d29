"""URLs are absolute http(s) (no javascript:, data:, …) and lead where they seem to.

The article's, the sources' (and their archived copies') and the people's `url` here; links in explanations are checked with `problem` too, by
markdown.py, which parses each explanation once. A URL with invisible characters is left to the
character rule (characters.py), which names them.
"""
from urllib.parse import urlsplit

from ... import chars
from ..registry import rule
from ._access import items


def problem(url: str) -> tuple[str, str] | None:
    """(code, what is wrong) for a URL that is not a plain absolute http(s) address."""
    if any(c.isspace() or c in chars.CONTROLS for c in url):
        return "url-invalid", "contains spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # `https://[example.org/`: an unclosed IPv6 bracket
        return "url-invalid", f"cannot be read as an address ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "url-invalid", f"uses `{parts.scheme or 'no'}` scheme; only http and https are allowed"
    if "\\" in url:
        # Browsers read `\` as `/`: `https://evil.example\@trusted.example/` leads to evil.example.
        return "url-invalid", "contains a backslash `\\`, which browsers read as `/`"
    if not parts.hostname:
        return "url-invalid", "has no host name"
    if "@" in parts.netloc:
        user, _, host = parts.netloc.rpartition("@")
        return "url-userinfo", (f"leads to `{host}`: `{user}@` before it is a user name, not the host, "
                                "and only makes the address look like another site's")
    return None


HELP = {"url-invalid": "copy the full address from the browser, starting with https://",
        "url-userinfo": "remove the part before `@`; copy the address from the browser's address bar"}


def _check(doc, path, url):
    if isinstance(url, str) and not chars.unsafe(url) and (found := problem(url)):
        code, why = found
        yield doc.diag(path, code, f"URL `{url[:80]}` {why}", HELP[code], key=False)


@rule("article")
def article_url(doc, ctx):
    yield from _check(doc, ("url",), doc.data.get("url"))


@rule("claim")
def source_urls(doc, ctx):
    for i, item in items(doc.data, "sources"):
        for key in ("url", "archive"):
            yield from _check(doc, ("sources", i, key), item.get(key))


@rule("people")
def people_urls(doc, ctx):
    for person, entry in doc.data.items():
        if isinstance(entry, dict):
            yield from _check(doc, (person, "url"), entry.get("url"))
