"""An optional `id:` field must agree with the file name, which is the id."""
from pathlib import PurePath

from ...load.tree import ID_RE
from ..registry import rule
from ._access import text


def _check(doc):
    declared = text(doc.data, "id")
    stem = PurePath(doc.path).stem
    # A malformed id (`../x`) is reported by the schema as id-invalid; renaming to it would not help.
    if declared is not None and declared != stem and ID_RE.fullmatch(declared):
        yield doc.diag(("id",), "id-mismatch", f"`id: {declared}` does not match the file name `{stem}`",
                       f"rename the file to `{declared}.yaml`, or set `id: {stem}` (or remove the `id:` line)",
                       key=False)


@rule("claim")
def claim_id(doc, ctx):
    return _check(doc)


@rule("article")
def article_id(doc, ctx):
    return _check(doc)
