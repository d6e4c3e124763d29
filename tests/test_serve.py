"""Live preview (`serve`), driven as an editor uses it, over a generated corpus: an edit to a claim's YAML
reaches the open browser page by itself; invalid content shows its errors over the last good page; the
process is idle between edits (no refresh loop); a stop signal ends it with every child it started."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from site_fixtures import browser, page  # noqa: F401  (one Playwright per worker)
from test_outputs import _processes_mentioning

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve ended"
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up in {timeout} s")


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (utime + stime, children reaped included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _edit(path: Path, old: str, new: str, after: str = "") -> None:
    """Replace the first `old` that comes after `after` in the file."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    assert old in text[start:], (path, old)
    path.write_text(text[:start] + text[start:].replace(old, new, 1), encoding="utf-8")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_an_edit_reaches_the_open_page_and_the_preview_then_idles(tmp_path, page, sig):
    from benchmarks.corpus import generate

    content = tmp_path / "content"
    generate(content, 120, seed=9)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    env = dict(os.environ, PYTHONUNBUFFERED="1", FACTCHECK_CACHE_DIR=str(tmp_path / "work"))
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content),
                             "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env=env)
    claim = content / "claims" / "claim-00007.yaml"
    conclusion = ".fc-conclusion"
    try:
        url = f"http://127.0.0.1:{port}/en/claims/claim-00007/"
        _wait_for(url, proc)
        page.goto(url)
        before = page.inner_text(conclusion)

        # 1. An edit: the open page reloads by itself (no reload from the test) and shows it.
        _edit(claim, '\n  en: "', '\n  en: "Edited live. ', after="conclusion:")
        page.wait_for_function(f"document.querySelector('{conclusion}')?.innerText.startsWith('Conclusion: Edited live.')",
                               timeout=60_000)
        assert page.inner_text(conclusion) != before

        # 2. Idle afterwards: no refresh loop on the preview's own reads (watchdog reports opens and closes).
        time.sleep(1.5)
        cpu = _cpu_seconds(proc.pid)
        time.sleep(4)
        assert _cpu_seconds(proc.pid) - cpu < 0.5, "the preview kept working with nothing to do"
        refreshes = log.tell()

        # 3. A file saved unchanged, or only read, changes nothing on screen.
        claim.write_bytes(claim.read_bytes())
        claim.read_bytes()
        time.sleep(1.5)
        assert "Edited live." in page.inner_text(conclusion)

        # 4. Invalid content: the errors show over the last good page; the fix brings the new text.
        _edit(claim, "verdict: ", "verdict: no-such-")
        page.wait_for_selector(".fc-preview-errors", timeout=60_000)
        assert "ref-verdict" in page.inner_text(".fc-preview-errors")
        assert "Edited live." in page.inner_text(conclusion)
        _edit(claim, "verdict: no-such-", "verdict: ")
        _edit(claim, "Edited live. ", "Edited twice. ")
        page.wait_for_function(f"document.querySelector('{conclusion}')?.innerText.includes('Edited twice.')",
                               timeout=60_000)
        assert page.query_selector(".fc-preview-errors") is None
        assert refreshes > 0
    finally:
        proc.send_signal(sig)
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        log.seek(0)
        out = log.read()
        log.close()
    assert code == (130 if sig == signal.SIGINT else 128 + sig), out
    assert "Traceback" not in out, out
    assert _processes_mentioning(str(tmp_path)) == [], "a child of serve outlived it"
    with socket.socket() as s, pytest.raises(ConnectionRefusedError):  # nothing listens on the port any more
        s.connect(("127.0.0.1", port))


def test_a_second_preview_of_the_same_content_is_refused(tmp_path):
    from conftest import write_tree

    content = write_tree(tmp_path, {})
    env = dict(os.environ, FACTCHECK_CACHE_DIR=str(tmp_path / "work"))
    port = _free_port()
    first = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content),
                              "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", first)
        second = subprocess.run([sys.executable, "-m", "generator", "serve", "--content", str(content),
                                 "--dev-addr", f"127.0.0.1:{_free_port()}"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2, second.stderr
        assert "in use by pid" in second.stderr and "Traceback" not in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=20)
