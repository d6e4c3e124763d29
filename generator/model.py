"""The content model: frozen dataclasses built from a corpus that passed validation.

Everything downstream (render, build) reads only these types, never raw YAML.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: importing the model must not load the validator
    from .load.tree import Corpus
    from .validate.context import Context

LANGUAGES = ("ar", "en")  # site languages; the first is the default
PUBLISHED = "published"  # a claim's status without `status:`; "draft" and "review" stay off the public site


@dataclass(frozen=True)
class Text:
    """Text in both site languages. A plain string in YAML fills both."""

    ar: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    @classmethod
    def of(cls, value) -> Text:
        if isinstance(value, str):
            return cls(value, value)
        return cls(value["ar"], value["en"])

    @classmethod
    def maybe(cls, value) -> Text | None:
        return None if value is None else cls.of(value)


@dataclass(frozen=True)
class Verdict:
    id: str
    label: Text
    description: Text
    rating: int
    color: str
    position: int  # 0 = first in verdicts.yaml


@dataclass(frozen=True)
class Topic:
    id: str
    label: Text
    description: Text | None


@dataclass(frozen=True)
class Tag:
    id: str
    label: Text


@dataclass(frozen=True)
class Person:
    id: str
    name: Text
    role: Text
    url: str | None


@dataclass(frozen=True)
class Article:
    id: str
    title: Text
    outlet: Text
    published: dt.date
    language: str
    url: str | None
    authors: tuple[Text, ...]
    note: Text | None
    text: str


@dataclass(frozen=True)
class Excerpt:
    article: str
    quote: str  # as the editor wrote it
    prefix: str | None
    suffix: str | None
    translation: dict[str, str]  # lang -> text, for languages other than the article's
    start: int  # span of the quote in the article text (code points, end exclusive)
    end: int
    exact: str  # the quoted passage exactly as the article writes it: text[start:end]


@dataclass(frozen=True)
class Source:
    url: str
    title: Text
    publisher: Text
    date: dt.date | None
    quote: str | None
    archive: str | None  # an archived copy of the page


@dataclass(frozen=True)
class Correction:
    date: dt.date
    note: Text


@dataclass(frozen=True)
class Claim:
    id: str
    claim: Text
    claimant: Text
    verdict: str
    conclusion: Text
    explanation: Text
    excerpts: tuple[Excerpt, ...]
    sources: tuple[Source, ...]
    topic: str | None
    tags: tuple[str, ...]
    author: str | Text | None  # a person id (people.yaml), or a name as text
    reviewer: str | None  # a person id
    status: str  # draft, review or published
    published: dt.date | None
    updated: dt.date | None
    corrections: tuple[Correction, ...]
    related: tuple[str, ...]

    articles: tuple[str, ...]  # the articles its excerpts quote, each once, in order

    @property
    def date(self) -> dt.date | None:
        """The date listings sort by: last update, else publication."""
        return self.updated or self.published

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


@dataclass(frozen=True)
class Content:
    verdicts: dict[str, Verdict]  # in scale order
    topics: dict[str, Topic]
    tags: dict[str, Tag]
    articles: dict[str, Article]
    claims: dict[str, Claim]  # sorted by id
    pages: dict[tuple[str, str], str]  # (name, lang) -> Markdown
    people: dict[str, Person]
    languages: tuple[str, ...] = LANGUAGES

    def published_only(self) -> Content:
        """The public site's content: drafts and claims in review dropped before render, so no page, listing,
        feed, sitemap, search entry or data file can show them (validation keeps `related` within it)."""
        return replace(self, claims={cid: c for cid, c in self.claims.items() if c.is_published})


def is_person_id(author) -> bool:
    """`author: jane-doe` names a person of people.yaml; any other text (`Jane Doe`, {ar, en}) is a name."""
    from .load.tree import ID_RE

    return isinstance(author, str) and ID_RE.fullmatch(author) is not None


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _excerpt(raw: dict, ctx: Context) -> Excerpt:
    found = ctx.anchor(raw["article"], raw["quote"], raw.get("prefix", ""), raw.get("suffix", ""))
    text = ctx.article_text(raw["article"])
    return Excerpt(raw["article"], raw["quote"], raw.get("prefix"), raw.get("suffix"),
                   dict(raw.get("translation") or {}), found.start, found.end, text[found.start:found.end])


def claim(cid: str, d: dict, ctx: Context) -> Claim:
    """A valid claim file's model (its quotes anchored through the context)."""
    return Claim(
        id=cid,
        claim=Text.of(d["claim"]),
        claimant=Text.of(d["claimant"]),
        verdict=d["verdict"],
        conclusion=Text.of(d["conclusion"]),
        explanation=Text.of(d["explanation"]),
        excerpts=tuple(_excerpt(e, ctx) for e in d["excerpts"]),
        sources=tuple(Source(s["url"], Text.of(s["title"]), Text.of(s["publisher"]), _date(s.get("date")),
                             s.get("quote"), s.get("archive")) for s in d["sources"]),
        topic=d.get("topic"),
        tags=tuple(d.get("tags") or ()),
        author=d["author"] if is_person_id(d.get("author")) else Text.maybe(d.get("author")),
        reviewer=d.get("reviewer"),
        status=d.get("status", PUBLISHED),
        published=_date(d.get("published")),
        updated=_date(d.get("updated")),
        corrections=tuple(Correction(_date(c["date"]), Text.of(c["note"])) for c in d.get("corrections") or ()),
        related=tuple(d.get("related") or ()),
        articles=tuple(dict.fromkeys(e["article"] for e in d["excerpts"])),
    )


def article(aid: str, m: dict, text: str) -> Article:
    """A valid article's model: its metadata and its verbatim text."""
    return Article(aid, Text.of(m["title"]), Text.of(m["outlet"]), _date(m["published"]), m["language"],
                   m.get("url"), tuple(Text.of(a) for a in m.get("authors") or ()), Text.maybe(m.get("note")), text)


def build_content(corpus: Corpus, articles: dict[str, Article], claims: dict[str, Claim]) -> Content:
    """Assemble the model from the registries and the articles' and claims' own models (validate builds
    those, or takes them from the cache). Call only when validation found no errors."""
    verdicts = {
        k: Verdict(k, Text.of(v["label"]), Text.of(v["description"]), v["rating"], v["color"], i)
        for i, (k, v) in enumerate(corpus.verdicts.data.items())
    }
    topics = {k: Topic(k, Text.of(v["label"]), Text.maybe(v.get("description")))
              for k, v in (corpus.topics.data or {}).items()}
    tags = {k: Tag(k, Text.of(v["label"])) for k, v in (corpus.tags.data or {}).items()}
    people = {k: Person(k, Text.of(v["name"]), Text.of(v["role"]), v.get("url"))
              for k, v in (corpus.people.data or {}).items()}
    return Content(verdicts, topics, tags, dict(sorted(articles.items())), dict(sorted(claims.items())),
                   dict(corpus.pages), people)
