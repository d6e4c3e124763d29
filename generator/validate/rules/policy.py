"""The desk's policies (mkdocs.yml `extra.factcheck.policy`), for published claims: reviewed by a second
person of the desk; every source archived. Each may hold only for claims published after a date (a desk
adopting it keeps its archive valid). Drafts and claims in review are checked like any claim, but the
policies wait for their publication."""
from ...model import PUBLISHED
from ..context import status_of
from ..registry import rule
from . import dates
from ._access import items, text


def _applies(doc, after) -> bool:
    """Whether a policy that holds for claims published after `after` (None: all) holds for this one."""
    if status_of(doc.data) != PUBLISHED:
        return False
    written = text(doc.data, "published")
    if written is None:
        return True  # a claim without a date counts as new
    published = dates.parse(written)
    # a date that is not one (`TODO`, 2024-02-30) has its own error: no second one here
    return published is not None and (after is None or published > after)


@rule("claim")
def review(doc, ctx):
    if not ctx.policy("review") or not _applies(doc, ctx.policy("review_after")):
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
    if (after := ctx.policy("archive_after")) is None or not _applies(doc, after):
        return
    for i, source in items(doc.data, "sources"):
        if "archive" not in source:
            yield doc.diag(("sources", i), "archive-missing",
                           f"source {i + 1} has no `archive`: the sources of claims published after {after} need "
                           "an archived copy (mkdocs.yml `extra.factcheck.policy.archive_after`)",
                           "run `python -m generator archive` to find a copy in the Wayback Machine (`--save` has "
                           "one made), or add `archive:` with the address of a copy you made")
