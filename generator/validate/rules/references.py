"""References between files: verdict, topic, tags, related claims, excerpt articles."""
import difflib

from ... import chars
from ...load.tree import ID_RE
from ..registry import rule
from ._access import items, strings, text


def _missing(doc, path, value, known, what, where, code=None):
    # Unknown when `known` is None (its file is unreadable); a malformed id (`../x`) is the schema's id-invalid,
    # an invisible character in it the character rule's.
    if known is None or value in known or what != "verdict" and not ID_RE.fullmatch(value) or chars.unsafe(value):
        return
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    if close:
        hint = f"did you mean `{close[0]}`?"
    elif known:
        hint = f"known {what}s: " + ", ".join(f"`{k}`" for k in sorted(known)[:12]) + (" …" if len(known) > 12 else "")
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
