"""Live preview: an edit to a claim's YAML reaches an open browser page by itself."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from site_fixtures import browser, page  # noqa: F401  (one Playwright per worker)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up in {timeout} s")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_claim_edit_reaches_the_open_page(content_tree, tmp_path, page):
    content = content_tree()
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--docs-dir", str(tmp_path / "docs"),
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = f"http://127.0.0.1:{port}/en/claims/toll/"
        _wait_for(url)
        page.goto(url)
        assert "The figure is right." in page.inner_text(".fc-conclusion")
        claim = content / "claims" / "toll.yaml"
        claim.write_text(claim.read_text(encoding="utf-8").replace("The figure is right.", "Edited live."),
                         encoding="utf-8")
        # No reload from the test: MkDocs' livereload script must bring the change in.
        page.wait_for_function("document.querySelector('.fc-conclusion')?.innerText.includes('Edited live.')",
                               timeout=45_000)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        out = log.read()
        log.close()
    assert "Traceback" not in out, out
