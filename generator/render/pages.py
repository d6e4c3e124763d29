"""Which pages the site has, and what each template receives. No markup here: see templates/."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..model import Article, Claim, Content
from ..settings import Settings
from .env import environment, strings
from .feed import atom_feed
from .highlight import Highlight, highlight
from .jsonld import claim_review

LATEST = 20  # claims on the home page
PER_PAGE = 100  # items per listing page: claims of a verdict or tag, articles
TOPICS_PER_PAGE = 50  # topics per page of the comparison's index: each shows up to a tally of every verdict
STATIC_PAGES = ("about", "methodology", "corrections")


@dataclass(frozen=True)
class Page:
    path: str  # docs path without language suffix, e.g. "claims/x" (index pages: "claims/index")
    template: str
    context: dict

    @property
    def url(self) -> str:
        """Directory URL relative to the language root: "claims/x/", "claims/", ""."""
        base = self.path[: -len("index")] if self.path.endswith("index") else self.path + "/"
        return base.lstrip("/")


def anchor_id(claim_id: str, index: int) -> str:
    return f"q-{claim_id}-{index}"


def newest_first(claims) -> list[Claim]:
    return sorted(claims, key=lambda c: (c.date or dt.date.min, c.id), reverse=True)


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


def _paged(path: str, template: str, items: list, key: str = "claims", per_page: int = PER_PAGE,
           **context) -> Iterator[Page]:
    """The pages of a listing, `per_page` items each, under `key` in the context; `pager` for the pager."""
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    for n, chunk in enumerate(chunks, 1):
        page_path = f"{path}/index" if n == 1 else f"{path}/page/{n}/index"
        pager = {"n": n, "total": len(chunks),
                 "prev": page_url(path, n - 1) if n > 1 else None,
                 "next": page_url(path, n + 1) if n < len(chunks) else None,
                 "links": _pager_links(path, n, len(chunks))}
        yield Page(page_path, template, {**context, key: chunk, "pager": pager, "count": len(items)})


class SiteIndex:
    """Lookups computed once per render: claims by article, topic, verdict, tag."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.by_article: dict[str, list[Claim]] = {a: [] for a in content.articles}
        self.by_topic: dict[str, list[Claim]] = {t: [] for t in content.topics}
        self.by_verdict: dict[str, list[Claim]] = {v: [] for v in content.verdicts}
        self.by_tag: dict[str, list[Claim]] = {t: [] for t in content.tags}
        for claim in newest_first(content.claims.values()):
            for aid in claim.articles:
                self.by_article[aid].append(claim)
            if claim.topic:
                self.by_topic[claim.topic].append(claim)
            self.by_verdict[claim.verdict].append(claim)
            for tag in claim.tags:
                self.by_tag[tag].append(claim)

    def article_dep(self, article_id: str) -> Article:
        """The article with its text replaced by a digest: what page_deps compares (and the cache keeps)."""
        deps = self.__dict__.setdefault("_article_deps", {})
        if article_id not in deps:
            article = self.content.articles[article_id]
            deps[article_id] = replace(article, text=hashlib.blake2b(article.text.encode("utf-8"),
                                                                     digest_size=16).hexdigest())
        return deps[article_id]

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

    def topic_summary(self, topic: str) -> tuple[int, int, list[tuple]]:
        """(number of articles, number of claims, tally) of a topic: its entry on the comparison index."""
        claims = self.by_topic[topic]
        return len({a for c in claims for a in c.articles}), len(claims), self.tally(claims)

    def tally(self, claims: list[Claim]) -> list[tuple]:
        counts = Counter(c.verdict for c in claims)
        return [(v, counts[v.id]) for v in self.content.verdicts.values() if counts[v.id]]


def newest_date(content: Content) -> dt.date:
    """The newest date in the content: the "last modified" of pages that list everything."""
    dates = [c.date for c in content.claims.values() if c.date] + [a.published for a in content.articles.values()]
    return max(dates, default=dt.date(1970, 1, 1))


def pages(content: Content, settings: Settings) -> Iterator[Page]:
    index = SiteIndex(content)
    newest = newest_date(content)
    # `lastmod` goes into each page's front matter; the MkDocs hook makes it the sitemap's lastmod
    # instead of the build date, so identical content gives an identical sitemap on any day.
    common = {"content": content, "site": index, "settings": settings, "anchor_id": anchor_id, "lastmod": newest}
    claims = newest_first(content.claims.values())

    yield Page("index", "home.md.j2", {**common, "latest": claims[:LATEST],
                                       "tally": index.tally(claims), "total": len(claims)})
    yield Page("claims/index", "claims.md.j2", {**common, "claims": claims})
    articles = sorted(content.articles.values(), key=lambda a: (a.published, a.id), reverse=True)
    yield from _paged("articles", "articles.md.j2", articles, key="articles", **common)
    # The comparison: an index of the topics that have claims, and one page per topic with its reports side
    # by side (every topic on one page grows with the site: 2.8 MB at 10,000 claims).
    topics = [topic for topic in content.topics.values() if index.by_topic[topic.id]]
    yield from _paged("compare", "compare.md.j2", topics, key="topics", per_page=TOPICS_PER_PAGE, **common)
    for i, topic in enumerate(topics):
        dates = [c.date for c in index.by_topic[topic.id] if c.date]
        back = f"{page_url('compare', i // TOPICS_PER_PAGE + 1)}#topic-{topic.id}"  # its entry on the index
        yield Page(f"compare/{topic.id}/index", "compare_topic.md.j2",
                   {**common, "topic": topic, "back": back, "lastmod": max(dates, default=newest)})
    yield Page("search", "search.md.j2", common)
    for name in STATIC_PAGES:
        yield Page(name, "static.md.j2", {**common, "name": name})
    for claim in content.claims.values():
        yield Page(f"claims/{claim.id}", "claim.md.j2",
                   {**common, "claim": claim, "related": [content.claims[r] for r in claim.related],
                    "lastmod": claim.date or newest})
    for article in content.articles.values():
        checked = [c.date for c in index.by_article[article.id] if c.date]
        yield Page(f"articles/{article.id}", "article.md.j2",
                   {**common, "article": article, "claims": index.by_article[article.id],
                    "lastmod": max([article.published, *checked]),
                    "tally": index.tally(index.by_article[article.id])})
    yield Page("verdicts/index", "verdicts.md.j2", {**common, "tally": index.tally(claims)})
    for vid, verdict in content.verdicts.items():
        yield from _paged(f"verdicts/{vid}", "listing.md.j2", index.by_verdict[vid], **common,
                          kind="verdict", verdict=verdict, heading=verdict.label)
    yield Page("tags/index", "tags.md.j2", common)
    for tid, tag in content.tags.items():
        yield from _paged(f"tags/{tid}", "listing.md.j2", index.by_tag[tid], **common,
                          kind="tag", verdict=None, heading=tag.label)


_COMMON = ("content", "site", "settings", "anchor_id")


def _dep(value, art):
    """A context value as page_deps compares it: articles by their digest (texts are large)."""
    if isinstance(value, Article):
        return art(value.id)
    if isinstance(value, list) and value and isinstance(value[0], Article):
        return tuple(art(a.id) for a in value)
    return value


def page_deps(page: Page):
    """Everything a page's output depends on, as a value compared between runs (generator/incremental.py):
    equal deps and the same generator version (templates included) mean the same Markdown, so the page
    is not rendered again. The page's own context, the verdict scale and the settings, plus what each
    template reads through `content` or `site`. A template that starts reading something new through
    them must add it here (tests/test_benchmarks.py compares incremental and full renders)."""
    ctx = page.context
    content, site = ctx["content"], ctx["site"]
    art = site.article_dep
    own = tuple((k, _dep(v, art)) for k, v in sorted(ctx.items()) if k not in _COMMON)
    extra: tuple = ()
    t = page.template
    if t == "claim.md.j2":
        claim = ctx["claim"]
        # all the topic's claims: a superset of `same_topic`, and cheaper to compare
        extra = (tuple(art(a) for a in claim.articles),
                 content.topics.get(claim.topic) if claim.topic else None,
                 tuple(content.tags.get(tag) for tag in claim.tags),
                 tuple(site.by_topic[claim.topic]) if claim.topic else ())
    elif t == "claims.md.j2":
        extra = tuple(content.tags.values())
    elif t == "articles.md.j2":
        extra = tuple(tuple(site.tally(site.by_article[a.id])) for a in ctx["articles"])
    elif t == "compare.md.j2":
        extra = tuple(site.topic_summary(topic.id) for topic in ctx["topics"])
    elif t == "compare_topic.md.j2":
        extra = tuple((art(a.id), tuple(cs)) for a, cs in site.topic_columns(ctx["topic"].id))
    elif t == "static.md.j2":
        extra = tuple(content.pages.get((ctx["name"], lang)) for lang in content.languages)
    elif t == "tags.md.j2":
        extra = tuple((tag, len(site.by_tag[tag.id])) for tag in content.tags.values())
    elif t not in ("article.md.j2", "listing.md.j2", "home.md.j2", "search.md.j2", "verdicts.md.j2"):
        return None  # unknown: always rendered
    return (t, own, extra, tuple(content.verdicts.values()), ctx["settings"], content.languages)


def article_html(page: Page, lang: str) -> str:
    """The article text with highlights, links relative to the article page."""
    ctx = page.context
    article, content = ctx["article"], ctx["content"]
    marks = []
    for claim in ctx["claims"]:
        verdict = content.verdicts[claim.verdict]
        for i, ex in enumerate(claim.excerpts):
            if ex.article == article.id:
                marks.append(Highlight(ex.start, ex.end, anchor_id(claim.id, i), f"../../claims/{claim.id}/",
                                       claim.verdict, verdict.label[lang], claim.claim[lang],
                                       lang if lang != article.language else ""))
    return highlight(article.text, marks)


def render_page(page: Page, lang: str) -> str:
    env = environment()
    ctx = {**page.context, "lang": lang, "page_url": page.url, "page": page}
    if page.template == "claim.md.j2":
        ctx["jsonld"] = claim_review(ctx["claim"], ctx["content"], ctx["settings"], lang)
    if page.template == "article.md.j2":
        ctx["article_html"] = article_html(page, lang)
    return env.get_template(page.template).render(ctx)


def claims_data(content: Content, lang: str) -> str:
    """Compact data for the client-side filter on the all-claims page."""
    rows = [[c.id, c.claim[lang], c.verdict, list(c.articles), list(c.tags), (c.date or dt.date.min).isoformat()]
            for c in newest_first(content.claims.values())]
    titles = {a.id: a.title[lang] for a in content.articles.values()}  # for the filter's report menu
    return json.dumps({"fields": ["id", "claim", "verdict", "articles", "tags", "date"], "claims": rows,
                       "articles": titles}, ensure_ascii=False, separators=(",", ":"))


def site_files(content: Content, settings: Settings, lang: str) -> dict[str, str]:
    """Files written beside MkDocs' output, per language root: feed and filter data."""
    title = f"{settings.organization[lang]} — {strings()['latest'][lang]}"
    return {"feed.xml": atom_feed(content, settings, lang, title), "claims.json": claims_data(content, lang)}
