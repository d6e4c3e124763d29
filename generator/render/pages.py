"""Which pages the site has, and what each one's template reads. No markup here: see templates/.

Each page kind is one function below (`KINDS` lists them in site order). It yields `Page`s, and a
page's `context` is everything its template reads: the template sees its context, the interface
strings and the settings, nothing else (no "whole content" object). So the context is also the
page's declaration of what it depends on: render/keys.py renders a page again exactly when its
template or its context changed, and a new page kind cannot forget a dependency.

The few values every page needs (the verdict scale, for badges; the settings; `lastmod`, the date
the sitemap gives the page; `drafts`, true in an internal preview, whose pages are `noindex` and
bannered) are put in by `Site.page`. A public build never sees a claim that is not published: the
pipeline drops them from the model first (model.Content.published_only).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import Claim, Content
from ..settings import Settings

LATEST = 20  # claims on the home page
PER_PAGE = 100  # items per listing page: claims of a verdict or tag, articles
TOPICS_PER_PAGE = 50  # topics per page of the comparison's index: each shows up to a tally of every verdict
STATIC_PAGES = ("about", "methodology", "corrections")
# Claim fields no page kind chooses, counts or orders pages by: a claim that changes in these only stays on
# the same pages (render/__init__.py reuses the page list). A field a kind selects by (its verdict, its
# topic, its date…) must not be here.
FREE_TEXT = ("claim", "claimant", "conclusion", "explanation", "excerpts", "sources", "corrections")
CARD, CARD_SIZE = "card.png", (1200, 630)  # a claim page's share card, beside its HTML (generator/cards/)


@dataclass(frozen=True)
class Page:
    path: str  # docs path without language suffix, e.g. "claims/x" (index pages: "claims/index")
    template: str
    context: dict  # everything the template reads (see the module's docstring)
    # Pages one edit tends to change together share a group: the search indexes them in one partition.
    group: str = "lists"
    url: str = field(init=False)  # directory URL relative to the language root: "claims/x/", "claims/", ""
    key: str = field(init=False, default="")  # render/keys.py, while the page waits to be rendered

    def __post_init__(self) -> None:
        base = self.path[: -len("index")] if self.path.endswith("index") else self.path + "/"
        object.__setattr__(self, "url", base.lstrip("/"))

    @property
    def lastmod(self) -> dt.date:
        return self.context["lastmod"]


def claim_url(claim_id: str) -> str:
    """A claim page's URL, relative to its language root (the `claims` kind's pages, as Page.url says)."""
    return f"claims/{claim_id}/"


def anchor_id(claim_id: str, index: int) -> str:
    return f"q-{claim_id}-{index}"


def _newest(claim: Claim) -> tuple:
    return claim.date or dt.date.min, claim.id


def newest_first(claims) -> list[Claim]:
    return sorted(claims, key=_newest, reverse=True)


def page_url(path: str, n: int) -> str:
    """URL of page n of a paginated listing at `path`."""
    return f"{path}/" if n == 1 else f"{path}/page/{n}/"


def _pager_links(path: str, n: int, total: int) -> list:
    """The page numbers a pager shows: first, last and two either side of page n; None marks a gap."""
    shown = sorted({1, total, *range(max(1, n - 2), min(total, n + 2) + 1)})
    links: list = []
    for k in shown:
        if links and k - links[-1][0] == 2:
            links.append((k - 1, page_url(path, k - 1)))  # a gap of one page: show the page
        elif links and k - links[-1][0] > 2:
            links.append(None)
        links.append((k, page_url(path, k)))
    return links


class Site:
    """The content and the lookups every page kind shares, computed once per render pass."""

    def __init__(self, content: Content, settings: Settings, drafts: bool = False) -> None:
        self.content, self.settings, self.drafts = content, settings, drafts
        self.claims = newest_first(content.claims.values())
        self.written: dict[str, list[Claim]] = {p: [] for p in content.people}
        self.reviewed: dict[str, list[Claim]] = {p: [] for p in content.people}
        self.by_article: dict[str, list[Claim]] = {a: [] for a in content.articles}
        self.by_topic: dict[str, list[Claim]] = {t: [] for t in content.topics}
        self.by_verdict: dict[str, list[Claim]] = {v: [] for v in content.verdicts}
        self.by_tag: dict[str, list[Claim]] = {t: [] for t in content.tags}
        for claim in self.claims:
            for aid in claim.articles:
                self.by_article[aid].append(claim)
            if claim.topic:
                self.by_topic[claim.topic].append(claim)
            self.by_verdict[claim.verdict].append(claim)
            for tag in claim.tags:
                self.by_tag[tag].append(claim)
            if isinstance(claim.author, str):
                self.written[claim.author].append(claim)
            if claim.reviewer:
                self.reviewed[claim.reviewer].append(claim)
        dates = [c.date for c in self.claims if c.date] + [a.published for a in content.articles.values()]
        # The newest date in the content: the "last modified" of pages that list everything.
        self.newest = max(dates, default=dt.date(1970, 1, 1))

    def page(self, path: str, template: str, lastmod: dt.date | None = None, group: str = "lists",
             **context) -> Page:
        # `lastmod` goes into each page's front matter; the MkDocs hook makes it the page's date instead
        # of the build date, so identical content gives an identical site on any day.
        return Page(path, template, {"settings": self.settings, "verdicts": self.content.verdicts,
                                     "lastmod": lastmod or self.newest, "drafts": self.drafts, **context}, group)

    def paged(self, path: str, template: str, items: list, key: str = "claims", per_page: int = PER_PAGE,
              **context) -> Iterator[Page]:
        """The pages of a listing, `per_page` items each, under `key` in the context; `pager` for the pager."""
        chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
        for n, chunk in enumerate(chunks, 1):
            page_path = f"{path}/index" if n == 1 else f"{path}/page/{n}/index"
            pager = {"n": n, "total": len(chunks),
                     "prev": page_url(path, n - 1) if n > 1 else None,
                     "next": page_url(path, n + 1) if n < len(chunks) else None,
                     "links": _pager_links(path, n, len(chunks))}
            yield self.page(page_path, template, **context, **{key: chunk, "pager": pager, "count": len(items)})

    def tally(self, claims: list[Claim]) -> list[tuple]:
        counts = Counter(c.verdict for c in claims)
        return [(v, counts[v.id]) for v in self.content.verdicts.values() if counts[v.id]]

    def same_topic(self, claim: Claim) -> list[Claim]:
        """Claims on the same topic from other reports."""
        if not claim.topic:
            return []
        mine = set(claim.articles)
        return [c for c in self.by_topic[claim.topic] if c.id != claim.id and not mine.issuperset(c.articles)]

    def topic_columns(self, topic: str) -> list[tuple]:
        """(article, its claims on the topic) for each article that covers the topic."""
        columns: dict[str, list[Claim]] = {}
        for claim in sorted(self.by_topic[topic], key=lambda c: c.id):
            for aid in claim.articles:
                columns.setdefault(aid, []).append(claim)
        return [(self.content.articles[aid], columns[aid]) for aid in sorted(columns)]

    @property
    def topics(self) -> list:
        """The topics that have claims: the comparison's entries."""
        return [topic for topic in self.content.topics.values() if self.by_topic[topic.id]]


# --- the page kinds, in site order ------------------------------------------------------------------------

def home(site: Site) -> Iterator[Page]:
    yield site.page("index", "home.md.j2", latest=site.claims[:LATEST], tally=site.tally(site.claims),
                    total=len(site.claims))


def all_claims(site: Site) -> Iterator[Page]:
    # The newest 100 without JavaScript; the filter reads the rest from claims.json.
    yield site.page("claims/index", "claims.md.j2", claims=site.claims[:PER_PAGE],
                    tags=list(site.content.tags.values()))


def article_index(site: Site) -> Iterator[Page]:
    articles = sorted(site.content.articles.values(), key=lambda a: (a.published, a.id), reverse=True)
    cards = [(a, site.tally(site.by_article[a.id])) for a in articles]
    yield from site.paged("articles", "articles.md.j2", cards, key="cards")


def comparison(site: Site) -> Iterator[Page]:
    # An index of the topics that have claims, and one page per topic with its reports side by side
    # (every topic on one page grows with the site: 2.8 MB at 10,000 claims).
    topics = site.topics
    cards = [(t, len({a for c in site.by_topic[t.id] for a in c.articles}), len(site.by_topic[t.id]),
              site.tally(site.by_topic[t.id])) for t in topics]
    yield from site.paged("compare", "compare.md.j2", cards, key="cards", per_page=TOPICS_PER_PAGE)
    for i, topic in enumerate(topics):
        dates = [c.date for c in site.by_topic[topic.id] if c.date]
        back = f"{page_url('compare', i // TOPICS_PER_PAGE + 1)}#topic-{topic.id}"  # its entry on the index
        yield site.page(f"compare/{topic.id}/index", "compare_topic.md.j2", max(dates, default=site.newest),
                        f"topic:{topic.id}", topic=topic, back=back, columns=site.topic_columns(topic.id))


def search(site: Site) -> Iterator[Page]:
    yield site.page("search", "search.md.j2")


def static_pages(site: Site) -> Iterator[Page]:
    for name in STATIC_PAGES:
        sources = {lang: site.content.pages[(name, lang)] for lang in site.settings.codes
                   if (name, lang) in site.content.pages}
        yield site.page(name, "static.md.j2", name=name, sources=sources)


def claims(site: Site) -> Iterator[Page]:
    content = site.content
    for claim in content.claims.values():
        group = f"topic:{claim.topic}" if claim.topic else f"claim:{claim.id}"  # with its comparison page
        by_id = isinstance(claim.author, str)
        yield site.page(f"claims/{claim.id}", "claim.md.j2", claim.date or site.newest, group, claim=claim,
                        articles={aid: content.articles[aid] for aid in claim.articles},
                        topic=content.topics[claim.topic] if claim.topic else None,
                        tags=[content.tags[t] for t in claim.tags],
                        related=[content.claims[r] for r in claim.related], same_topic=site.same_topic(claim),
                        author=content.people[claim.author] if by_id else None,
                        author_text=None if by_id else claim.author,
                        reviewer=content.people[claim.reviewer] if claim.reviewer else None)


def articles(site: Site) -> Iterator[Page]:
    for article in site.content.articles.values():
        quoting = site.by_article[article.id]
        yield site.page(f"articles/{article.id}", "article.md.j2",
                        max([article.published, *(c.date for c in quoting if c.date)]), f"article:{article.id}",
                        article=article, claims=quoting, tally=site.tally(quoting))


def people(site: Site) -> Iterator[Page]:
    # Paginated as the listings are: one reviewer of a large desk may have thousands of checks.
    for pid, person in site.content.people.items():
        written, reviewed = site.written[pid], site.reviewed[pid]
        checks = sorted([("written", c) for c in written] + [("reviewed", c) for c in reviewed],
                        key=lambda role_claim: _newest(role_claim[1]), reverse=True)
        dates = [c.date for c in written + reviewed if c.date]
        for page in site.paged(f"people/{pid}", "person.md.j2", checks, lastmod=max(dates, default=site.newest),
                               person=person, written_count=len(written), reviewed_count=len(reviewed)):
            yield page


def verdicts(site: Site) -> Iterator[Page]:
    yield site.page("verdicts/index", "verdicts.md.j2", tally=site.tally(site.claims))
    for vid, verdict in site.content.verdicts.items():
        yield from site.paged(f"verdicts/{vid}", "listing.md.j2", site.by_verdict[vid], kind="verdict",
                              verdict=verdict, heading=verdict.label)


def tags(site: Site) -> Iterator[Page]:
    yield site.page("tags/index", "tags.md.j2", tags=[(t, len(site.by_tag[t.id])) for t in site.content.tags.values()])
    for tid, tag in site.content.tags.items():
        yield from site.paged(f"tags/{tid}", "listing.md.j2", site.by_tag[tid], kind="tag", verdict=None,
                              heading=tag.label)


KINDS = (home, all_claims, article_index, comparison, search, static_pages, claims, articles, people, verdicts, tags)


def pages(content: Content, settings: Settings, drafts: bool = False) -> Iterator[Page]:
    site = Site(content, settings, drafts)
    for kind in KINDS:
        yield from kind(site)
