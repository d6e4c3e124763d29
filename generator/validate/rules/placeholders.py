"""Placeholders are errors until an editor fills them in.

`python -m generator new` writes skeletons whose fields to fill hold text
containing the word TODO (`TODO: the claim, in Arabic`), so an unfinished
file cannot be published by mistake: every TODO is reported, pointing at
the field. Fields whose own rule already rejects a TODO with a more useful
message (a verdict, topic, tag, related claim or article id; a date; a
language, a reviewer) are left to that rule, so each problem is reported once.
"""
import re

from ...load.tree import REGISTRIES
from ..registry import rule
from ._access import field_name, walk

TODO_RE = re.compile(r"\bTODO\b")
_OWN_RULE = {"verdict", "topic", "article", "date", "published", "updated", "id", "language", "reviewer", "status"}
_OWN_RULE_LISTS = {"tags", "related"}


def _left_to_own_rule(path) -> bool:
    if not path:
        return False
    if path[-1] in _OWN_RULE:
        return True
    return len(path) >= 2 and isinstance(path[-1], int) and path[-2] in _OWN_RULE_LISTS


def placeholders(doc, ctx=None):
    for path, value, _ in walk(doc.data):
        if not TODO_RE.search(value) or _left_to_own_rule(path):
            continue
        shown = " ".join(value.split())
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        yield doc.diag(path, "todo-placeholder", f"`{field_name(path)}` still holds a placeholder: «{shown}»",
                       "replace the TODO text with the real content; the placeholder says what belongs here",
                       key=False)


for _kind in ("claim", "article", *REGISTRIES):
    rule(_kind)(placeholders)
