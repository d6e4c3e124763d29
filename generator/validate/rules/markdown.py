"""Markdown the site renders (explanations, pages) renders whole, and its links are safe.

markdown-it stops parsing at its `maxNesting` and drops the rest of the text without a word, so
blockquotes and lists nested deeper than `limits.MAX_MARKDOWN_DEPTH` are refused; the renderer
(generator/render/env.py) uses the same `limits.MARKDOWN_MAX_NESTING`, under which everything this
accepts renders. Each explanation is parsed once here, for both checks.
"""
from pathlib import Path

from markdown_it import MarkdownIt

from ... import chars
from ...diagnostics import Diagnostic, Severity
from ...load import limits
from ...load.tree import display_path
from ..context import LANGUAGES
from ..registry import rule
from . import characters, urls
from ._access import text


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": limits.MARKDOWN_MAX_NESTING})
    md.validateLink = lambda url: True  # see every link, to report the unsafe ones
    md.normalizeLink = lambda url: url  # as written, not percent-encoded: an invisible character stays visible
    return md


_md = _parser()  # explanations
page_parser = _parser().enable("table")  # the about, methodology and corrections pages, as render/env.py's
_CONTAINERS = {"blockquote_open": 1, "bullet_list_open": 1, "ordered_list_open": 1,
               "blockquote_close": -1, "bullet_list_close": -1, "ordered_list_close": -1}
# Direction characters free text may hold but a URL may not; the others the character rule reports.
_ALLOWED_IN_TEXT = set(chars.BIDI) - set(chars.OVERRIDES)


def too_deep(tokens) -> int | None:
    """The 1-based line of the first blockquote or list nested deeper than allowed, if any."""
    depth = 0
    for tok in tokens:
        depth += _CONTAINERS.get(tok.type, 0)
        if depth > limits.MAX_MARKDOWN_DEPTH:
            return tok.map[0] + 1
    return None


def _too_deep_message(subject: str, line: int) -> tuple[str, str]:
    return (f"{subject} nests blockquotes and lists more than {limits.MAX_MARKDOWN_DEPTH} levels deep "
            f"(line {line} of the text); the site would drop the text below that level",
            f"nest at most {limits.MAX_MARKDOWN_DEPTH} levels: flatten the lists, or quote less deeply")


def links(tokens):
    """(0-based line of the block it is in, address) of every link and image."""
    for block in tokens:
        for tok in block.children or ():
            if tok.type in ("link_open", "image"):
                yield (block.map[0] if block.map else 0), tok.attrGet("href") or tok.attrGet("src") or ""


def _link_problem(href: str, where: str) -> tuple[str, str, str] | None:
    """(code, message, help) for an unsafe link in `where`."""
    if chars.unsafe(href):
        for i, c in enumerate(href):
            if c in _ALLOWED_IN_TEXT:
                found = chars.Found(chars.IN_IDENTIFIER, i, c, c)
                return (chars.IN_IDENTIFIER, *characters.message(f"a link in {where}", href, found))
        return None  # the character rule reports it with the text around it
    if problem := urls.problem(href):
        code, why = problem
        return (code, f"a link in {where} {why}: `{href[:80]}`",
                "link only to http(s) pages, written as [text](https://…)")
    return None


@rule("claim")
def explanation(doc, ctx):
    for lang in LANGUAGES:
        body = text(doc.data, "explanation", lang)
        if not body:
            continue
        path, where = ("explanation", lang), f"`explanation.{lang}`"
        tokens = _md.parse(body)
        if line := too_deep(tokens):
            yield doc.diag(path, "markdown-too-deep", *_too_deep_message(where, line), key=False)
        for _, href in links(tokens):
            if not href.startswith("#") and (found := _link_problem(href, where)):
                yield doc.diag(path, *found, key=False)


@rule("corpus")
def pages(ctx):
    for (name, lang), body in sorted(ctx.corpus.pages.items()):
        if line := too_deep(page_parser.parse(body)):
            path = display_path(Path(ctx.corpus.root) / "pages" / f"{name}.{lang}.md")
            yield Diagnostic(path, line, 1, Severity.ERROR, "markdown-too-deep", *_too_deep_message("the page", line))
