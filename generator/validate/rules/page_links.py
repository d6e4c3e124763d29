"""Links in the about, methodology and corrections pages lead somewhere: an http(s) page, a `mailto:`
address, or one of the site's own pages, written from the site's root (`/methodology/`,
`/claims/<id>/`), which must exist on the public site (the renderer makes them relative to the page, in
its language: render/env.py `page_markdown`)."""
import re
from pathlib import Path

from ...diagnostics import Diagnostic, Severity
from ...load.tree import PAGES, display_path
from ...model import PUBLISHED
from ..registry import rule
from . import urls
from .markdown import links, page_parser

# The site's pages, as render/pages.py lays them out: top-level pages, and the sections whose pages are
# named by the ids of a registry or a content folder (tests/test_desk.py checks every page resolves).
TOP = {"", "claims", "articles", "compare", "verdicts", "tags", "search", *PAGES}
SECTIONS = {"claims": "claim_ids", "articles": "article_ids", "compare": "topics", "verdicts": "verdicts",
            "tags": "tags", "people": "people"}  # section → the context's ids of its pages
_MAILTO = re.compile(r"mailto:[^@\s?]+@[^@\s?]+\.[^@\s?]+(\?\S*)?")
HELP = ("link to an http(s) page, a mailto: address, or one of the site's pages written from its root, "
        "as in [our methodology](/methodology/) or [a fact-check](/claims/<id>/)")


def site_page(path: str, ctx) -> bool:
    """Whether `/path/` is a page of the public site (a draft's is not)."""
    parts = path.strip("/").split("/")
    if len(parts) == 1:
        return parts[0] in TOP
    if len(parts) != 2 or parts[0] not in SECTIONS:
        return False
    section, name = parts
    known = getattr(ctx, SECTIONS[section])
    return known is not None and name in known and (section != "claims" or ctx.claim_status(name) == PUBLISHED)


def _position(text: str, line: int, href: str) -> tuple[int, int]:
    """Where `href` is written, from the 0-based line its block starts on."""
    lines = text.split("\n")
    for i in range(line, len(lines)):
        if (col := lines[i].find(f"]({href}")) != -1:
            return i + 1, col + 3
    return line + 1, 1


def _check(path: str, body: str, line: int, href: str, ctx):
    line, column = _position(body, line, href)
    if href.startswith("/") and not href.startswith("//"):
        page = href.split("#", 1)[0]
        if not site_page(page, ctx):
            yield Diagnostic(path, line, column, Severity.ERROR, "link-unknown-page", f"the site has no page `{page}`",
                             "link to a page the site publishes: /about/, /methodology/, /corrections/, "
                             "/claims/<id>/ of a published claim, /articles/<id>/, /people/<id>/ …")
    elif href.lower().startswith("mailto:"):
        if not _MAILTO.fullmatch(href):
            yield Diagnostic(path, line, column, Severity.ERROR, "url-invalid",
                             f"`{href[:80]}` is not an e-mail address", HELP)
    elif not href.startswith("#") and (found := urls.problem(href)):
        yield Diagnostic(path, line, column, Severity.ERROR, found[0], f"a link in the page {found[1]}: `{href[:80]}`",
                         HELP)


@rule("corpus")
def page_links(ctx):
    for (name, lang), body in sorted(ctx.corpus.pages.items()):
        path = display_path(Path(ctx.corpus.root) / "pages" / f"{name}.{lang}.md")
        for line, href in links(page_parser.parse(body)):
            yield from _check(path, body, line, href, ctx)
