"""Dates are real calendar dates, written YYYY-MM-DD; `updated` is not before `published`."""
import datetime as dt
import re

from ... import chars
from ...diagnostics import Severity
from ..registry import rule
from ._access import items, text

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fullmatch; `\d` would take Arabic-Indic digits


def parse(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if DATE_RE.fullmatch(value) else None
    except ValueError:
        return None


def _check(doc, path, value):
    if not isinstance(value, str) or parse(value) or chars.unsafe(value):
        return  # valid, or left to the character rule (characters.py)
    if DATE_RE.fullmatch(value):
        msg, hint = f"`{value}` is not a calendar date", "check the day and month: that day does not exist"
    else:
        msg, hint = f"`{value}` is not a date in the form YYYY-MM-DD", "write dates as 2024-04-18"
    yield doc.diag(path, "date-invalid", msg, hint, key=False)


@rule("article")
def article_dates(doc, ctx):
    yield from _check(doc, ("published",), doc.data.get("published"))


@rule("claim")
def claim_dates(doc, ctx):
    data = doc.data
    for key in ("published", "updated"):
        yield from _check(doc, (key,), data.get(key))
    for i, item in items(data, "sources"):
        yield from _check(doc, ("sources", i, "date"), item.get("date"))
    for i, item in items(data, "corrections"):
        yield from _check(doc, ("corrections", i, "date"), item.get("date"))
    published, updated = parse(text(data, "published") or ""), parse(text(data, "updated") or "")
    if published and updated and updated < published:
        yield doc.diag(("updated",), "date-order", f"`updated` ({updated}) is before `published` ({published})",
                       "swap the two dates, or correct one of them", key=False, severity=Severity.ERROR)
