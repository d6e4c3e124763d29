"""What rules share: the corpus, its keys, and each article's normalized text (built once)."""
from __future__ import annotations

from functools import cached_property

from ..anchor.match import Anchor, ArticleIndex, anchor
from ..load.tree import Corpus

from ..model import LANGUAGES  # noqa: F401  (site languages; the first is the default)


def _keys(data) -> set[str] | None:
    # None when the file could not be read: it has its own diagnostic, and every
    # reference to it would otherwise be reported as unknown too.
    if data is None:
        return None
    return set(data) if isinstance(data, dict) else set()


class Context:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._indexes: dict[str, ArticleIndex] = {}
        self._anchors: dict[tuple[str, str, str, str], Anchor] = {}

    @cached_property
    def verdicts(self) -> set[str] | None:
        return _keys(self.corpus.verdicts.data)

    @cached_property
    def topics(self) -> set[str] | None:
        return _keys(self.corpus.topics.data)

    @cached_property
    def tags(self) -> set[str] | None:
        return _keys(self.corpus.tags.data)

    @cached_property
    def claim_ids(self) -> frozenset[str]:
        return frozenset(self.corpus.claims)

    @cached_property
    def article_ids(self) -> frozenset[str]:
        return frozenset(self.corpus.articles)

    def article_language(self, article_id: str) -> str | None:
        source = self.corpus.articles.get(article_id)
        data = source.meta.data if source else None
        lang = data.get("language") if isinstance(data, dict) else None
        return lang if lang in LANGUAGES else None

    def article_index(self, article_id: str) -> ArticleIndex | None:
        source = self.corpus.articles.get(article_id)
        if source is None or source.text is None:
            return None
        if article_id not in self._indexes:
            self._indexes[article_id] = ArticleIndex(source.text)
        return self._indexes[article_id]

    def anchor(self, article_id: str, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
        """Anchor a quote, once per distinct excerpt: the quote rule and the model both ask."""
        key = (article_id, quote, prefix, suffix)
        if key not in self._anchors:
            self._anchors[key] = anchor(self.article_index(article_id), quote, prefix, suffix)
        return self._anchors[key]
