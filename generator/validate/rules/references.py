"""References between files: verdict, topic, tags, related claims, excerpt articles, author and reviewer.
A published claim cannot name an unpublished one in `related`: the public site has no page to link to."""
import difflib

from ... import chars
from ...load.tree import ID_RE
from ...model import PUBLISHED, is_person_id
from ..context import status_of
from ..registry import rule
from ._access import items, strings, text

# References whose form the schema does not check (any text): an unknown one is reported whatever it holds.
_FREE_FORM = {"verdict", "person"}
_PLURAL = {"person": "people"}


def _missing(doc, path, value, known, what, where, code=None):
    # Unknown when `known` is None (its file is unreadable); a malformed id (`../x`) is the schema's id-invalid,
    # an invisible character in it the character rule's.
    if known is None or value in known or what not in _FREE_FORM and not ID_RE.fullmatch(value) \
            or chars.unsafe(value):
        return
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    if close:
        hint = f"did you mean `{close[0]}`?"
    elif known:
        hint = (f"known {_PLURAL.get(what, what + 's')}: " + ", ".join(f"`{k}`" for k in sorted(known)[:12])
                + (" …" if len(known) > 12 else ""))
    else:
        hint = f"add it to {where}"
    yield doc.diag(path, code or f"ref-{what}", f"unknown {what} `{value}`", hint, key=False)


@rule("claim")
def claim_refs(doc, ctx):
    data = doc.data
    verdict = text(data, "verdict")
    if verdict is not None:
        yield from _missing(doc, ("verdict",), verdict, ctx.verdicts, "verdict", "verdicts.yaml")
    topic = text(data, "topic")
    if topic is not None:
        yield from _missing(doc, ("topic",), topic, ctx.topics, "topic", "topics.yaml")
    for i, tag in strings(data, "tags"):
        yield from _missing(doc, ("tags", i), tag, ctx.tags, "tag", "tags.yaml")
    claims = ctx.claim_ids  # built once: a set per claim would make the run quadratic
    own_id = doc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for i, other in strings(data, "related"):
        if other == own_id:
            yield doc.diag(("related", i), "ref-related", "a claim cannot be related to itself",
                           "remove this item", key=False)
        else:
            yield from _missing(doc, ("related", i), other, claims, "claim", "content/claims/", "ref-related")
    for i, excerpt in items(data, "excerpts"):
        article = text(excerpt, "article")
        if article is not None:
            yield from _missing(doc, ("excerpts", i, "article"), article, ctx.article_ids,
                                "article", "content/articles/")


@rule("claim")
def people(doc, ctx):
    author, reviewer = doc.data.get("author"), text(doc.data, "reviewer")
    for key, person in (("author", author if is_person_id(author) else None), ("reviewer", reviewer)):
        if person is not None:
            yield from _missing(doc, (key,), person, ctx.people, "person", "people.yaml", "ref-person")


@rule("claim")
def related_published(doc, ctx):
    if status_of(doc.data) != PUBLISHED:
        return  # a draft may name another: both are left out of the public site
    claims = ctx.claim_ids
    for i, other in strings(doc.data, "related"):
        if other in claims and (status := ctx.claim_status(other)) not in (PUBLISHED, None):
            yield doc.diag(("related", i), "related-unpublished",
                           f"`{other}` is {'a draft' if status == 'draft' else 'in review'}: the public site "
                           "has no page for it to link to",
                           f"remove `{other}` from `related` until it is published, or mark this claim "
                           f"`status: {status}` too", key=False)
