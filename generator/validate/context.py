"""What rules share: the registries' keys, the other files' ids, each article's language and text, each
claim's status, the desk's policies and the claims as last published (`validate --against`).

The context is the one way a rule (or the model) reads beyond its own file, and it records every read
while a file is checked: that record is the file's declared dependencies. A file's checks are reused
from the cache only while each recorded read gives the same answer (validate/__init__.py): a claim
that names topic `x` depends on whether `x` exists, not on the other topics; one that quotes article
`a` on that article's text. A new rule cannot forget a dependency: it has no other way to read.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from ..anchor.match import Anchor, ArticleIndex, anchor
from ..load.tree import REGISTRIES, Corpus
from ..model import LANGUAGES, PUBLISHED  # noqa: F401  (site languages; the first is the default)
from ..settings import Policy

Read = tuple  # ("has", "topics", "x"), ("all", "claims"), ("text", "article-id"), ("status", "claim-id"), …
STATUSES = ("draft", "review", PUBLISHED)


def status_of(data) -> str | None:
    """A claim file's status (none written: published); None when its data cannot say (its own error)."""
    status = data.get("status", PUBLISHED) if isinstance(data, dict) else None
    return status if status in STATUSES else None


def _keys(data) -> frozenset[str] | None:
    # None when the file could not be read: it has its own diagnostic, and every
    # reference to it would otherwise be reported as unknown too.
    if data is None:
        return None
    return frozenset(data) if isinstance(data, dict) else frozenset()


def _digest(items) -> str:
    return hashlib.blake2b("\n".join(sorted(items)).encode(), digest_size=16).hexdigest()


class Ids(frozenset):
    """A set of ids that tells the context what a rule asked of it: a membership test depends on that one
    id, a walk over the set (the "did you mean" suggestions) on all of them."""

    def __new__(cls, items, ctx: Context, name: str):
        ids = super().__new__(cls, items)
        ids._ctx, ids._name = ctx, name
        return ids

    def __contains__(self, item) -> bool:
        found = frozenset.__contains__(self, item)
        self._ctx.note(("has", self._name, item), found)
        return found

    def __iter__(self) -> Iterator[str]:
        self._ctx.note(("all", self._name), self._ctx.current(("all", self._name)))
        return frozenset.__iter__(self)

    def __reduce__(self):  # a worker's context is rebuilt in the worker; pickled, it is a plain set
        return frozenset, (frozenset(frozenset.__iter__(self)),)


class Context:
    def __init__(self, corpus: Corpus, policy: Policy | None = None, history=None) -> None:
        """`history`: the claims as last published (validate/history.py), when validate runs --against a ref."""
        self.corpus = corpus
        self.languages: dict[str, str | None] = {}  # article id → its language, set by validate
        self.statuses: dict[str, str | None] = {}  # claim id → its status; validate fills in the cached ones
        self._policy = policy or Policy()
        self._history = history
        self._indexes: dict[str, ArticleIndex] = {}
        self._anchors: dict[tuple[str, str, str, str], Anchor] = {}
        self._sets = {name: _keys(getattr(corpus, name).data) for name in REGISTRIES}
        self._sets.update(claims=frozenset(corpus.claims), articles=frozenset(corpus.articles))
        self._all: dict[str, str] = {}
        self._reads: dict[Read, object] | None = None

    # --- recording ------------------------------------------------------------------------------

    @contextmanager
    def recording(self) -> Iterator[dict[Read, object]]:
        """Record the reads made inside the block: (read, the answer it got)."""
        outer, self._reads = self._reads, {}
        try:
            yield self._reads
        finally:
            self._reads = outer

    def note(self, read: Read, answer) -> None:
        if self._reads is not None:
            self._reads[read] = answer

    def current(self, read: Read):
        """The answer `read` gets now: a cached check is reused only if every one of its reads agrees."""
        kind = read[0]
        if kind == "has":
            ids = self._sets[read[1]]
            return ids is not None and read[2] in ids
        if kind == "all":
            if read[1] not in self._all:
                ids = self._sets[read[1]]
                self._all[read[1]] = "unreadable" if ids is None else _digest(ids)
            return self._all[read[1]]
        if kind == "readable":
            return self._sets[read[1]] is not None
        if kind == "language":
            return self.languages.get(read[1])
        if kind == "text":
            source = self.corpus.articles.get(read[1])
            return source.text_digest if source is not None and source.text is not None else None
        if kind == "status":
            if read[1] not in self.statuses:  # a claim not checked yet: its file says
                source = self.corpus.claims.get(read[1])
                self.statuses[read[1]] = status_of(source.parse()[0].data) if source is not None else None
            return self.statuses[read[1]]
        if kind == "policy":
            return getattr(self._policy, read[1])
        if kind == "published":
            return self._history.oid(read[1]) if self._history is not None else None
        raise ValueError(f"unknown read {read!r}")

    # --- what rules read ------------------------------------------------------------------------

    def _ids(self, name: str) -> Ids | None:
        ids = self._sets[name]
        self.note(("readable", name), ids is not None)
        return None if ids is None else Ids(ids, self, name)

    @property
    def verdicts(self) -> Ids | None:
        return self._ids("verdicts")

    @property
    def topics(self) -> Ids | None:
        return self._ids("topics")

    @property
    def tags(self) -> Ids | None:
        return self._ids("tags")

    @property
    def people(self) -> Ids | None:
        return self._ids("people")

    @property
    def claim_ids(self) -> Ids:
        return self._ids("claims")

    @property
    def article_ids(self) -> Ids:
        return self._ids("articles")

    def _read(self, read: Read):
        answer = self.current(read)
        self.note(read, answer)
        return answer

    def claim_status(self, claim_id: str) -> str | None:
        """Another claim's status (draft, review, published), None when its file cannot say."""
        return self._read(("status", claim_id))

    def policy(self, name: str):
        """One policy of mkdocs.yml (settings.Policy): `review`, `review_after`, `archive_after`,
        `archive_hosts`."""
        return self._read(("policy", name))

    def published_version(self, claim_id: str) -> dict | None:
        """The claim's data as last published (at the ref of `validate --against`); None when there is no ref,
        or the claim was not published there."""
        if self._read(("published", claim_id)) is None:
            return None
        data = self._history.data(claim_id)
        return data if status_of(data) == PUBLISHED else None

    def article_language(self, article_id: str) -> str | None:
        return self._read(("language", article_id))

    def article_text(self, article_id: str) -> str | None:
        self._read(("text", article_id))
        source = self.corpus.articles.get(article_id)
        return source.text if source is not None else None

    def article_text_path(self, article_id: str) -> str:
        """Where the article's text is (for messages): follows from the id."""
        return self.corpus.articles[article_id].text_path

    def article_index(self, article_id: str) -> ArticleIndex | None:
        text = self.article_text(article_id)
        if text is None:
            return None
        if article_id not in self._indexes:
            self._indexes[article_id] = ArticleIndex(text)
        return self._indexes[article_id]

    def anchor(self, article_id: str, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
        """Anchor a quote, once per distinct excerpt: the quote rule and the model both ask."""
        index = self.article_index(article_id)  # recorded, even when the anchor is known
        key = (article_id, quote, prefix, suffix)
        if key not in self._anchors:
            self._anchors[key] = anchor(index, quote, prefix, suffix)
        return self._anchors[key]
