"""The one registry of validation rules.

A rule is a small function registered for one kind of document:
    @rule("claim")
    def check(doc: Document, ctx: Context) -> Iterable[Diagnostic]: ...
or for the whole corpus with `@rule("corpus")`, taking only `ctx`.
Rules must tolerate any shape of data: the schema rule reports wrong
shapes, the others skip what they cannot read, so one run reports every
independent problem.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..load.tree import REGISTRIES

KINDS = (*REGISTRIES, "article", "claim", "corpus")


@dataclass(frozen=True)
class Rule:
    kind: str
    name: str
    check: Callable[..., Iterable[Diagnostic]]


RULES: list[Rule] = []


def rule(kind: str):
    if kind not in KINDS:
        raise ValueError(f"unknown rule kind {kind!r}")

    def register(fn):
        RULES.append(Rule(kind, f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}", fn))
        return fn

    return register
