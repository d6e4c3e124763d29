"""Where fact-checks travel (issue 15): the ClaimReview data feeds, the share cards and the Open Graph tags
of claim pages, and the language links (hreflang, canonical) of every page. The built-site checks run on
the small feature-complete fixture tree and on the real content/ (skipped while it does not validate)."""
from __future__ import annotations

import io
import json
import os
import time
import unicodedata
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from conftest import write_tree
from generator.cards import STALE_AFTER_S, cards_of, draw_cards
from generator.cards.draw import ARABIC, ELLIPSIS, HEIGHT, LATIN, MARGIN, WIDTH, Pen, draw, font
from generator.pipeline import check
from generator.render.jsonld import FEED
from generator.render.pages import CARD, CARD_SIZE
from generator.settings import load_settings
from site_fixtures import LANGS, SITE_FILES, SITE_URL, Site, fixture_site, sample_site  # noqa: F401
from test_site import Doc, html_files, lang_root, model, site  # noqa: F401

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


# --- the built site (test_site's fixtures: the fixture tree and the sample content) ------------------------

def feed(site: Site, lang: str) -> dict:
    return json.loads((site.path / lang_root(lang) / FEED).read_text(encoding="utf-8"))


def head(site: Site, rel: str) -> Doc:
    return Doc(site.html(rel))


def meta(d: Doc, prop: str) -> list[str]:
    return [a["content"] for a in d.find("meta", property=prop)] + [a["content"] for a in d.find("meta", name=prop)]


@pytest.mark.slow
def test_each_feed_lists_every_claim_once_with_its_page_address_and_verdict(site, model):
    for lang in LANGS:
        data = feed(site, lang)
        assert (data["@context"], data["@type"], data["inLanguage"]) == ("https://schema.org", "DataFeed", lang)
        items = data["dataFeedElement"]
        urls = [item["url"] for item in items]
        assert sorted(urls) == sorted(f"{SITE_URL}{lang_root(lang)}claims/{cid}/" for cid in model.claims)
        for item in items:
            cid = item["url"].rstrip("/").rsplit("/", 1)[1]
            claim = model.claims[cid]
            d = head(site, f"{lang_root(lang)}claims/{cid}/")
            assert [a["href"] for a in d.find("link", rel="canonical")] == [item["url"]]
            assert item["@type"] == "ClaimReview" and item["inLanguage"] == lang
            assert item["claimReviewed"] == claim.claim[lang]
            assert item["reviewRating"]["alternateName"] == model.verdicts[claim.verdict].label[lang]
            assert item["dateModified"] == claim.date.isoformat()
        # the feed's date is the newest of its claims', a content date (never the clock)
        assert data["dateModified"] == max(c.date for c in model.claims.values()).isoformat()


@pytest.mark.slow
def test_a_feed_item_is_the_pages_claimreview(site, model):
    for lang in LANGS:
        items = {item["url"]: item for item in feed(site, lang)["dataFeedElement"]}
        for cid in model.claims:
            rel = f"{lang_root(lang)}claims/{cid}/"
            (block,) = [text for a, text in head(site, rel).scripts if a.get("type") == "application/ld+json"]
            assert items[SITE_URL + rel] == json.loads(block), rel


@pytest.mark.slow
def test_the_about_page_links_both_feeds(site):
    for lang in LANGS:
        rel = f"{lang_root(lang)}about/"
        hrefs = {a["href"] for a in head(site, rel).find("a", type="application/ld+json")}
        targets = {(site.path / rel / href).resolve() for href in hrefs}
        assert targets == {(site.path / lang_root(other) / FEED).resolve() for other in LANGS}, rel


@pytest.mark.slow
def test_claim_pages_carry_open_graph_tags_and_their_card(site, model):
    for cid, claim in model.claims.items():
        for lang in LANGS:
            rel = f"{lang_root(lang)}claims/{cid}/"
            d = head(site, rel)
            assert meta(d, "og:url") == [SITE_URL + rel]
            assert meta(d, "og:type") == ["article"]
            assert meta(d, "og:title") == [claim.claim[lang]]
            assert meta(d, "og:description") == [claim.conclusion[lang]]
            assert meta(d, "og:image") == [SITE_URL + rel + CARD]
            assert meta(d, "twitter:card") == ["summary_large_image"]
            assert meta(d, "og:locale")[0].startswith(f"{lang}_")
            others = [other for other in LANGS if other != lang]
            assert [x.split("_")[0] for x in meta(d, "og:locale:alternate")] == others
            assert model.verdicts[claim.verdict].label[lang] in meta(d, "og:image:alt")[0]
            with Image.open(site.path / rel / CARD) as card:
                assert (card.format, card.size) == ("PNG", CARD_SIZE)


@pytest.mark.slow
def test_every_page_links_its_counterparts_and_names_its_canonical_address(site):
    files = [p for p in html_files(site) if p.name == "index.html"]
    assert len(files) > 10
    for path in files:
        rel = path.relative_to(site.path).parent.as_posix() + "/"
        rel = "" if rel == "./" else rel
        page = rel[len("en/"):] if rel.startswith("en/") else rel
        d = Doc(path.read_text(encoding="utf-8"))
        assert [a["href"] for a in d.find("link", rel="canonical")] == [SITE_URL + rel], rel
        links = sorted((a["hreflang"], a["href"]) for a in d.find("link", rel="alternate") if "hreflang" in a)
        assert links == sorted([("ar", SITE_URL + page), ("en", f"{SITE_URL}en/{page}"),
                                ("x-default", SITE_URL + page)]), rel


@pytest.mark.slow
def test_the_sitemap_lists_each_pages_alternates(site):
    for url in ET.parse(site.path / "sitemap.xml").getroot().iter(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        page = loc[len(SITE_URL):].removeprefix("en/")
        links = {(a.get("hreflang"), a.get("href")) for a in url.iter(f"{XHTML}link")}
        assert links == {("ar", SITE_URL + page), ("en", f"{SITE_URL}en/{page}"), ("x-default", SITE_URL + page)}


# --- the cards ---------------------------------------------------------------------------------------------

def test_pillow_shapes_arabic_with_raqm():
    """Joined, right-to-left Arabic needs raqm: without it the same letters come out isolated and reversed."""
    assert features.check("raqm"), "Pillow's raqm layout is missing: install FriBiDi (dev.py does)"
    word = "الادعاء صحيح"

    def line(layout) -> Image.Image:
        image = Image.new("L", (400, 100), 255)
        ImageDraw.Draw(image).text((390, 20), word, font=font(ARABIC.family, 40, 400, layout), fill=0, anchor="ra",
                                   direction="rtl" if layout == ImageFont.Layout.RAQM else None)
        return image

    shaped, unshaped = line(ImageFont.Layout.RAQM), line(ImageFont.Layout.BASIC)
    assert ImageChops.difference(shaped, unshaped).getbbox() is not None


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    """card(lang, claim, **fields): the fixture tree's card of claim `toll` in that language (as the build makes
    it), showing `claim`."""
    settings = load_settings()
    cards = cards_of(check(write_tree(tmp_path_factory.mktemp("cards"), SITE_FILES)).content, settings)
    return lambda lang, claim, **fields: replace(cards[settings.root(lang) + "claims/toll/" + CARD], claim=claim,
                                                 **fields)


def _ink(png: bytes, box: tuple[int, int, int, int]) -> tuple | None:
    """The bounding box of what is not background (the bottom corner's colour) in `box` of the card."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    part = image.crop(box)
    return ImageChops.difference(part, Image.new("RGB", part.size, image.getpixel((0, HEIGHT - 1)))).getbbox()


LONG_AR = ("يقول مسؤولو الصحة الفلسطينيون إن أكثر من 33 ألف شخص قُتلوا في الهجمات الإسرائيلية على غزة، " * 6).strip()
LONG_EN = ("Health officials say more than 33,000 people have been killed in attacks on Gaza, the report says. "
           * 6).strip()


@pytest.mark.parametrize("lang, text", [("ar", LONG_AR), ("en", LONG_EN)])
def test_a_long_claim_is_cut_at_a_word_with_an_ellipsis(lang, text):
    language = next(language for language in load_settings().languages if language.code == lang)
    pen = Pen(ARABIC if lang == "ar" else LATIN, language.dir, lang)
    face = pen.font(44, 700)
    lines = pen.wrap(text, face, 900, 4)
    assert len(lines) == 4 and lines[-1].endswith(ELLIPSIS)
    assert all(pen.width(line, face) <= 900 for line in lines)
    shown = " ".join(lines)[: -len(ELLIPSIS)].rstrip("،,").split()
    assert shown == text.split()[: len(shown)]  # whole words, in order, from the start


def test_a_word_longer_than_a_line_is_never_cut_inside_a_letter_and_its_marks():
    pen = Pen(ARABIC, "rtl", "ar")
    face = pen.font(40, 700)
    word = "قُتِلُوا" * 40
    line = pen.fit(word, face, 500)
    assert line.endswith(ELLIPSIS) and pen.width(line, face) <= 500
    cut = line[: -len(ELLIPSIS)]
    assert word.startswith(cut) and not unicodedata.category(word[len(cut)]).startswith("M")


@pytest.mark.parametrize("lang, text", [("ar", LONG_AR), ("en", LONG_EN), ("ar", "x" * 3000),
                                        ("en", "Line breaks\r\nand a paragraph\u2029separator")])
def test_a_card_stays_inside_its_margins(card, lang, text):
    png = draw(card(lang, text, claimant=text))
    assert Image.open(io.BytesIO(png)).size == (WIDTH, HEIGHT)
    below_band = 16
    for box in ((0, below_band, MARGIN - 4, HEIGHT), (WIDTH - MARGIN + 4, below_band, WIDTH, HEIGHT),
                (0, HEIGHT - 6, WIDTH, HEIGHT)):
        assert _ink(png, box) is None, box


def test_an_arabic_card_is_written_from_the_right_an_english_one_from_the_left(card):
    body = (0, 140, WIDTH, 540)
    ar = _ink(draw(card("ar", "قُتل 33 ألف شخص")), body)
    en = _ink(draw(card("en", "33,000 were killed")), body)
    assert ar[2] > WIDTH - MARGIN - 4 and ar[0] > MARGIN + 200  # flush right, short of the left margin
    assert en[0] < MARGIN + 4 and en[2] < WIDTH - MARGIN - 200


def test_cards_are_drawn_once_and_again_only_when_their_inputs_change(tmp_path):
    settings = load_settings()
    content = write_tree(tmp_path, SITE_FILES)
    folder = tmp_path / "cards"
    first = draw_cards(check(content).content, settings, folder)
    assert first.drawn == len(cards_of(check(content).content, settings)) == 2 * 3
    again = draw_cards(check(content).content, settings, folder)
    assert again.drawn == 0 and again.files == first.files
    toll = content / "claims" / "toll.yaml"
    toll.write_text(toll.read_text(encoding="utf-8").replace("More than 33,000", "Over 33,000"), encoding="utf-8")
    edited = draw_cards(check(content).content, settings, folder)
    assert edited.drawn == 1  # the English card of that claim; its Arabic card is the same file
    changed = {rel for rel in first.files if edited.files[rel] != first.files[rel]}
    assert changed == {"en/claims/toll/" + CARD}
    assert (folder / edited.files["claims/toll/" + CARD][0]).read_bytes() == draw(
        cards_of(check(content).content, settings)["claims/toll/" + CARD])


def test_cards_no_build_wants_are_deleted_once_old(tmp_path):
    settings = load_settings()
    content = check(write_tree(tmp_path, SITE_FILES)).content
    folder = tmp_path / "cards"
    folder.mkdir()
    old, recent = folder / f"{'0' * 32}-{'1' * 32}.png", folder / f"{'2' * 32}-{'3' * 32}.png"
    old.write_bytes(b"a card of a claim since deleted")
    recent.write_bytes(b"a card another build may be about to publish")
    os.utime(old, (time.time() - 2 * STALE_AFTER_S,) * 2)
    drawn = draw_cards(content, settings, folder)
    assert not old.exists() and recent.exists()
    assert all((folder / name).is_file() for name, _ in drawn.files.values())
