"""Ids the site's layout uses for its own pages cannot name a claim, article, topic, tag, verdict or person.

Each id becomes a folder: a claim `index` would replace the all-claims listing (claims/index), an article
`index` the articles listing; `page` collides with pagination (`articles/page/2/`, `compare/page/2/`,
`tags/<id>/page/2/`).
"""
from pathlib import PurePath

from ...diagnostics import Diagnostic, Severity
from ..registry import rule

RESERVED = {"index": "the site's listing pages are `…/index`", "page": "paginated listings use `…/page/2/`"}


def message(what: str, name: str) -> str:
    """Why `name` cannot be the id of a `what` (`python -m generator new` says it too)."""
    article = "an" if what[0] in "aeiou" else "a"
    return f"`{name}` cannot be {article} {what} id: {RESERVED[name]}"


def _file(doc, what: str):
    name = PurePath(doc.path).stem
    if name in RESERVED:
        yield Diagnostic(doc.path, 1, 1, Severity.ERROR, "id-reserved", message(what, name),
                         f"rename the file, as in `{name}-1.yaml`; the file name is the {what}'s id")


def _keys(doc, what: str):
    for name in sorted(RESERVED.keys() & doc.data.keys()):  # a parsed document is always a mapping
        yield doc.diag((name,), "id-reserved", message(what, name),
                       f"rename the key, as in `{name}-1`, and the claims that use it")


@rule("claim")
def claim_id(doc, ctx):
    return _file(doc, "claim")


@rule("article")
def article_id(doc, ctx):
    return _file(doc, "article")


def _registry_rule(kind: str, what: str) -> None:
    def ids(doc, ctx):
        return _keys(doc, what)

    ids.__name__ = f"{what}_ids"
    rule(kind)(ids)


for _kind, _what in {"verdicts": "verdict", "topics": "topic", "tags": "tag", "people": "person"}.items():
    _registry_rule(_kind, _what)
