"""Corrections are enforced: a published claim whose verdict, claim or conclusion differs from its last
published version records the change, with a new `corrections` entry (dated, in both languages) and an
`updated` date no earlier than that entry.

The last published version is the claim at the git ref of `validate --against REF` (the pull-request
workflow passes the pull request's base; validate/history.py reads it). A claim that is new since, or was
not published there, has nothing to correct.
"""
import datetime as dt
import json
from pathlib import PurePath

from ...model import PUBLISHED
from ..context import LANGUAGES, status_of
from ..registry import rule
from . import dates
from ._access import get, items, text

WATCHED = ("verdict", "claim", "conclusion")  # what a reader relies on: a change is a correction


def _key(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)  # its order of keys does not matter


def _changed(field: str, before, after) -> str:
    if field == "verdict":
        return f"the verdict changed from `{before}` to `{after}` since the claim was published"
    languages = [lang for lang in LANGUAGES if get(before, lang) != get(after, lang)] if isinstance(before, dict) \
        and isinstance(after, dict) else []
    which = f" ({', '.join(languages)})" if languages else ""
    return f"`{field}`{which} changed since the claim was published"


@rule("claim")
def corrections(doc, ctx):
    if status_of(doc.data) != PUBLISHED:
        return
    before = ctx.published_version(PurePath(doc.path).stem)
    if before is None:
        return
    changed = [f for f in WATCHED if get(before, f) != get(doc.data, f)]
    if not changed:
        return
    field = changed[0]
    old = {_key(entry) for _, entry in items(before, "corrections")}
    new = [(i, entry) for i, entry in items(doc.data, "corrections") if _key(entry) not in old]
    what = "; ".join(_changed(f, get(before, f), get(doc.data, f)) for f in changed)
    if not new:
        today = dt.date.today().isoformat()
        yield doc.diag((field,), "correction-missing", f"{what}, but no new `corrections` entry says so",
                       f"add to `corrections:` an entry `- date: {today}` with `note: {{ar: …, en: …}}` saying what "
                       f"was wrong and what changed, and set `updated: {today}`", key=False)
        return
    latest = max((d for _, entry in new if (d := dates.parse(text(entry, "date") or ""))), default=None)
    updated = dates.parse(text(doc.data, "updated") or "")
    if latest is not None and (updated is None or updated < latest):
        where = ("updated",) if "updated" in doc.data else ("corrections", new[-1][0])
        yield doc.diag(where, "correction-updated",
                       f"{what}; `updated` ({updated or 'missing'}) must be no earlier than the new correction "
                       f"of {latest}", f"set `updated: {latest}`", key=False)
