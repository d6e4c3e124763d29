"""Drafts and claims in review (issue 13): validated like any claim, left out of a default build without a
trace (page, listings, tallies, comparison, feeds, sitemap, search, JSON-LD, claims.json, the article's
highlights), shown bannered by `build --drafts` (every page noindex) and by `serve`."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from conftest import write_tree
from generator.pipeline import check
from site_fixtures import LANGS, SITE_FILES, build_cmd, pagefind_urls

pytestmark = pytest.mark.slow

# A word no published claim has, in every field of the unpublished ones: wherever it shows, they leak.
MARK = "Quokka"
DRAFT = f"""\
    status: draft
    claim: {{ar: "{MARK} ادعاء لم يُنشر", en: "{MARK} draft claim"}}
    claimant: {{ar: "{MARK} التقرير", en: "{MARK} the report"}}
    verdict: unproven
    conclusion: {{ar: "{MARK} لا دليل.", en: "{MARK} no evidence."}}
    explanation: {{ar: "{MARK} [المصدر](https://example.org/quokka).", en: "{MARK} [source](https://example.org/quokka)."}}
    excerpts:
      - article: report
        quote: وأعرب المشاركون الأمريكيون عن قلقهم مرة أخرى
        translation: {{en: "{MARK} concern again"}}
    sources:
      - url: https://example.org/quokka
        title: {MARK}
        publisher: {MARK}
    topic: death-toll
    tags: [rafah]
    author: nadia-haddad
    published: 2024-04-25
    related: [toll]
    """
FILES = {**SITE_FILES, "claims/quokka-draft.yaml": DRAFT,
         "claims/quokka-review.yaml": DRAFT.replace("status: draft", "status: review")}
UNPUBLISHED = ("quokka-draft", "quokka-review")


def prefix(lang: str) -> str:
    return "" if lang == "ar" else f"{lang}/"


def site_texts(site: Path) -> dict[str, str]:
    """Every file of the site as text; Pagefind's gzipped fragments and metadata decompressed."""
    out = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        out[path.relative_to(site).as_posix()] = data.decode("utf-8", "replace")
    return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("drafts")
    content = write_tree(root, FILES)
    public = build_cmd(content, root / "public", root / "docs", "--strict")
    assert public.returncode == 0, public.stderr
    preview = build_cmd(content, root / "preview", root / "docs", "--strict", "--drafts")
    assert preview.returncode == 0, preview.stderr
    return content, root / "public", root / "preview", public.stderr


def test_unpublished_claims_are_validated_like_any(content_tree):
    broken = DRAFT.replace("verdict: unproven", "verdict: unprovenn")
    checked = check(content_tree({**FILES, "claims/quokka-draft.yaml": broken}))
    assert [(d.code, Path(d.path).name) for d in checked.diagnostics] == [("ref-verdict", "quokka-draft.yaml")]


def test_a_default_build_leaves_no_trace_of_them(builds):
    content, public, _, _ = builds
    texts = site_texts(public)
    leaks = sorted(rel for rel, text in texts.items() if MARK in text or any(cid in text for cid in UNPUBLISHED))
    assert leaks == [], leaks  # pages, listings, feeds, sitemap, search, claims.json, JSON-LD, highlights
    for lang in LANGS:
        for cid in UNPUBLISHED:
            assert not (public / prefix(lang) / "claims" / cid).exists()
        data = json.loads(texts[f"{prefix(lang)}claims.json"])
        assert sorted(row[0] for row in data["claims"]) == ["defeat", "toll", "toll-en"]
        # the tallies: no published claim is unproven, so no count of it anywhere but the scale
        for rel in ("index.html", "verdicts/index.html", "articles/report/index.html", "compare/index.html"):
            assert "fc-v-unproven" not in texts[prefix(lang) + rel], rel
        assert re.search(r'fc-count-line">[^<]*: 0<', texts[f"{prefix(lang)}verdicts/unproven/index.html"])
    assert not any("quokka" in url for url in pagefind_urls(public))
    people = texts["en/people/nadia-haddad/index.html"]
    assert "Fact-checks by Nadia Haddad (1)" in people  # toll, not the draft


def test_a_default_build_says_it_left_them_out(builds):
    *_, stderr = builds
    assert "2 unpublished claim(s) left out" in stderr


def test_a_drafts_build_shows_them_bannered_and_every_page_noindex(builds):
    _, _, preview, _ = builds
    texts = site_texts(preview)
    pages = {rel: text for rel, text in texts.items() if rel.endswith(".html") and rel != "404.html"}
    assert len(pages) > 20
    for rel, text in pages.items():
        assert '<meta name="robots" content="noindex, nofollow">' in text, rel
        assert 'class="md-banner' in text, rel  # the internal preview says so on every page
    for lang in LANGS:
        draft = texts[f"{prefix(lang)}claims/quokka-draft/index.html"]
        review = texts[f"{prefix(lang)}claims/quokka-review/index.html"]
        assert "fc-status-banner fc-status-draft" in draft and "fc-status-banner fc-status-review" in review
        assert "application/ld+json" not in draft  # no structured data calls a draft a review
        assert "application/ld+json" in texts[f"{prefix(lang)}claims/toll/index.html"]
        feed = json.loads(texts[f"{prefix(lang)}claimreview.json"])  # nor does the aggregators' feed
        assert sorted(r["url"].rstrip("/").rsplit("/", 1)[1] for r in feed["dataFeedElement"]) == ["defeat", "toll",
                                                                                                  "toll-en"]
        assert "fc-status fc-status-draft" in texts[f"{prefix(lang)}claims/index.html"]  # marked in listings
    assert {"/claims/quokka-draft/", "/en/claims/quokka-review/"} <= pagefind_urls(preview)
    assert "Draft: this fact-check is not published" in texts["en/claims/quokka-draft/index.html"]
    assert "مسودة: هذا التحقق غير منشور" in texts["claims/quokka-draft/index.html"]


def test_a_default_build_is_indexable(builds):
    _, public, _, _ = builds
    for path in public.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert 'name="robots"' not in text and "md-banner" not in text, path


def test_serve_shows_them_bannered(tmp_path):
    from generator.preview import Preview
    from generator.settings import load_settings

    content = write_tree(tmp_path, FILES)
    preview = Preview(content, load_settings(), tmp_path / "work")
    assert preview.refresh()
    for lang, banner in (("ar", "مسودة: هذا التحقق غير منشور"), ("en", "Draft: this fact-check is not published")):
        html = preview.page(f"{prefix(lang)}claims/quokka-draft/index.html")
        assert html is not None and banner in html.read_text(encoding="utf-8")
