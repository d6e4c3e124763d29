"""Static checks of the built HTML (issue 3): structured data, languages and
directions, size, cross-language links, internal links, feeds, sitemap, dates.

Runs on the small feature-complete fixture tree and on the real content/
(skipped while content/ does not validate).
"""
from __future__ import annotations

import json
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import pytest
from babel.dates import format_date

from generator.pipeline import check
from site_fixtures import LANGS, SITE_URL, Site, fixture_site, sample_site  # noqa: F401

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
MAX_CLAIM_PAGE = 40_000
LINK_ATTRS = {"href", "src"}


class Doc(HTMLParser):
    """Everything the checks need from one page, from the stdlib parser."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self._text: list[str] = []
        self.times: list[tuple[dict, str]] = []
        self._time: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "script":
            self._script, self._text = a, []
        if tag == "time":
            self._time, self._text = a, []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        if tag == "time" and self._time is not None:
            self.times.append((self._time, "".join(self._text)))
            self._time = None

    def handle_data(self, data):
        if self._script is not None or self._time is not None:
            self._text.append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def with_class(self, tag: str, cls: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


@pytest.fixture(scope="module", params=["fixture", "sample"])
def site(request) -> Site:
    return request.getfixturevalue(f"{request.param}_site")


@pytest.fixture(scope="module")
def model(site):
    checked = check(site.content)
    assert checked.content is not None
    return checked.content


def lang_root(lang: str) -> str:
    return "" if lang == "ar" else f"{lang}/"


def claim_pages(model):
    return [(cid, lang) for cid in model.claims for lang in LANGS]


def doc(site: Site, rel: str) -> Doc:
    return Doc(site.html(rel))


def test_claim_pages_carry_one_valid_claimreview(site, model):
    for cid, lang in claim_pages(model):
        rel = f"{lang_root(lang)}claims/{cid}/"
        d = doc(site, rel)
        blocks = [text for a, text in d.scripts if a.get("type") == "application/ld+json"]
        assert len(blocks) == 1, f"{rel}: {len(blocks)} JSON-LD blocks"
        data = json.loads(blocks[0])
        claim, verdict = model.claims[cid], model.verdicts[model.claims[cid].verdict]
        canonical = [a["href"] for a in d.find("link", rel="canonical")]
        assert canonical == [SITE_URL + rel], rel
        assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
        assert data["url"] == SITE_URL + rel
        assert data["claimReviewed"] == claim.claim[lang]
        assert data["reviewRating"]["alternateName"] == verdict.label[lang]
        assert data["author"]["@type"] == "Organization" and data["author"]["name"]
        item = data["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["appearance"] and all(ap["url"].startswith("https://") for ap in item["appearance"])
        assert item["firstAppearance"] in item["appearance"]
        if verdict.rating >= 1:
            r = data["reviewRating"]
            assert r["worstRating"] <= r["ratingValue"] <= r["bestRating"]


def test_excerpts_are_marked_with_language_and_direction(site, model):
    for cid, lang in claim_pages(model):
        d = doc(site, f"{lang_root(lang)}claims/{cid}/")
        quotes = [a for t, a in d.elements if t == "blockquote" and "fc-source-quote" not in a.get("class", "")]
        assert len(quotes) == len(model.claims[cid].excerpts)
        for a in quotes:
            assert a.get("lang") in LANGS and a.get("dir") == ("rtl" if a["lang"] == "ar" else "ltr"), (cid, a)


def test_claim_pages_stay_small(site, model):
    for cid, lang in claim_pages(model):
        path = site.path / lang_root(lang) / "claims" / cid / "index.html"
        assert path.stat().st_size <= MAX_CLAIM_PAGE, f"{path}: {path.stat().st_size} bytes"


def test_language_switcher_points_at_the_same_claim(site, model):
    for cid, lang in claim_pages(model):
        rel = f"{lang_root(lang)}claims/{cid}/"
        switch = doc(site, rel).with_class("a", "fc-lang-switch")
        assert len(switch) == 1, rel
        other = "en" if lang == "ar" else "ar"
        assert switch[0]["hreflang"] == other
        target = urljoin(SITE_URL + rel, switch[0]["href"])
        assert target == f"{SITE_URL}{lang_root(other)}claims/{cid}/", (rel, switch[0]["href"])


def html_files(site: Site) -> list[Path]:
    return sorted(p for p in site.path.rglob("*.html") if "pagefind" not in p.parts)


def test_html_lang_and_dir_on_every_page(site):
    files = html_files(site)
    assert len(files) > 10
    for path in files:
        rel = path.relative_to(site.path).as_posix()
        html = [a for t, a in Doc(path.read_text(encoding="utf-8")).elements if t == "html"][0]
        want = ("en", "ltr") if rel.startswith("en/") else ("ar", "rtl")
        assert (html.get("lang"), html.get("dir")) == want, rel


def _target(site: Site, url_path: str) -> Path | None:
    """The file a site-relative URL path serves, as http.server would."""
    path = site.path / unquote(url_path).lstrip("/")
    if url_path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def test_no_broken_internal_link(site):
    """Every relative href/src resolves to a file, and every #fragment to an id in it."""
    docs: dict[Path, Doc] = {}

    def parsed(p: Path) -> Doc:
        if p not in docs:
            docs[p] = Doc(p.read_text(encoding="utf-8"))
        return docs[p]

    broken, checked = [], 0
    base = "http://site.invalid/"
    for path in html_files(site):
        rel = path.relative_to(site.path).as_posix()
        page_url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        for tag, attrs in parsed(path).elements:
            for name in LINK_ATTRS & attrs.keys():
                ref = attrs[name].strip()
                if not ref or urlsplit(ref).scheme or ref.startswith("//"):
                    continue  # external, mailto:, data: (theme icons)
                url = urlsplit(urljoin(page_url, ref))
                target = _target(site, url.path)
                checked += 1
                if target is None:
                    broken.append(f"{rel}: <{tag} {name}={ref!r}> → missing {url.path}")
                elif url.fragment and not url.fragment.startswith(":~:") and target.suffix == ".html" \
                        and unquote(url.fragment) not in parsed(target).ids:
                    broken.append(f"{rel}: <{tag} {name}={ref!r}> → no id #{url.fragment} in {url.path}")
    assert checked > 100
    assert not broken, "\n".join(broken[:40])


def test_atom_feed_per_language(site, model):
    for lang in LANGS:
        feed = ET.parse(site.path / lang_root(lang) / "feed.xml").getroot()
        assert feed.tag == f"{ATOM}feed"
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == min(50, len(model.claims))
        links = [e.find(f"{ATOM}link").get("href") for e in entries]
        assert len(set(links)) == len(links)
        assert all(link.startswith(f"{SITE_URL}{lang_root(lang)}claims/") for link in links)
        for e in entries:
            assert e.find(f"{ATOM}title").text and e.find(f"{ATOM}updated").text and e.find(f"{ATOM}id").text


def test_sitemap_and_404_exist(site, model):
    sitemap = ET.parse(site.path / "sitemap.xml").getroot()
    locs = {el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for cid, lang in claim_pages(model):
        assert f"{SITE_URL}{lang_root(lang)}claims/{cid}/" in locs
    assert (site.path / "404.html").is_file()


def test_claims_json_per_language(site, model):
    for lang in LANGS:
        data = json.loads((site.path / lang_root(lang) / "claims.json").read_text(encoding="utf-8"))
        ids = [row[0] for row in data["claims"]]
        assert sorted(ids) == sorted(model.claims)
        assert {row[1] for row in data["claims"]} == {c.claim[lang] for c in model.claims.values()}


def test_dates_are_formatted_for_the_locale(site, model):
    claim = next(c for c in model.claims.values() if c.published)
    for lang in LANGS:
        d = doc(site, f"{lang_root(lang)}claims/{claim.id}/")
        shown = {a.get("datetime"): text for a, text in d.times}
        assert shown[claim.published.isoformat()] == format_date(claim.published, format="long", locale=lang)
    ar = {a.get("datetime"): text for a, text in doc(site, f"claims/{claim.id}/").times}
    months = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
              "نوفمبر", "ديسمبر")
    assert any(m in ar[claim.published.isoformat()] for m in months)


def test_badges_inside_foreign_article_text_carry_the_page_language(site, model):
    """A verdict label shown inside an article in the other language is marked with its own lang and dir."""
    for aid, article in model.articles.items():
        for lang in LANGS:
            d = doc(site, f"{lang_root(lang)}articles/{aid}/")
            badges = [a for a in d.with_class("a", "fc-badge") if a.get("href", "").startswith("../../claims/")]
            if lang == article.language:
                assert all("lang" not in a for a in badges)
            else:
                assert all(a.get("lang") == lang and a.get("dir") in ("ltr", "rtl") for a in badges), (aid, lang)
