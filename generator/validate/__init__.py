"""Validate: run every registered rule over a loaded corpus, collect diagnostics, build the models.

Each article and each claim is checked as a unit: its file parsed, its rules run, its model built when
it has no error, and the reads it made beyond its own file recorded by the context (context.py). A
unit from an earlier run (the cache, given as `previous`) is reused when its file's bytes and the
code are the same and every recorded read still gets the same answer; otherwise it is checked again.
So a run with a cache reports exactly what a run without one reports (tests/test_incremental.py).
The registries and the corpus-wide rules are small and always run.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, replace

from ..diagnostics import Diagnostic, has_errors, sort_key
from ..load.tree import REGISTRIES, Corpus
from ..process import fork_map
from . import rules  # noqa: F401  (registers the rules)
from .context import LANGUAGES, Context, status_of
from .registry import RULES

__all__ = ["LANGUAGES", "Context", "Unit", "Validated", "validate"]


@dataclass(frozen=True)
class Unit:
    """One article's or claim's checks, as the cache keeps them."""
    digest: str  # its file's bytes (both files for an article), the code's, the working folder's
    reads: tuple  # ((read, answer), …): what it read beyond its own file, recorded by the context
    diagnostics: tuple[Diagnostic, ...]
    model: object | None  # its Article or Claim; None when it has errors
    language: str | None = None  # an article's language, which claims' rules ask for
    status: str | None = None  # a claim's status, which the rules of claims naming it ask for
    identity: bytes = b""  # a digest of the model: render/keys.py stands it in for the model


@dataclass(frozen=True)
class Validated:
    diagnostics: list[Diagnostic]
    units: dict[str, Unit]  # "article:<id>", "claim:<id>"
    checked: int  # units checked this run (the others came from the cache)


def _check(kind: str, uid: str, doc, load_diags: list[Diagnostic], ctx: Context, digest: str,
           build) -> Unit:
    with ctx.recording() as reads:
        found = list(load_diags)
        if doc.data is not None:  # unparsable files already have their diagnostic
            for r in RULES:
                if r.kind == kind:
                    found.extend(r.check(doc, ctx))
        model = build(uid, doc.data) if doc.data is not None and not has_errors(found) else None
    identity = hashlib.blake2b(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()
    return Unit(digest, tuple(sorted(reads.items(), key=repr)), tuple(found), model, identity=identity)


def _reusable(unit: Unit | None, digest: str, ctx: Context) -> bool:
    return unit is not None and unit.digest == digest and all(ctx.current(read) == answer
                                                              for read, answer in unit.reads)


def validate(corpus: Corpus, ctx: Context | None = None, previous: dict[str, Unit] | None = None,
             code: str = "", policy=None, history=None) -> Validated:
    """`code`: a digest of the validator's code; units made by other code are not reused. `policy` and
    `history`: see Context."""
    from .. import model

    ctx = ctx or Context(corpus, policy, history)
    previous = previous or {}
    found: list[Diagnostic] = list(corpus.diagnostics)
    for r in RULES:
        if r.kind in REGISTRIES:
            doc = getattr(corpus, r.kind)
            if doc.data is not None:
                found.extend(r.check(doc, ctx))
    salt = f"{code}:{os.getcwd()}"  # diagnostics name files relative to the working folder
    units: dict[str, Unit] = {}
    checked = 0
    for aid, source in corpus.articles.items():
        digest, uid = f"{source.digest}:{salt}", f"article:{aid}"
        unit = previous.get(uid)
        if not _reusable(unit, digest, ctx) or not source.meta.digest:
            doc, load_diags = source.meta.parse()
            unit = _check("article", aid, doc, load_diags, ctx, digest,
                          lambda i, data: model.article(i, data, source.text))
            data = doc.data if isinstance(doc.data, dict) else {}
            unit = replace(unit, language=data.get("language") if data.get("language") in LANGUAGES else None)
            checked += 1
        units[uid] = unit
        ctx.languages[aid] = unit.language

    for cid, source in corpus.claims.items():  # the status of unchanged claims, for the rules of claims naming them
        unit = previous.get(f"claim:{cid}")
        if unit is not None and source.digest and unit.digest == f"{source.digest}:{salt}":
            ctx.statuses[cid] = unit.status
    todo = []
    for cid, source in corpus.claims.items():
        digest, uid = f"{source.digest}:{salt}", f"claim:{cid}"
        if source.digest and _reusable(previous.get(uid), digest, ctx):
            units[uid] = previous[uid]
        else:
            todo.append((cid, source, digest))

    def build_claim(cid: str, data: dict):
        if any(ctx.article_text(e["article"]) is None for e in data["excerpts"]):
            return None  # an article it quotes cannot be read: that file has its own error
        return model.claim(cid, data, ctx)

    def check_claims(part: list) -> list[tuple[str, Unit]]:
        out = []
        for cid, source, digest in part:
            doc, load_diags = source.parse()
            unit = _check("claim", cid, doc, load_diags, ctx, digest, build_claim)
            out.append((f"claim:{cid}", replace(unit, status=status_of(doc.data))))
        return out

    for uid, unit in fork_map(check_claims, todo):  # both cores when there are many
        units[uid] = unit
    checked += len(todo)
    for unit in units.values():
        found.extend(unit.diagnostics)
    for r in RULES:
        if r.kind == "corpus":
            found.extend(r.check(ctx))
    return Validated(sorted(set(found), key=sort_key), units, checked)
