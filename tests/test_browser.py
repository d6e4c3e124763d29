"""The built site in headless Chromium (Debian's /usr/bin/chromium through Playwright),
served on 127.0.0.1: directions, the language switcher, Pagefind search per language,
JSON-LD, highlights linking to claims, and an axe-core scan (issue 3, "Done when").
"""
from __future__ import annotations

import json

import pytest

from conftest import ROOT
from generator.pipeline import check
from site_fixtures import browser, fixture_site, fixture_url, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Pagefind's JS API as the search page uses it: the page language's partitions (pagefind/bundles.json),
# the first imported, the others merged into it.
SEARCH = """async (q) => {
  const bundles = (await (await fetch('/pagefind/bundles.json')).json())[document.documentElement.lang];
  const pagefind = await import('/' + bundles[0] + '/pagefind.js');
  for (const b of bundles.slice(1)) await pagefind.mergeIndex('/' + b + '/');
  const found = await pagefind.search(q);
  const data = await Promise.all(found.results.map((r) => r.data()));
  return data.map((d) => d.url);
}"""


@pytest.fixture(scope="module")
def model(fixture_site):
    return check(fixture_site.content).content


def goto(page, base: str, path: str):
    response = page.goto(base + path)
    assert response and response.ok, f"{path}: {response and response.status}"
    return response


def html_attrs(page) -> tuple[str, str]:
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


@pytest.mark.parametrize("path", ["", "claims/toll/", "articles/report/", "articles/wire/", "compare/", "search/"])
def test_arabic_pages_are_rtl(page, fixture_url, path):
    goto(page, fixture_url, path)
    assert html_attrs(page) == ["ar", "rtl"]
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    goto(page, fixture_url, "en/" + path)
    assert html_attrs(page) == ["en", "ltr"]
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"


def test_switcher_lands_on_the_same_claim(page, fixture_url, model):
    goto(page, fixture_url, "claims/defeat/")
    page.click("a.fc-lang-switch")
    page.wait_for_url(fixture_url + "en/claims/defeat/")
    assert html_attrs(page) == ["en", "ltr"]
    assert page.inner_text("h1.fc-claim-text").strip() == model.claims["defeat"].claim["en"]
    page.click("a.fc-lang-switch")
    page.wait_for_url(fixture_url + "claims/defeat/")
    assert html_attrs(page) == ["ar", "rtl"]
    assert page.inner_text("h1.fc-claim-text").strip() == model.claims["defeat"].claim["ar"]


def test_arabic_search_without_diacritics_finds_the_claim(page, fixture_url, model):
    written = model.claims["toll"].claim["ar"]
    assert "المَسْؤُولُونَ" in written  # the page has the word with diacritics
    goto(page, fixture_url, "claims/defeat/")
    urls = page.evaluate(SEARCH, "المسؤولون")
    assert "/claims/toll/" in urls, urls
    assert all(not u.startswith("/en/") for u in urls), urls


def test_english_search_returns_english_pages_only(page, fixture_url):
    goto(page, fixture_url, "en/claims/defeat/")
    urls = page.evaluate(SEARCH, "killed")
    assert "/en/claims/toll/" in urls, urls
    assert all(u.startswith("/en/") for u in urls), urls
    # from an Arabic page, the Arabic index: it holds English words only where Arabic pages
    # quote the English article verbatim, and never an /en/ page
    goto(page, fixture_url, "claims/defeat/")
    urls = page.evaluate(SEARCH, "killed")
    assert "/claims/toll/" not in urls and all(not u.startswith("/en/") for u in urls), urls


def test_search_page_ui_finds_the_claim(page, fixture_url):
    goto(page, fixture_url, "search/?q=" + "المسؤولون")
    page.wait_for_selector(".pagefind-ui__result-link")
    links = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    assert "/claims/toll/" in links, links


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_jsonld_parses_and_names_the_claim(page, fixture_url, model, lang):
    goto(page, fixture_url, ("" if lang == "ar" else "en/") + "claims/toll/")
    blocks = page.eval_on_selector_all('script[type="application/ld+json"]', "els => els.map(e => e.textContent)")
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == model.claims["toll"].claim[lang]
    assert data["url"] == page.evaluate("document.querySelector('link[rel=canonical]').href")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_highlight_links_to_its_claim(page, fixture_url, model, lang):
    prefix = "" if lang == "ar" else "en/"
    goto(page, fixture_url, prefix + "articles/wire/")
    marks = page.locator("mark.fc-hl a")
    assert marks.count() >= 2
    href = marks.first.get_attribute("href")
    cid = href.rstrip("/").rsplit("/", 1)[1]
    assert cid in model.claims
    marks.first.click()
    page.wait_for_url(f"{fixture_url}{prefix}claims/{cid}/")
    assert page.inner_text("h1.fc-claim-text").strip() == model.claims[cid].claim[lang]
    # and back: the claim page's excerpt link lands on the highlight's anchor
    page.click(f'figcaption a[href*="articles/wire/#q-{cid}-"]')
    page.wait_for_url(f"{fixture_url}{prefix}articles/wire/#q-{cid}-*")
    assert page.evaluate("document.querySelector(':target') !== null")


def axe_scan(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


AXE_PAGES = [(path, "light") for path in ("", "claims/toll/", "articles/report/", "en/", "en/claims/toll/",
                                          "en/articles/report/")]
AXE_PAGES += [("claims/toll/", "dark"), ("en/articles/wire/", "dark")]  # the slate palette (prefers-color-scheme)


@pytest.mark.parametrize(("path", "scheme"), AXE_PAGES)
def test_axe_finds_no_serious_violation(browser, fixture_url, path, scheme):
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing: run `npm ci`")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        pg = context.new_page()
        goto(pg, fixture_url, path)
        problems = axe_scan(pg)
    finally:
        context.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_no_horizontal_overflow_on_a_phone(browser, fixture_url, lang):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        pg = context.new_page()
        for path in ("", "claims/toll/", "claims/defeat/", "articles/report/", "articles/wire/", "compare/", "claims/"):
            goto(pg, fixture_url, ("" if lang == "ar" else "en/") + path)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{lang} {path}: the page is {width} px wide on a 390 px screen"
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_all_claims_filter_by_report(page, fixture_url, model, lang):
    """The report menu is filled from claims.json (the page itself carries no per-report markup)."""
    root = "" if lang == "ar" else "en/"
    goto(page, fixture_url, root + "claims/")
    page.wait_for_selector("form.fc-filters:not([hidden]) select[name=article] option:nth-child(2)", state="attached")
    options = page.eval_on_selector_all("select[name=article] option", "os => os.map(o => [o.value, o.textContent])")
    assert options[1:] == [[a.id, a.title[lang]] for a in model.articles.values()]
    wire = sorted(c.id for c in model.claims.values() if "wire" in c.articles)
    assert 0 < len(wire) < len(model.claims)
    page.select_option("select[name=article]", "wire")
    shown = page.eval_on_selector_all(".fc-all .fc-list a", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(href.strip("/").split("/")[-1] for href in shown) == wire
