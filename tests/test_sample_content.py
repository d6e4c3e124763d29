"""Pins the SHAPE of the sample content in content/ (not its prose).

The sample is a fact-check of two Arabic reports of the 18 April 2024
U.S.-Israel meeting on Rafah. These tests keep it complete and consistent:
claim counts per article, topics covered by both articles, verbatim quotes,
http(s) sources that are all linked from the explanations, and bilingual text.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

CONTENT = Path(__file__).parent.parent / "content"
LANGS = ("ar", "en")
ARTICLES = ("rafah-concerns", "asharq-rafah-meeting")
CLAIMS_PER_ARTICLE = {"rafah-concerns": 10, "asharq-rafah-meeting": 12}
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HTTP = re.compile(r"^https?://\S+$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def verdicts():
    return load(CONTENT / "verdicts.yaml")


@pytest.fixture(scope="module")
def topics():
    return load(CONTENT / "topics.yaml")


@pytest.fixture(scope="module")
def tags():
    return load(CONTENT / "tags.yaml")


@pytest.fixture(scope="module")
def articles():
    out = {}
    for meta in sorted((CONTENT / "articles").glob("*.yaml")):
        out[meta.stem] = (load(meta), meta.with_suffix(".txt").read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="module")
def claims():
    return {p.stem: load(p) for p in sorted((CONTENT / "claims").glob("*.yaml"))}


def article_of(claim: dict) -> str:
    found = {e["article"] for e in claim["excerpts"]}
    assert len(found) == 1, f"a claim's excerpts should come from one article, got {found}"
    return found.pop()


def bilingual_fields(node, path="", skip=("translation",)):
    """Yield (path, mapping) for every {ar, en} text mapping in a YAML tree."""
    if isinstance(node, dict):
        if node and set(node) <= set(LANGS):
            yield path, node
            return
        for key, value in node.items():
            if key in skip:
                continue
            yield from bilingual_fields(value, f"{path}.{key}", skip)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from bilingual_fields(value, f"{path}[{i}]", skip)


def test_the_two_articles_are_present(articles):
    assert set(articles) == set(ARTICLES)
    for meta, text in articles.values():
        assert text.strip()
        assert meta["language"] in LANGS
        if "url" in meta:
            assert HTTP.match(meta["url"]), meta["url"]


def test_at_least_16_claims(claims):
    assert len(claims) >= 16


def test_claim_ids_are_slugs(claims):
    for cid in claims:
        assert SLUG.match(cid), cid


def test_claims_per_article(claims):
    counts = {a: 0 for a in ARTICLES}
    for claim in claims.values():
        counts[article_of(claim)] += 1
    assert counts == CLAIMS_PER_ARTICLE


def test_verdict_scale(verdicts):
    assert len(verdicts) >= 6
    for key, v in verdicts.items():
        assert isinstance(key, str) and SLUG.match(key), key
        assert isinstance(v["rating"], int)
        assert re.match(r"^#[0-9a-fA-F]{6}$", v["color"])


def test_every_verdict_is_on_the_scale(claims, verdicts):
    for cid, claim in claims.items():
        assert claim["verdict"] in verdicts, cid


def test_every_topic_has_claims_from_both_articles(claims, topics):
    by_topic = {t: set() for t in topics}
    for cid, claim in claims.items():
        if "topic" in claim:
            assert claim["topic"] in topics, cid
            by_topic[claim["topic"]].add(article_of(claim))
    for topic, seen in by_topic.items():
        assert seen == set(ARTICLES), f"topic {topic} has claims from {seen}"


def test_tags_and_related_resolve(claims, tags):
    for cid, claim in claims.items():
        for tag in claim.get("tags", []):
            assert tag in tags, (cid, tag)
        for other in claim.get("related", []):
            assert other in claims and other != cid, (cid, other)


def test_every_quote_is_verbatim(claims, articles):
    for cid, claim in claims.items():
        for excerpt in claim["excerpts"]:
            meta, text = articles[excerpt["article"]]
            quote = excerpt["quote"]
            assert quote in text, f"{cid}: quote not found verbatim"
            if text.count(quote) > 1:
                assert "prefix" in excerpt or "suffix" in excerpt, f"{cid}: ambiguous quote"
            other = [lang for lang in LANGS if lang != meta["language"]]
            for lang in other:
                assert excerpt.get("translation", {}).get(lang, "").strip(), f"{cid}: no {lang} translation"


def test_every_source_url_is_http(claims):
    for cid, claim in claims.items():
        assert claim["sources"], cid
        for source in claim["sources"]:
            assert HTTP.match(source["url"]), (cid, source["url"])


def test_explanations_link_exactly_the_listed_sources(claims):
    for cid, claim in claims.items():
        listed = {s["url"] for s in claim["sources"]}
        for lang in LANGS:
            linked = set(MD_LINK.findall(claim["explanation"][lang]))
            assert linked <= listed, f"{cid} ({lang}) links unlisted sources: {linked - listed}"
            assert listed <= linked, f"{cid} ({lang}) never links: {listed - linked}"


def test_explanations_have_no_raw_html(claims):
    for cid, claim in claims.items():
        for lang in LANGS:
            assert not re.search(r"<[a-zA-Z/][^>]*>", claim["explanation"][lang]), (cid, lang)


def test_both_languages_everywhere(claims, verdicts, topics, tags, articles):
    trees = {"verdicts.yaml": verdicts, "topics.yaml": topics, "tags.yaml": tags}
    trees.update({f"claims/{k}.yaml": v for k, v in claims.items()})
    trees.update({f"articles/{k}.yaml": v[0] for k, v in articles.items()})
    for name, tree in trees.items():
        for path, text in bilingual_fields(tree):
            for lang in LANGS:
                assert isinstance(text.get(lang), str) and text[lang].strip(), f"{name}{path}: missing {lang}"
    for cid, claim in claims.items():
        for key in ("claim", "claimant", "conclusion", "explanation"):
            assert set(claim[key]) == set(LANGS), (cid, key)
    for key in ("label", "description"):
        for v in verdicts.values():
            assert set(v[key]) == set(LANGS)
        for t in topics.values():
            assert set(t[key]) == set(LANGS)


@pytest.mark.parametrize("name", ["about", "methodology", "corrections"])
@pytest.mark.parametrize("lang", LANGS)
def test_static_pages(name, lang):
    page = CONTENT / "pages" / f"{name}.{lang}.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# ") and len(text.split()) > 50
