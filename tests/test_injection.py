"""Hostile input (issue 5, "Injection"): every text field of a claim, of an article's
metadata and of an article's text, and of the taxonomy and static pages, carries HTML,
Markdown, Jinja, MkDocs/Material and bidi payloads. The site is built and every page
that shows them is loaded in Chromium: no dialog, no injected element or attribute, no
request for an injected URL, Jinja not evaluated, and the payload shown as text.
What cannot be made safe (non-http(s) URLs) the validator rejects.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.settings import load_settings

from conftest import ROOT, write_tree
from site_fixtures import browser, build_site, fixture_site, serve  # noqa: F401

pytestmark = [pytest.mark.slow]

SITE_URL = load_settings().site_url
FRONT_MATTER = "---\ntitle: x\n---"
# The direction characters that pass validation: marks, balanced isolates and embeddings (overrides are
# rejected: see UNSAFE below).
BIDI = "\u2067ISO\u2069 \u200fRLM \u202bRLE\u202c \u061cALM \u200eLRM"
# Shown as text wherever they are written (one line each).
ATOMS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<div onclick=alert(1)>",
    "{{ 7*7 }}",
    "{% raw %}",
    '!!! warning "x"',
    '--8<-- "/etc/passwd"',
    '{: onclick="alert(1)" }',
]
# Links with unsafe URLs: text in plain fields; the validator rejects them in explanations and pages.
LINKS = ["[x](javascript:alert(1))", "![i](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"]


def payload(tag: str, links: bool = True) -> str:
    """Every payload, in one field; `tag` names the field in the text."""
    return "\n".join([f"[{tag}]", *ATOMS, *(LINKS if links else []), FRONT_MATTER, BIDI, f"[/{tag}]"])


def both(tag: str, links: bool = True) -> dict:
    return {"ar": payload(f"{tag}-ar", links), "en": payload(f"{tag}-en", links)}


ARTICLE_LINE = "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }}"
ARTICLE_TEXT = "\n".join([
    "قال المسؤولون إن " + ARTICLE_LINE + " في التقرير.",
    *ATOMS, *LINKS, FRONT_MATTER, BIDI,
    "ويقول مسؤولو الصحة إن أكثر من 33,000 شخص قتلوا.",
]) + "\n"


def as_yaml(data) -> str:
    # JSON is YAML: every payload lands in a double-quoted scalar, exactly as written.
    return json.dumps(data, ensure_ascii=True, indent=1) + "\n"


CLAIM = {
    "claim": both("claim"),
    "claimant": both("claimant"),
    "verdict": "accurate",
    "conclusion": both("conclusion"),
    "explanation": both("explanation", links=False),
    "excerpts": [{"article": "evil", "quote": ARTICLE_LINE,
                  "translation": {"en": payload("translation-en")}}],
    "sources": [{"url": "https://example.org/source", "title": both("source-title"),
                 "publisher": both("source-publisher"), "date": "2024-04-18", "quote": payload("source-quote")}],
    "topic": "death-toll",
    "tags": ["rafah"],
    "author": both("author"),
    "published": "2024-04-20",
    "updated": "2024-04-21",
    "corrections": [{"date": "2024-04-21", "note": both("correction")}],
    "related": ["toll"],
}

HOSTILE_FILES = {
    "verdicts.yaml": as_yaml({
        "accurate": {"label": both("verdict-label"), "description": both("verdict-description"),
                     "rating": 5, "color": "#1b7f3b"},
        "inaccurate": {"label": {"ar": "خاطئ", "en": "False"}, "description": {"ar": "خاطئ.", "en": "False."},
                       "rating": 1, "color": "#b3261e"},
    }),
    "topics.yaml": as_yaml({"death-toll": {"label": both("topic-label"), "description": both("topic-description")}}),
    "tags.yaml": as_yaml({"rafah": {"label": both("tag-label")}}),
    "articles/evil.yaml": as_yaml({
        "title": both("article-title"), "outlet": both("article-outlet"), "published": "2024-04-18",
        "language": "ar", "url": "https://example.com/evil", "authors": [payload("article-author")],
        "note": both("article-note"),
    }),
    "articles/evil.txt": ARTICLE_TEXT,
    "claims/xss.yaml": as_yaml(CLAIM),
    **{f"pages/{name}.{lang}.md": f"# {name} {ATOMS[0]} {{{{ 7*7 }}}}\n\n" + payload(f"page-{name}-{lang}", links=False)
       + "\n" for name in ("about", "methodology", "corrections") for lang in ("ar", "en")},
}

# Pages that show the payloads, and the page of the clean fixture site built by the same template.
PAGES = {
    "claims/xss/": "claims/toll/",
    "articles/evil/": "articles/report/",
    "": "",
    "claims/": "claims/",
    "articles/": "articles/",
    "compare/": "compare/",
    "compare/death-toll/": "compare/death-toll/",
    "verdicts/": "verdicts/",
    "verdicts/accurate/": "verdicts/accurate/",
    "tags/": "tags/",
    "tags/rafah/": "tags/rafah/",
    "about/": "about/",
    "methodology/": "methodology/",
    "corrections/": "corrections/",
}
SHOWS_NO_PAYLOAD = {"search/"}

DOM_PROBE = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    onAttributes: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))
                     .map(e => e.outerHTML.slice(0, 120)),
    injected: [...document.querySelectorAll(
        'img[src="x"], svg[onload], [onerror], [onload], [onclick], iframe, object, embed, ' +
        'a[href^="javascript:" i], [src^="data:text" i], [href^="data:" i], div.admonition')]
      .map(e => e.outerHTML.slice(0, 120)),
    text: document.body.innerText,
    content: document.body.textContent,
  };
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-site")
    content = write_tree(root, HOSTILE_FILES)
    site = build_site(root, content)
    server = serve(site.path)
    yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def probe(context, url: str):
    """Load a page; return what the DOM holds, the dialogs opened and the requests made."""
    pg = context.new_page()
    dialogs, requests = [], []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.on("request", lambda r: requests.append(r.url))
    try:
        response = pg.goto(url, wait_until="load")  # "load" waits for images, failed ones included
        assert response and response.ok, url
        if pg.locator("[data-fc-filter]").count():  # all claims: the list is re-rendered from claims.json
            pg.wait_for_selector(".fc-filters:not([hidden])")
        pg.wait_for_timeout(100)
        found = pg.evaluate(DOM_PROBE)
    finally:
        pg.close()
    return found, dialogs, requests


def inline_scripts(html: str) -> int:
    """`<script>` elements without src in a page as served (the theme's own, and the JSON-LD)."""
    return len(re.findall(r"<script(?![^>]*\ssrc=)[\s>]", html))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("path", [*PAGES, *SHOWS_NO_PAYLOAD])
def test_payloads_render_as_text(context, hostile_site, fixture_site, path, lang):
    site, base = hostile_site
    prefix = "" if lang == "ar" else "en/"
    found, dialogs, requests = probe(context, base + prefix + path)
    clean = {"inlineScripts": inline_scripts(fixture_site.html(prefix + PAGES.get(path, path)))}

    assert dialogs == []
    assert found["injected"] == []
    assert found["onAttributes"] == []
    assert found["inlineScripts"] == clean["inlineScripts"]
    for url in requests:
        # Material fetches sitemap.xml beside each language link (to switch language on the same page); the
        # links are absolute, as search engines want, so that fetch goes to the site's published address.
        ours = url.startswith(SITE_URL) and url.endswith("/sitemap.xml")
        assert url.startswith(base) or ours, f"request left the site: {url}"
        assert not url.rstrip("/").endswith(("/x", "passwd")) and "alert" not in url, url
    if path in SHOWS_NO_PAYLOAD:
        return
    text = squash(found["text"])
    assert "{{ 7*7 }}" in text and "49" not in text
    for atom in ATOMS:
        assert squash(atom) in text, f"{atom!r} not shown as text on {prefix + path}"
    assert "title: x" in text
    assert "\u2067ISO\u2069" in found["content"]  # bidi controls kept as characters, not dropped


@pytest.mark.browser
def test_claim_page_shows_every_field_as_text(context, hostile_site):
    site, base = hostile_site
    for lang in ("ar", "en"):
        found, _, _ = probe(context, base + ("" if lang == "ar" else "en/") + "claims/xss/")
        text = squash(found["text"])
        fields = ["claim", "claimant", "conclusion", "explanation", "source-title", "source-publisher", "author",
                  "correction", "verdict-label", "topic-label", "tag-label", "article-title", "article-outlet"]
        for field in fields:
            assert f"[{field}-{lang}]" in text and f"[/{field}-{lang}]" in text, (lang, field)
        for field in ["source-quote"] + (["translation-en"] if lang == "en" else []):
            assert f"[{field}]" in text, (lang, field)
        for link in LINKS:  # in plain fields, the unsafe links are text
            assert link in text


@pytest.mark.browser
def test_search_results_show_payloads_as_text(browser, hostile_site):
    site, base = hostile_site
    context = browser.new_context()
    pg = context.new_page()
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        pg.goto(base + "en/search/?q=onerror")
        pg.wait_for_selector(".pagefind-ui__result-link")
        pg.wait_for_load_state("networkidle")
        found = pg.evaluate(DOM_PROBE)
    finally:
        context.close()
    assert dialogs == [] and found["injected"] == [] and found["onAttributes"] == []
    assert "onerror" in found["text"]


def test_generated_markdown_keeps_payloads_inert(hostile_site):
    """Before MkDocs: every `<` of an editor's text is escaped, and no Jinja was evaluated."""
    site, _ = hostile_site
    for lang in ("ar", "en"):
        md = (site.docs / f"claims/xss.{lang}.md").read_text(encoding="utf-8")
        body = md.split("\n---\n", 1)[1]
        assert "<script>alert" not in body and "<img src=x" not in body and "<svg onload" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "{{ 7*7 }}" in body and "49" not in body
        front = md.split("\n---\n", 1)[0]
        assert "\ntitle: x\n" not in front  # the editor's `---` block did not become front matter


# --- what cannot be made safe is rejected ---------------------------------------------------------

GOOD_CLAIM = CLAIM | {"related": []}
UNSAFE = {
    "claims/source-js.yaml": GOOD_CLAIM | {
        "sources": [{"url": "javascript:alert(1)", "title": "t", "publisher": "p"}]},
    "claims/source-data.yaml": GOOD_CLAIM | {
        "sources": [{"url": "data:text/html,<script>alert(1)</script>", "title": "t", "publisher": "p"}]},
    "claims/explain-js.yaml": GOOD_CLAIM | {
        "explanation": {"ar": "انظر [هنا](javascript:alert(1)).", "en": "See [here](JaVaScRiPt:alert(1))."}},
    "claims/explain-data.yaml": GOOD_CLAIM | {
        "explanation": {"ar": "![i](data:text/html,<script>alert(1)</script>)", "en": "ok"}},
    "claims/explain-entity.yaml": GOOD_CLAIM | {
        "explanation": {"ar": "[x](java&#x09;script:alert(1))", "en": "[x](vbscript:msgbox(1))"}},
    "claims/bidi-ref.yaml": GOOD_CLAIM | {"excerpts": [{"article": "evil\u202e", "quote": ARTICLE_LINE}]},
    "claims/bidi-override.yaml": GOOD_CLAIM | {"conclusion": {"ar": "\u202eRLO\u202c", "en": "ok"}},
}


def test_validator_rejects_unsafe_urls_and_bidi_ids(tmp_path):
    files = {**HOSTILE_FILES, **{k: as_yaml(v) for k, v in UNSAFE.items()},
             "articles/evil.yaml": as_yaml(json.loads(HOSTILE_FILES["articles/evil.yaml"]) | {
                 "url": "data:text/html;base64,PHNjcmlwdD4="}),
             "claims/bidi\u202eid.yaml": as_yaml(GOOD_CLAIM),
             "pages/about.en.md": "# About\n\n" + "\n\n".join(LINKS) + "\n"}
    content = write_tree(tmp_path, files)
    proc = subprocess.run([sys.executable, "-m", "generator", "validate", "--format", "json", "--content", str(content)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [d for d in json.loads(proc.stdout) if d["severity"] == "error"]
    by_file: dict[str, list[dict]] = {}
    for d in errors:
        by_file.setdefault(Path(d["path"]).name, []).append(d)

    def lines_of(name: str, needle: str) -> int:
        text = files[name]
        return text[: text.index(needle)].count("\n") + 1

    for name, needle in [("claims/source-js.yaml", '"url": "javascript:'),
                         ("claims/source-data.yaml", '"url": "data:text'), ("articles/evil.yaml", '"url": "data:text')]:
        found = by_file.get(Path(name).name, [])
        assert found, f"{name}: no error"
        assert any(d["line"] == lines_of(name, needle) for d in found), (name, found)
    for name in ("explain-js", "explain-data", "explain-entity"):
        found = by_file.get(f"{name}.yaml", [])
        assert any(d["code"] == "url-invalid" for d in found), (name, found)
    assert len([d for d in by_file["explain-js.yaml"] if d["code"] == "url-invalid"]) == 2  # ar and en
    assert len([d for d in by_file["explain-entity.yaml"] if d["code"] == "url-invalid"]) == 2
    assert [d["code"] for d in by_file["about.en.md"]] == ["url-invalid", "url-invalid"]  # javascript:, data:
    assert by_file.get("bidi-ref.yaml"), "an article id with a bidi control was accepted"
    assert [d["code"] for d in by_file["bidi-override.yaml"]] == ["bidi-override"]
    assert [d for d in errors if "\u202e" in d["path"] or "bidi" in d["path"]], "a bidi file name was accepted"


def test_build_refuses_unsafe_urls(tmp_path):
    content = write_tree(tmp_path, {**HOSTILE_FILES, "claims/explain-js.yaml": as_yaml(UNSAFE["claims/explain-js.yaml"])})
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir",
                           str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs")],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1 and "url-invalid" in proc.stderr
    assert not (tmp_path / "site").exists()
