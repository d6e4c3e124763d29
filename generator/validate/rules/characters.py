"""No control characters, noncharacters or misleading direction characters in any text (`generator/chars.py`).

Every key and value of every YAML document, however written (libyaml refuses a control character
written literally, not one written as the escape "\\u0002"), every article text and every page. A YAML
value is reported at the value's position; a .txt or .md file at the character's line and column.
"""
from pathlib import PurePath

from ... import chars
from ...diagnostics import Diagnostic, Severity
from ...load.tree import REGISTRIES, display_path
from ..registry import rule
from ._access import field_name, walk

# Values that are ids, URLs, dates or one of a fixed set: no direction character belongs in them.
IDENTIFIERS = {"id", "article", "topic", "verdict", "url", "date", "published", "updated", "language", "color",
               "status", "reviewer", "archive"}
IDENTIFIER_LISTS = {"tags", "related"}
MARKDOWN = "explanation"

_WHAT = {
    chars.CONTROL: ("the control character {char}",
                    "delete it: control characters are invisible and break the pages and the feeds "
                    "(they come with text pasted from some programs)"),
    chars.NONCHARACTER: ("{char}, which is not a character (a Unicode noncharacter)",
                         "delete it: it is never valid in published text"),
    chars.OVERRIDE: ("{char}, which displays the text after it in reverse order",
                     "delete it; to set the direction of a word in mixed text, use a mark (RLM U+200F, "
                     "LRM U+200E) or an isolate (U+2067 … U+2069)"),
    chars.SEPARATOR: ("{char}, which some programs read as a line break and others do not",
                      "replace it with an ordinary line break or a space"),
    chars.IN_IDENTIFIER: ("{char}, an invisible direction character: ids, keys, dates and URLs cannot hold one",
                          "delete it (retype the value): it makes the value read differently from what it is"),
}
_CLOSERS = {**dict.fromkeys(chars.EMBEDDINGS + chars.OVERRIDES, chars.PDF), **dict.fromkeys(chars.ISOLATES, chars.PDI)}


def message(subject: str, text: str, found: chars.Found) -> tuple[str, str]:
    """(message, help) for one problem `find` reported in `text`."""
    char = chars.name(found.char)
    if found.code == chars.UNBALANCED:
        closer = _CLOSERS.get(found.char)
        what = (f"{char}, which is not closed by {chars.name(closer)} on the same line" if closer
                else f"{char}, with nothing open to close")
        help = ("close each isolate (U+2066, U+2067, U+2068) with U+2069 and each embedding (U+202A, U+202B) with "
                "U+202C on the same line, or delete the stray character")
    else:
        what, help = _WHAT[found.code]
        what = what.format(char=char)
    written = f", written `{found.written}`" if found.written != found.char else ""
    start, end = max(0, found.index - 24), found.index + len(found.written) + 24
    context = ("…" if start else "") + chars.visible(text[start:end]) + ("…" if end < len(text) else "")
    return f"{subject} contains {what}{written}: «{context}»", help


def _identifier(path) -> bool:
    last = path[-1] if path else None
    return last in IDENTIFIERS or isinstance(last, int) and len(path) > 1 and path[-2] in IDENTIFIER_LISTS


def yaml_strings(doc, ctx=None):
    for path, text, is_key in walk(doc.data, keys=True):
        markdown = not is_key and path[:1] == (MARKDOWN,)
        for f in chars.find(text, identifier=is_key or _identifier(path), markdown=markdown):
            subject = f"the key `{chars.visible(text)}`" if is_key else f"`{field_name(path)}`"
            yield doc.diag(path, f.code, *message(subject, text, f), key=is_key)


for _kind in ("claim", "article", *REGISTRIES):
    rule(_kind)(yaml_strings)


def _in_file(path: str, text: str, subject: str, markdown: bool):
    for f in chars.find(text, markdown=markdown):
        line = text.count("\n", 0, f.index) + 1
        column = f.index - text.rfind("\n", 0, f.index)
        yield Diagnostic(path, line, column, Severity.ERROR, f.code, *message(subject, text, f))


@rule("article")
def article_text(doc, ctx):
    article_id = PurePath(doc.path).stem
    text = ctx.article_text(article_id)
    if text is not None:
        yield from _in_file(ctx.article_text_path(article_id), text, "the article text", markdown=False)


@rule("corpus")
def page_texts(ctx):
    for (name, lang), text in sorted(ctx.corpus.pages.items()):
        path = display_path(ctx.corpus.root / "pages" / f"{name}.{lang}.md")
        yield from _in_file(path, text, "the page", markdown=True)
