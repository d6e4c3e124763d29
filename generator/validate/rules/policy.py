"""The desk's policies (mkdocs.yml `extra.factcheck.policy`), for published claims: reviewed by a second
person of the desk; every source of a claim published after a date archived. Drafts and claims in review
are checked like any claim, but the policies wait for their publication."""
from ...model import PUBLISHED
from ..context import status_of
from ..registry import rule
from . import dates
from ._access import items, text


@rule("claim")
def review(doc, ctx):
    if status_of(doc.data) != PUBLISHED or not ctx.policy("review"):
        return
    reviewer = text(doc.data, "reviewer")
    if reviewer is None:
        yield doc.diag((), "review-missing", "a published claim needs a `reviewer`: the review policy is on "
                       "(mkdocs.yml `extra.factcheck.policy.review`)",
                       "once a second person of the desk has reviewed it, add `reviewer: <their id in "
                       "people.yaml>`; until then keep `status: review`")
    elif reviewer == doc.data.get("author"):
        yield doc.diag(("reviewer",), "review-self", f"`{reviewer}` is both the author and the reviewer",
                       "the review policy asks for a second person: name the one who reviewed it", key=False)


@rule("claim")
def archived_sources(doc, ctx):
    if status_of(doc.data) != PUBLISHED or (after := ctx.policy("archive_after")) is None:
        return
    published = dates.parse(text(doc.data, "published") or "")
    if published is not None and published <= after:
        return  # published before the policy (a claim without a date counts as new)
    for i, source in items(doc.data, "sources"):
        if "archive" not in source:
            yield doc.diag(("sources", i), "archive-missing",
                           f"source {i + 1} has no `archive`: the sources of claims published after {after} need "
                           "an archived copy (mkdocs.yml `extra.factcheck.policy.archive_after`)",
                           "run `python -m generator archive` to find a copy in the Wayback Machine (`--save` has "
                           "one made), or add `archive:` with the address of a copy you made")
