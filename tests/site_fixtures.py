"""Built sites for the site, browser and injection tests: each is built ONCE per pytest
worker (session scope; under xdist every worker has its own session and its own
tmp dirs, so parallel builds never share a docs or site folder) and served on
127.0.0.1 by http.server.

Test modules import the fixtures they use: `from site_fixtures import fixture_site`.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest

from conftest import MINIMAL, ROOT, write_tree

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SITE_URL = "https://factcheck.example.org/"
LANGS = ("ar", "en")

WIRE_TEXT = (
    "Health officials said nearly 34,000 people had been killed in the war.\n"
    "The participants agreed on the goal of defeating Hamas in Rafah, the statement said.\n"
)

# MINIMAL (one Arabic article, one claim) grown into a small site that uses every
# feature: two articles in two languages, a shared topic, related claims,
# corrections, an updated date, a source quote and its archived copy, an
# explanation with a heading, the desk's people as authors and reviewers.
SITE_FILES = {
    "verdicts.yaml": dedent(MINIMAL["verdicts.yaml"]) + dedent("""\
        unproven:
          label: {ar: غير مثبت, en: Unproven}
          description: {ar: لا دليل كافٍ., en: Not enough evidence.}
          rating: 0
          color: "#6d6d6d"
        """),
    "tags.yaml": """\
        rafah:
          label: {ar: رفح, en: Rafah}
        casualties:
          label: {ar: الضحايا, en: Casualties}
        """,
    "articles/wire.yaml": """\
        title: {ar: تقرير الوكالة عن الحرب, en: Wire report on the war}
        outlet: {ar: وكالة الأنباء, en: Wire agency}
        published: 2024-04-19
        language: en
        url: https://example.com/wire
        authors: [Jane Doe]
        note: {ar: نسخة محفوظة., en: An archived copy.}
        """,
    "articles/wire.txt": WIRE_TEXT,
    "people.yaml": """\
        nadia-haddad:
          name: {ar: نادية حداد, en: Nadia Haddad}
          role: {ar: محررة, en: Editor}
          url: https://example.org/nadia
        omar-said:
          name: {ar: عمر سعيد, en: Omar Said}
          role: {ar: مدقق معلومات, en: Fact-checker}
        """,
    # The Arabic claim text carries diacritics; the browser test searches without them.
    "claims/toll.yaml": """\
        claim: {ar: "قال المَسْؤُولُونَ إنّ أكثر من 33 ألف شخص قُتِلوا", en: "More than 33,000 people were killed."}
        claimant: {ar: التقرير, en: The report}
        verdict: accurate
        conclusion: {ar: الرقم صحيح., en: The figure is right.}
        explanation:
          ar: "بحسب [وزارة الصحة](https://example.org/toll).\\n\\n## التفاصيل\\n\\nالحصيلة 33,970."
          en: "According to [the ministry](https://example.org/toll).\\n\\n## Details\\n\\nThe toll was 33,970."
        excerpts:
          - article: report
            quote: أكثر من 33,000 شخص قتلوا
            translation: {en: "more than 33,000 people were killed"}
        sources:
          - url: https://example.org/toll
            archive: https://web.archive.org/web/20240418120000/https://example.org/toll
            title: Toll
            publisher: Ministry
            date: 2024-04-18
            quote: The toll stands at 33,970.
        topic: death-toll
        tags: [rafah, casualties]
        author: nadia-haddad
        reviewer: omar-said
        published: 2024-04-20
        related: [toll-en]
        """,
    "claims/toll-en.yaml": """\
        claim: {ar: قتل نحو 34 ألف شخص., en: "Nearly 34,000 people had been killed."}
        claimant: {ar: تقرير الوكالة, en: The wire report}
        verdict: accurate
        conclusion: {ar: الرقم قريب من الحصيلة., en: The figure is close to the toll.}
        explanation: {ar: "الحصيلة 33,970 ([الوزارة](https://example.org/toll)).", en: "The toll was 33,970 ([ministry](https://example.org/toll))."}
        excerpts:
          - article: wire
            quote: nearly 34,000 people had been killed
            translation: {ar: نحو 34 ألف شخص قتلوا}
        sources:
          - url: https://example.org/toll
            title: {ar: الحصيلة, en: Toll}
            publisher: Ministry
        topic: death-toll
        tags: [casualties]
        author: omar-said
        reviewer: nadia-haddad
        published: 2024-04-21
        updated: 2024-04-22
        corrections:
          - date: 2024-04-22
            note: {ar: صُحّح المصدر., en: Corrected the source.}
        related: [toll]
        """,
    "claims/defeat.yaml": """\
        claim: {ar: اتفق الجانبان على هزيمة حماس في رفح., en: The two sides agreed on defeating Hamas in Rafah.}
        claimant: {ar: البيت الأبيض, en: The White House}
        verdict: inaccurate
        conclusion: {ar: لم يتفقا على ذلك., en: They did not agree on that.}
        explanation: {ar: "البيان لا يقول ذلك ([البيان](https://example.org/statement)).", en: "The statement does not say so ([statement](https://example.org/statement))."}
        excerpts:
          - article: report
            quote: اتفقا على هزيمة حماس في رفح
            translation: {en: agreed on defeating Hamas in Rafah}
          - article: wire
            quote: agreed on the goal of defeating Hamas in Rafah
            translation: {ar: اتفقوا على هدف هزيمة حماس في رفح}
        sources:
          - url: https://example.org/statement
            title: Statement
            publisher: {ar: البيت الأبيض, en: The White House}
            date: 2024-04-18
        tags: [rafah]
        author: {ar: فريق التحقق, en: Fact-check desk}
        reviewer: omar-said  # the repository's mkdocs.yml turns the review policy on
        published: 2024-04-19
        """,
}


@dataclass(frozen=True)
class Site:
    content: Path
    path: Path  # the built site
    docs: Path

    def html(self, rel: str) -> str:
        """The HTML of a page given by its URL path ("claims/x/", "en/")."""
        return (self.path / rel / "index.html").read_text(encoding="utf-8") if not rel.endswith(".html") \
            else (self.path / rel).read_text(encoding="utf-8")


def build_cmd(content: Path, site: Path, docs: Path, *extra: str, env: dict | None = None,
              ) -> subprocess.CompletedProcess:
    """`python -m generator build`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir", str(site),
         "--docs-dir", str(docs), *extra],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env)


def build_site(root: Path, content: Path, *extra: str) -> Site:
    site, docs = root / "site", root / "docs"
    proc = build_cmd(content, site, docs, "--strict", *extra)
    assert proc.returncode == 0, proc.stderr
    return Site(content, site, docs)


def tree_hash(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file; folders included as entries so empty ones count."""
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


def pagefind_urls(site: Path) -> set[str]:
    """URLs of every page in the Pagefind index (fragments are gzip'd `pagefind_dcd` + JSON)."""
    urls = set()
    for frag in (site / "pagefind").glob("*/fragment/*.pf_fragment"):
        data = gzip.decompress(frag.read_bytes())
        urls.add(json.loads(data[data.index(b"{"):])["url"])
    return urls


def content_valid(content: Path) -> tuple[bool, str]:
    proc = subprocess.run([sys.executable, "-m", "generator", "validate", "--content", str(content)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    return proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# Several test modules import these fixtures, and pytest then holds one session fixture per
# importing module; the cache makes each site, server and browser exist once per worker.
_CACHE: dict[str, object] = {}


def _once(request, key: str, make):
    """make() -> (value, cleanup or None); the value is made once per process (one pytest worker)."""
    if key not in _CACHE:
        try:
            value, cleanup = make()
        except pytest.skip.Exception as exc:
            value, cleanup = exc, None
        _CACHE[key] = value
        if cleanup:
            request.addfinalizer(cleanup)  # session scope: runs when the session ends
    value = _CACHE[key]
    if isinstance(value, pytest.skip.Exception):
        pytest.skip(str(value))
    return value


@pytest.fixture(scope="session")
def fixture_site(request, tmp_path_factory) -> Site:
    """The small feature-complete tree above, built with --strict."""
    def make():
        root = tmp_path_factory.mktemp("fixture-site")
        return build_site(root, write_tree(root, SITE_FILES)), None
    return _once(request, "fixture_site", make)


@pytest.fixture(scope="session")
def sample_site(request, tmp_path_factory) -> Site:
    """The real content/, built with --strict; skipped while it does not validate."""
    def make():
        content = ROOT / "content"
        ok, report = content_valid(content)
        if not ok:
            pytest.skip(f"content/ does not validate yet (being written):\n{report}")
        return build_site(tmp_path_factory.mktemp("sample-site"), content), None
    return _once(request, "sample_site", make)


@pytest.fixture(scope="session")
def fixture_url(request, fixture_site) -> str:
    def make():
        server = serve(fixture_site.path)
        return f"http://127.0.0.1:{server.server_address[1]}/", server.shutdown
    return _once(request, "fixture_url", make)


@pytest.fixture(scope="session")
def browser(request):
    def make():
        if not CHROMIUM.exists():
            pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`.ci/run` does)")
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

        def close():
            b.close()
            pw.stop()
        return b, close
    return _once(request, "browser", make)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def env_without(*names: str) -> dict:
    return {k: v for k, v in os.environ.items() if k not in names}
