"""Archived sources (issue 13): the forms of `archive` the validator accepts and refuses, the policy that
requires them, the link beside each source, and `python -m generator archive` against a fake Wayback
Machine (http.server in a thread: these machines reach no other network)."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import textwrap
import threading
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conftest import MINIMAL, run_cli
from generator.cli import main
from generator.pipeline import check
from generator.settings import ArchiveService, Policy, load_settings
from generator.validate.rules.archives import same_page

CLAIM = textwrap.dedent(MINIMAL["claims/toll.yaml"])


def with_archive(address: str) -> str:
    return CLAIM.replace("    date: 2024-04-18\n", f"    date: 2024-04-18\n    archive: {address}\n")


def codes(content: Path, settings=None) -> list[str]:
    return [d.code for d in check(content, settings=settings).diagnostics]


# --- the forms ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, same", [
    ("https://example.org/toll", "http://example.org/toll/", True),
    ("example.org/toll", "https://example.org/toll", True),
    ("https://example.org/toll?x=1", "https://example.org/toll?x=1", True),
    ("https://example.org/toll?x=1", "https://example.org/toll?x=2", False),
    ("https://example.org/toll", "https://example.org/tolls", False),
    ("https://example.org/Toll", "https://example.org/toll", False),
])
def test_a_wayback_copy_is_of_the_same_page_scheme_and_trailing_slash_aside(a, b, same):
    assert same_page(a, b) is same


@pytest.mark.parametrize("address", [
    "https://web.archive.org/web/20240418120000/https://example.org/toll",
    "https://web.archive.org/web/20240418120000/http://example.org/toll/",
    "http://web.archive.org/web/20240418120000/example.org/toll",
    "https://archive.today/Xy7Qa",
    "https://archive.ph/2024.04.18-120000/https://example.org/toll",
    "https://perma.cc/AB12-CD34",
])
def test_accepted_archives(content_tree, address):
    assert codes(content_tree({"claims/toll.yaml": with_archive(address)})) == []


@pytest.mark.parametrize("address, code", [
    ("https://web.archive.org/web/2024/https://example.org/toll", "archive-invalid"),
    ("https://web.archive.org/web/20240418120000/https://example.org/other", "archive-mismatch"),
    ("https://archive.ph/", "archive-invalid"),
    ("https://example.com/copy-of-toll", "archive-host"),
    ("ftp://web.archive.org/x", "url-invalid"),
])
def test_refused_archives(content_tree, address, code):
    assert codes(content_tree({"claims/toll.yaml": with_archive(address)})) == [code]


def test_the_accepted_hosts_are_configurable(content_tree):
    content = content_tree({"claims/toll.yaml": with_archive("https://perma.cc/AB12-CD34")})
    settings = load_settings()
    only_wayback = replace(settings, policy=replace(settings.policy, archive_hosts=("web.archive.org",)))
    assert codes(content, only_wayback) == ["archive-host"]
    assert codes(content, settings) == []


def test_the_policy_requires_archives_after_its_date(content_tree):
    settings = load_settings()
    after = {day: replace(settings, policy=Policy(archive_after=dt.date.fromisoformat(day)))
             for day in ("2024-04-19", "2024-04-20")}
    content = content_tree()  # published 2024-04-20, its one source not archived
    assert codes(content, after["2024-04-19"]) == ["archive-missing"]
    assert codes(content, after["2024-04-20"]) == []  # published on the day, not after
    draft = content_tree({"claims/toll.yaml": "status: review\n" + CLAIM})
    assert codes(draft, after["2024-04-19"]) == []  # the policy waits for publication
    archived = content_tree({"claims/toll.yaml": with_archive("https://perma.cc/AB12-CD34")})
    assert codes(archived, after["2024-04-19"]) == []


def test_the_review_policy_may_start_at_a_date(content_tree):
    settings = load_settings()
    since = {day: replace(settings, policy=Policy(review=True, review_after=dt.date.fromisoformat(day)))
             for day in ("2024-04-19", "2024-04-20")}
    content = content_tree()  # published 2024-04-20 without a reviewer
    assert codes(content, since["2024-04-19"]) == ["review-missing"]
    assert codes(content, since["2024-04-20"]) == []  # published on the day, not after: the archive stays valid
    assert codes(content, replace(settings, policy=Policy(review=True))) == ["review-missing"]


# --- a fake Wayback Machine --------------------------------------------------------------------------------

class FakeWayback:
    """The availability API at /available, Save Page Now at /save/<url>; `copies` maps a page to its
    snapshot's timestamp, `failing` pages answer 500, `saved` pages get a copy when saved."""

    def __init__(self) -> None:
        self.copies: dict[str, str] = {}
        self.failing: set[str] = set()
        self.requests: list[str] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(self.path)
                url = urlsplit(self.path)
                if url.path == "/available":
                    page = parse_qs(url.query)["url"][0]
                    if page in fake.failing:
                        return self._send(500, b"{}")
                    stamp = fake.copies.get(page)
                    closest = {"available": True, "status": "200", "timestamp": stamp,
                               "url": f"http://web.archive.org/web/{stamp}/{page}"} if stamp else {}
                    return self._send(200, json.dumps({"url": page, "archived_snapshots":
                                                       {"closest": closest} if closest else {}}).encode())
                if url.path.startswith("/save/"):
                    page = unquote(self.path[len("/save/"):])
                    fake.copies[page] = "20261201093000"
                    self.send_response(200)
                    self.send_header("Content-Location", f"/web/20261201093000/{page}")
                    self.end_headers()
                    return None
                return self._send(404, b"")

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def wayback(monkeypatch):
    fake = FakeWayback()
    settings = load_settings()
    service = ArchiveService(f"{fake.base}/available", f"{fake.base}/save/", timeout=10, rate=1000)
    monkeypatch.setattr("generator.commands.archive.load_settings", lambda: replace(settings, archive=service))
    yield fake
    fake.server.shutdown()


# The claim with two sources, one archived copy to find for each, and comments to keep.
SOURCES = CLAIM.replace("""\
sources:
  - url: https://example.org/toll
""", """\
sources:
  # the ministry's own page
  - url: https://example.org/toll  # kept as published
""").replace("topic:", """\
  - url: https://example.org/wire
    title: Wire
    publisher: Agency
topic:""") + "# the end\n"


def cli(*args) -> int:
    return main([str(a) for a in args])


def files(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((content / "claims").iterdir())}


def test_dry_run_asks_and_writes_nothing(content_tree, wayback, capsys):
    content = content_tree({"claims/toll.yaml": SOURCES})
    wayback.copies["https://example.org/toll"] = "20240418093000"
    before = files(content)
    assert cli("archive", "--dry-run", "--content", content) == 0
    out = capsys.readouterr()
    assert "https://web.archive.org/web/20240418093000/https://example.org/toll" in out.out
    assert "sources[1]: no copy of https://example.org/wire in the Wayback Machine" in out.out
    assert "nothing written" in out.err
    assert files(content) == before
    asked = [parse_qs(urlsplit(r).query) for r in wayback.requests]
    assert asked[0] == {"url": ["https://example.org/toll"], "timestamp": ["20240418"]}  # near the source's date
    assert asked[1] == {"url": ["https://example.org/wire"], "timestamp": ["20240420"]}  # else the claim's


def test_archive_fills_in_the_copies_keeping_comments_and_style(content_tree, wayback, capsys):
    content = content_tree({"claims/toll.yaml": SOURCES})
    wayback.copies.update({"https://example.org/toll": "20240418093000", "https://example.org/wire": "20240419000000"})
    run_cli("fmt", "--content", content)  # the file as `fmt` writes it: archive must only add the two lines
    before = (content / "claims" / "toll.yaml").read_text(encoding="utf-8")
    assert cli("archive", "--content", content) == 0
    after = (content / "claims" / "toll.yaml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    archive: https://web.archive.org/web/20240418093000/https://example.org/toll",
                     "    archive: https://web.archive.org/web/20240419000000/https://example.org/wire"]
    assert [line for line in before.splitlines() if line not in after.splitlines()] == []
    for comment in ("# the ministry's own page", "# kept as published", "# the end"):
        assert comment in after
    assert after.index("url: https://example.org/toll") < after.index("archive: https://web.archive.org/web/2024041809")
    assert run_cli("validate", "--content", content).returncode == 0
    assert "0 file(s) would be reformatted" in run_cli("fmt", "--check", "--content", content).stderr
    capsys.readouterr()
    assert cli("archive", "--content", content) == 0  # nothing left to ask
    assert "0 source(s) with a copy found, 0 without" in capsys.readouterr().err


def test_a_failure_writes_nothing(content_tree, wayback, capsys):
    content = content_tree({"claims/toll.yaml": SOURCES, "claims/other.yaml": SOURCES})
    wayback.copies["https://example.org/toll"] = "20240418093000"
    wayback.failing.add("https://example.org/wire")
    before = files(content)
    assert cli("archive", "--content", content) == 1
    err = capsys.readouterr().err
    assert "500" in err and "sources[1]" in err and "nothing was written" in err
    assert files(content) == before


def test_an_unreachable_service_writes_nothing(content_tree, monkeypatch, capsys):
    content = content_tree({"claims/toll.yaml": SOURCES})
    fake = FakeWayback()
    fake.server.shutdown()
    fake.server.server_close()  # nothing listens there any more
    service = ArchiveService(f"{fake.base}/available", f"{fake.base}/save/", timeout=5, rate=1000)
    monkeypatch.setattr("generator.commands.archive.load_settings",
                        lambda: replace(load_settings(), archive=service))
    before = files(content)
    assert cli("archive", "--content", content) == 1
    assert "refused" in capsys.readouterr().err.lower()
    assert files(content) == before


def test_save_asks_for_a_copy_of_pages_without_one(content_tree, wayback, capsys):
    content = content_tree({"claims/toll.yaml": SOURCES})
    wayback.copies["https://example.org/toll"] = "20240418093000"
    assert cli("archive", "--save", "--content", content) == 0
    text = (content / "claims" / "toll.yaml").read_text(encoding="utf-8")
    assert "archive: https://web.archive.org/web/20261201093000/https://example.org/wire" in text
    assert "/save/https://example.org/wire" in wayback.requests
    assert not any(r.startswith("/save/https://example.org/toll") for r in wayback.requests)

