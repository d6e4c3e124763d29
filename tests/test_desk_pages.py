"""What the desk's workflow shows readers (issue 13): on every claim page, in both languages, who wrote and
reviewed it (linked to their pages, which list their checks), the archived copy of each source, the
correction log newest first and a "report an error" link filled in for that page; the corrections channel
on the about and corrections pages; the policies in force on the methodology page; Markdown links and
tables in the pages. And the example domain: `build` warns, `validate --public` refuses."""
from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conftest import write_tree
from generator.pipeline import check
from generator.render import render
from generator.render.env import strings
from generator.settings import Corrections, Policy, load_settings
from site_fixtures import LANGS, SITE_FILES, SITE_URL, fixture_site  # noqa: F401

pytestmark = pytest.mark.slow


def prefix(lang: str) -> str:
    return "" if lang == "ar" else f"{lang}/"


class Links(HTMLParser):
    """Every <a>: (attributes, text)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[dict, str]] = []
        self._open: dict | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open, self._text = {k: v or "" for k, v in attrs}, []

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.links.append((self._open, "".join(self._text)))
            self._open = None


def links(html: str, cls: str = "") -> list[tuple[dict, str]]:
    return [(a, text) for a, text in Links(html).links if not cls or cls in a.get("class", "").split()]


@pytest.fixture(scope="module")
def model(fixture_site):
    return check(fixture_site.content).content


# --- claim pages ---------------------------------------------------------------------------------------------

def test_every_claim_page_has_a_report_link_filled_in_for_it(fixture_site, model):
    for cid, claim in model.claims.items():
        for lang in LANGS:
            html = fixture_site.html(f"{prefix(lang)}claims/{cid}/")
            (report,) = [a for a, _ in links(html) if a.get("href", "").startswith("mailto:")]
            mail = urlsplit(report["href"])
            query = {k: v[0] for k, v in parse_qs(mail.query).items()}
            assert mail.path == "corrections@factcheck.example.org"
            assert claim.claim[lang] in query["subject"]
            assert f"{SITE_URL}{prefix(lang)}claims/{cid}/" in query["body"]
            label = {"ar": "أبلغ عن خطأ في هذا التحقق", "en": "Report an error in this fact-check"}[lang]
            assert label in html


@pytest.mark.parametrize("form, expected", [
    ("https://desk.example.net/report?page={url}", "https://desk.example.net/report?page={}"),
    ("https://desk.example.net/report", "https://desk.example.net/report?url={}"),
    ("https://desk.example.net/report?lang=x", "https://desk.example.net/report?lang=x&url={}"),
])
def test_a_form_gets_the_claims_address(tmp_path, form, expected):
    settings = replace(load_settings(), corrections=Corrections(url=form))
    content = check(write_tree(tmp_path, SITE_FILES)).content
    render(content, settings, tmp_path / "docs")
    for lang in LANGS:
        page = (tmp_path / "docs" / f"claims/toll.{lang}.md").read_text(encoding="utf-8")
        (href,) = [a["href"] for a, _ in links(page) if a["href"].startswith("https://desk.")]
        address = f"{SITE_URL}{prefix(lang)}claims/toll/"
        assert unquote(href.replace("+", " ")) == expected.format(address)
        assert "mailto:" not in page


def test_with_a_form_and_an_address_the_page_offers_both(tmp_path):
    settings = replace(load_settings(), corrections=Corrections("fix@desk.org", "https://desk.org/report"))
    render(check(write_tree(tmp_path, SITE_FILES)).content, settings, tmp_path / "docs")
    for lang, also in (("ar", "أو راسلنا بالبريد الإلكتروني"), ("en", "or write to us")):
        page = (tmp_path / "docs" / f"claims/toll.{lang}.md").read_text(encoding="utf-8")
        ((form, first), (mail, second)) = [(a["href"], text) for a, text in links(page)
                                           if a["href"].startswith(("https://desk.org/", "mailto:"))]
        assert form.startswith("https://desk.org/report?url=") and mail.startswith("mailto:fix@desk.org?subject=")
        assert first == {"ar": "أبلغ عن خطأ في هذا التحقق", "en": "Report an error in this fact-check"}[lang]
        assert second == also


def test_authors_and_reviewers_link_to_their_pages_which_list_their_checks(fixture_site):
    for lang in LANGS:
        toll = fixture_site.html(f"{prefix(lang)}claims/toll/")
        people = [(a["href"], text) for a, text in links(toll, "fc-person")]
        names = {"ar": ["نادية حداد", "عمر سعيد"], "en": ["Nadia Haddad", "Omar Said"]}[lang]
        assert people == [("../../people/nadia-haddad/", names[0]), ("../../people/omar-said/", names[1])]
        written, reviewed = {"ar": ("إعداد", "مراجعة"), "en": ("Written by", "Reviewed by")}[lang]
        assert f"<dt>{written}</dt>" in toll and f"<dt>{reviewed}</dt>" in toll
        defeat = fixture_site.html(f"{prefix(lang)}claims/defeat/")  # its author is a name as text: no link
        assert [a["href"] for a, _ in links(defeat, "fc-person")] == ["../../people/omar-said/"] and {"ar": "فريق التحقق", "en": "Fact-check desk"}[lang] in defeat
        page = fixture_site.html(f"{prefix(lang)}people/nadia-haddad/")
        listed = [a["href"] for a, _ in links(page) if re.fullmatch(r"\.\./\.\./claims/[^/]+/", a["href"])]
        assert listed == ["../../claims/toll/", "../../claims/toll-en/"]  # written, then reviewed
        assert "https://example.org/nadia" in page


def test_a_busy_persons_page_is_paginated_and_lists_each_check_once_per_role(tmp_path):
    from benchmarks.corpus import generate

    content = tmp_path / "content"
    generate(content, 130, seed=5, people=2)  # each person writes 65 checks and reviews 65: 130, two pages
    checked = check(content)
    render(checked.content, load_settings(), tmp_path / "docs")
    for lang in LANGS:
        pages = [(tmp_path / "docs" / f"people/person-01/{sub}index.{lang}.md").read_text(encoding="utf-8")
                 for sub in ("", "page/2/")]
        assert not (tmp_path / "docs" / f"people/person-01/page/3/index.{lang}.md").exists()
        listed = [re.findall(r'href="\.\./\.\./(?:\.\./\.\./)?claims/([^/]+)/"', page) for page in pages]
        assert len(listed[0]) == 100 and len(listed[1]) == 30
        mine = {c.id for c in checked.content.claims.values() if "person-01" in (c.author, c.reviewer)}
        assert sorted(listed[0] + listed[1]) == sorted(mine) and len(mine) == 130
        assert ("(65)" in pages[0] and 'rel="next"' in pages[0]) and 'rel="prev"' in pages[1]


def test_each_source_shows_its_archived_copy(fixture_site):
    for lang in LANGS:
        html = fixture_site.html(f"{prefix(lang)}claims/toll/")
        ((a, text),) = links(html, "fc-archived")
        assert a["href"] == "https://web.archive.org/web/20240418120000/https://example.org/toll"
        assert text == {"ar": "نسخة مؤرشفة", "en": "archived copy"}[lang]
        assert links(fixture_site.html(f"{prefix(lang)}claims/defeat/"), "fc-archived") == []


def test_the_correction_log_is_newest_first(tmp_path):
    toll = SITE_FILES["claims/toll-en.yaml"].replace(
        "        related: [toll]\n",
        "          - date: 2024-04-23\n            note: {ar: تصحيح أحدث., en: A later fix.}\n        related: [toll]\n"
    ).replace("updated: 2024-04-22", "updated: 2024-04-23")
    content = check(write_tree(tmp_path, {**SITE_FILES, "claims/toll-en.yaml": toll})).content
    render(content, load_settings(), tmp_path / "docs")
    page = (tmp_path / "docs" / "claims/toll-en.en.md").read_text(encoding="utf-8")
    assert page.index("A later fix.") < page.index("Corrected the source.")


# --- the static pages ---------------------------------------------------------------------------------------

def test_about_and_corrections_pages_show_the_channel(fixture_site):
    for lang in LANGS:
        for name in ("about", "corrections"):
            html = fixture_site.html(f"{prefix(lang)}{name}/")
            assert ["mailto:corrections@factcheck.example.org"] == [a["href"] for a, _ in links(html)
                                                                   if a["href"].startswith("mailto:")]
        assert "mailto:" not in fixture_site.html(f"{prefix(lang)}methodology/")


def _pages(tmp_path, settings, pages: dict | None = None) -> dict[str, str]:
    content = check(write_tree(tmp_path, {**SITE_FILES, **(pages or {})}), settings=settings).content
    render(content, settings, tmp_path / "docs")
    return {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "docs").glob("*.md")}


def test_the_methodology_page_states_the_policies_in_force(tmp_path):
    import datetime as dt

    settings = load_settings()
    off = _pages(tmp_path / "off", replace(settings, policy=Policy()))
    assert 'id="policies"' not in off["methodology.ar.md"] + off["methodology.en.md"]
    said = strings()
    on = _pages(tmp_path / "on", replace(settings, policy=Policy(review=False, archive_after=dt.date(2024, 12, 31))))
    assert "archived copy" in on["methodology.en.md"] and said["policy_review"]["en"] not in on["methodology.en.md"]
    assert '<time datetime="2024-12-31">December 31, 2024</time>' in on["methodology.en.md"]
    both = _pages(tmp_path / "both", replace(settings, policy=Policy(review=True, archive_after=dt.date(2024, 12, 31))),
                  {"claims/defeat.yaml": None})  # every claim left is reviewed
    for lang in LANGS:
        assert said["policy_review"][lang] in both[f"methodology.{lang}.md"]
    since = _pages(tmp_path / "since", replace(settings, policy=Policy(review=True, review_after=dt.date(2024, 4, 19))),
                   {"claims/defeat.yaml": None})
    before, after = said["policy_review_after"]["en"].split("{date}")
    assert f'{before}<time datetime="2024-04-19">April 19, 2024</time>{after}' in since["methodology.en.md"]
    assert said["policy_review"]["en"] not in since["methodology.en.md"]


def test_pages_render_links_and_tables(tmp_path):
    page = ("# About\n\nRead [our method](/methodology/#scale), [a check](/claims/toll/), "
            "[the law](https://example.org/law) or write to [us](mailto:desk@example.org).\n\n"
            "| verdict | count |\n| --- | --- |\n| True | 2 |\n")
    docs = _pages(tmp_path, load_settings(), {"pages/about.en.md": page})
    html = docs["about.en.md"]
    assert '<a href="../methodology/#scale">our method</a>' in html
    assert '<a href="../claims/toll/">a check</a>' in html
    assert '<a href="https://example.org/law" rel="noopener nofollow">the law</a>' in html
    assert '<a href="mailto:desk@example.org">us</a>' in html
    assert "<table>" in html and "<td>True</td>" in html
    assert "<table>" not in docs["about.ar.md"]


def test_every_page_of_the_site_is_a_page_a_link_may_name(tmp_path):
    """page_links.site_page knows the layout render/pages.py makes: every page a build makes resolves."""
    from generator.render.pages import pages
    from generator.validate import Context
    from generator.validate.rules.page_links import site_page
    from generator.load import load_corpus

    content_dir = write_tree(tmp_path, SITE_FILES)
    content = check(content_dir).content
    ctx = Context(load_corpus(content_dir))
    made = {page.url for page in pages(content, load_settings()) if "/page/" not in page.url}
    assert len(made) > 20
    assert [url for url in sorted(made) if not site_page(f"/{url}", ctx)] == []
    assert not site_page("/people/nobody/", ctx) and site_page("/claims/", ctx)


# --- the example domain -------------------------------------------------------------------------------------

def test_example_addresses_are_found():
    settings = load_settings()
    assert [p.split("`")[1] for p in settings.example_addresses()] == [
        "site_url", "extra.organization.url", "extra.organization.corrections.email"]
    real = replace(settings, site_url="https://fact.news.example.com.eg/", organization_url="https://desk.org/",
                   corrections=Corrections("fix@desk.org", "https://www.example.net/form"))
    assert [p.split("`")[1] for p in real.example_addresses()] == ["extra.organization.corrections.url"]


def test_build_warns_about_the_example_domain(tmp_path):
    from site_fixtures import build_cmd

    proc = build_cmd(write_tree(tmp_path, {}), tmp_path / "site", tmp_path / "docs", "--no-search")
    assert proc.returncode == 0, proc.stderr
    assert "warning: mkdocs.yml: `site_url` is https://factcheck.example.org/, an example address" in proc.stderr
