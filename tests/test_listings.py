"""The listings stay usable as the site grows (issue 6): the articles page and the comparison are
paginated like the verdict and tag listings, the comparison links one page per topic, and claim pages
link to their topic's page. Checked on a built site with more than one page of articles and topics,
in both languages, and on the small fixture site."""
from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest

from generator.render.env import strings
from generator.render.pages import PER_PAGE, TOPICS_PER_PAGE, _pager_links, page_url
from site_fixtures import LANGS, Site, build_site, fixture_site  # noqa: F401
from conftest import write_tree
from test_site import Doc, _target, html_files

pytestmark = pytest.mark.slow

N = PER_PAGE + 5  # generated articles, topics and claims: two pages of articles, three of topics
MAX_LISTING_PAGE = 60_000  # bytes of HTML of one listing page (at 10,000 claims /compare/ was 2.8 MB)


def _generated_files(n: int) -> dict[str, str]:
    """n English articles, each quoted by one claim on its own topic; published one day apart."""
    files = {"topics.yaml": "death-toll:\n  label: {ar: حصيلة القتلى, en: Death toll}\n" + "".join(
        f"t-{i:03d}:\n  label: {{ar: موضوع {i}, en: Topic {i}}}\n" for i in range(n))}
    for i in range(n):
        day = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
        files[f"articles/a-{i:03d}.yaml"] = (f"title: {{ar: تقرير {i}, en: Report {i}}}\noutlet: {{ar: وكالة, en: Agency}}\n"
                                             f"published: {day}\nlanguage: en\n")
        files[f"articles/a-{i:03d}.txt"] = f"Officials said the crossing opened on day {i} of the truce.\n"
        files[f"claims/c-{i:03d}.yaml"] = f"""\
            claim: {{ar: فُتح المعبر في اليوم {i}., en: The crossing opened on day {i}.}}
            claimant: {{ar: التقرير, en: The report}}
            verdict: {"accurate" if i % 3 else "inaccurate"}
            conclusion: {{ar: الخلاصة {i}., en: Conclusion {i}.}}
            explanation: {{ar: "بحسب [المصدر](https://example.org/{i}).", en: "According to [the source](https://example.org/{i})."}}
            excerpts:
              - article: a-{i:03d}
                quote: "the crossing opened on day {i} of the truce"
                translation: {{ar: "فُتح المعبر في اليوم {i} من الهدنة"}}
            sources:
              - url: https://example.org/{i}
                title: Source {i}
                publisher: Ministry
            topic: t-{i:03d}
            published: {day}
            """
    return files


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("listings-site")
    return build_site(root, write_tree(root, _generated_files(N)), "--no-search")


def root(lang: str) -> str:
    return "" if lang == "ar" else f"{lang}/"


def links(site: Site, rel: str, pager: bool = False) -> list[tuple[dict, str]]:
    """(attributes, path of the target relative to the site root) of every internal <a href> on a page,
    or in its pager."""
    base = "http://site.invalid/" + rel
    html = site.html(rel)
    if pager:
        html = html[html.index('<nav class="fc-pager"'):]
        html = html[:html.index("</nav>")]
    out = []
    for tag, attrs in Doc(html).elements:
        href = attrs.get("href", "")
        if tag == "a" and href and not urlsplit(href).scheme and not href.startswith("//"):
            url = urlsplit(urljoin(base, href))
            out.append((attrs, url.path.lstrip("/") + (f"#{url.fragment}" if url.fragment else "")))
    return out


def listing_pages(site: Site, lang: str, path: str) -> list[str]:
    """The pages of a listing, followed from its first page through rel=next links."""
    pages, rel = [], f"{root(lang)}{path}"
    while rel:
        assert rel not in pages, f"the pager loops: {pages} → {rel}"
        pages.append(rel)
        nexts = [target for attrs, target in links(site, rel) if attrs.get("rel") == "next"]
        assert len(nexts) <= 1, rel
        rel = nexts[0] if nexts else None
    return pages


def item_targets(site: Site, rel: str, cls: str) -> list[str]:
    """Where the heading links of the items (sections with class `cls`) of a listing page point."""
    html = site.html(rel)
    parts = html.split(f'class="{cls}"')[1:]
    out = []
    for part in parts:
        href = part.split('href="', 1)[1].split('"', 1)[0]
        out.append(urlsplit(urljoin("http://site.invalid/" + rel, href)).path.lstrip("/"))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_articles_are_paginated_newest_first(big_site, lang):
    pages = listing_pages(big_site, lang, "articles/")
    assert pages == [f"{root(lang)}articles/", f"{root(lang)}articles/page/2/"]
    seen = []
    for rel in pages:
        on_page = item_targets(big_site, rel, "fc-article-card")
        assert 0 < len(on_page) <= PER_PAGE, rel
        seen += on_page
    # the MINIMAL article (2024) is the newest, then the generated ones (2023), newest first
    expected = [f"{root(lang)}articles/report/"] + [f"{root(lang)}articles/a-{i:03d}/" for i in reversed(range(N))]
    assert seen == expected  # every article once, newest first


@pytest.mark.parametrize("lang", LANGS)
def test_comparison_is_an_index_of_topics_with_a_page_each(big_site, lang):
    pages = listing_pages(big_site, lang, "compare/")
    assert pages == [f"{root(lang)}compare/", f"{root(lang)}compare/page/2/", f"{root(lang)}compare/page/3/"]
    seen = []
    for rel in pages:
        on_page = item_targets(big_site, rel, "fc-topic-card")
        assert 0 < len(on_page) <= TOPICS_PER_PAGE, rel
        ids = Doc(big_site.html(rel)).ids
        for target in on_page:
            assert f"topic-{target.rstrip('/').rsplit('/', 1)[1]}" in ids  # old `compare/#topic-x` links
        seen += on_page
    topics = ["death-toll"] + [f"t-{i:03d}" for i in range(N)]
    assert Counter(seen) == Counter(f"{root(lang)}compare/{t}/" for t in topics)
    for t in ("death-toll", "t-000", f"t-{N - 1:03d}"):
        assert _target(big_site, f"/{root(lang)}compare/{t}/") is not None


@pytest.mark.parametrize("lang", LANGS)
def test_pager_in_the_page_language(big_site, lang):
    s = strings()
    for path in ("articles/", "compare/"):
        pages = listing_pages(big_site, lang, path)
        for n, rel in enumerate(pages, 1):
            html, page_links = big_site.html(rel), links(big_site, rel, pager=True)
            nav = [(a["rel"], t) for a, t in page_links if a.get("rel") in ("prev", "next")]
            assert nav == [("prev", p) for p in pages[n - 2:n - 1]] + [("next", p) for p in pages[n:n + 1]], rel
            assert (f'>{s["previous"][lang]}</a>' in html) == (n > 1)
            assert (f'>{s["next"][lang]}</a>' in html) == (n < len(pages))
            assert f'aria-label="{s["pages"][lang]}"' in html
            assert f"{s['page'][lang]} {n} {s['of'][lang]} {len(pages)}" in html
            assert f'<span aria-current="page">{n}</span>' in html
            numbered = [t for a, t in page_links if a.get("rel") is None]
            assert numbered == [p for p in pages if p != rel]  # every other page by its number


@pytest.mark.parametrize("lang", LANGS)
def test_topic_page_and_claim_page_link_each_other(big_site, lang):
    for i in (0, N - 1):
        claim = f"{root(lang)}claims/c-{i:03d}/"
        topic = f"{root(lang)}compare/t-{i:03d}/"
        assert topic in [t for _, t in links(big_site, claim)]
        topic_links = [t for _, t in links(big_site, topic)]
        assert claim in topic_links and f"{root(lang)}articles/a-{i:03d}/" in topic_links
        # the way back: the index page that lists the topic, at its entry
        back = [t for t in topic_links if "#topic-" in t]
        index_page = page_url("compare", (i + 1) // TOPICS_PER_PAGE + 1)  # death-toll comes first
        assert back == [f"{root(lang)}{index_page}#topic-t-{i:03d}"]
        assert f"{topic}" in item_targets(big_site, back[0].split("#")[0], "fc-topic-card")


def test_listing_pages_stay_small_and_links_resolve(big_site):
    sizes = {p.relative_to(big_site.path).as_posix(): p.stat().st_size for p in html_files(big_site)
             if p.parent.name in ("articles", "compare", "2") or p.parent.parent.name == "compare"}
    assert any("compare/page/2" in p for p in sizes) and any("articles/page/2" in p for p in sizes)
    assert max(sizes.values()) < MAX_LISTING_PAGE, max(sizes.items(), key=lambda kv: kv[1])
    for rel in ("articles/", "articles/page/2/", "compare/", "compare/page/2/", "en/compare/t-000/"):
        for _, target in links(big_site, rel):
            assert _target(big_site, "/" + target.split("#")[0]) is not None, (rel, target)


def test_pager_numbers():
    shown = lambda n, total: [x and x[0] for x in _pager_links("a", n, total)]  # noqa: E731
    assert shown(1, 1) == [1]
    assert shown(1, 5) == [1, 2, 3, 4, 5]
    assert shown(6, 25) == [1, None, 4, 5, 6, 7, 8, None, 25]
    assert shown(1, 25) == [1, 2, 3, None, 25]
    assert shown(4, 25) == [1, 2, 3, 4, 5, 6, None, 25]  # a gap of one page shows the page
    assert _pager_links("tags/x", 2, 3) == [(1, "tags/x/"), (2, "tags/x/page/2/"), (3, "tags/x/page/3/")]


@pytest.mark.parametrize("lang", LANGS)
def test_small_site_compares_side_by_side_without_pager(fixture_site, lang):  # noqa: F811
    index = fixture_site.html(f"{root(lang)}compare/")
    assert 'class="fc-pager"' not in index and 'class="fc-pager"' not in fixture_site.html(f"{root(lang)}articles/")
    assert item_targets(fixture_site, f"{root(lang)}compare/", "fc-topic-card") == [f"{root(lang)}compare/death-toll/"]
    topic = fixture_site.html(f"{root(lang)}compare/death-toll/")
    assert topic.count('class="fc-column"') == 2  # the two reports side by side
    assert 'href="../../claims/toll/"' in topic and 'href="../../claims/toll-en/"' in topic
    assert 'href="../../compare/death-toll/"' in fixture_site.html(f"{root(lang)}claims/toll/")
