"""Nothing the build did not make is ever deleted (issue 12): output folders named on the command line
are refused unless new, empty or made by the tool; a stopped build stops its children, and the next
build removes the staging folders a killed one left. Errors, not tracebacks, when the disk says no."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, project_copy, write_tree
from site_fixtures import build_cmd, tree_hash

pytestmark = pytest.mark.slow


def snapshot(folder: Path) -> dict:
    """Names, bytes, modes and symlink targets of everything under folder (hidden files included)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path))
        elif path.is_file():
            out[rel] = ("file", path.read_bytes(), path.stat().st_mode)
        else:
            out[rel] = ("dir", path.stat().st_mode)
    return out


def run(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "Traceback" not in out, out
    for word in words:
        assert word in proc.stderr, proc.stderr


@pytest.mark.parametrize("flag", ["--site-dir", "--docs-dir"])
def test_the_content_folder_and_what_is_around_it_are_refused(tmp_path, flag):
    content = write_tree(tmp_path, {})
    before = snapshot(tmp_path)
    other = tmp_path / "site" if flag == "--docs-dir" else tmp_path / "docs"
    for target, words in ((content, ("is the content folder",)), (content / "claims", ("lies inside",)),
                          (tmp_path, ("contains the content folder",))):
        proc = run("build", "--content", content, flag, target,
                   "--docs-dir" if flag == "--site-dir" else "--site-dir", other)
        refused(proc, flag, *words)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("flag", ["--site-dir", "--docs-dir"])
def test_a_folder_of_other_files_is_refused(tmp_path, flag):
    content = write_tree(tmp_path, {})
    others = tmp_path / "papers"
    (others / "guide").mkdir(parents=True)
    (others / "guide" / "editors.md").write_text("# The editors' guide\n")
    (others / ".hidden").write_text("keep me\n")
    (others / "photo.png").write_bytes(bytes(range(256)))
    before = snapshot(others)
    other = {"--site-dir": ("--docs-dir", tmp_path / "docs"), "--docs-dir": ("--site-dir", tmp_path / "site")}[flag]
    refused(run("build", "--content", content, flag, others, *other), "not empty", "not made by this tool")
    assert snapshot(others) == before
    assert not (tmp_path / "site").exists()


def test_serve_refuses_a_docs_folder_it_did_not_make(tmp_path):
    content = write_tree(tmp_path, {})
    others = tmp_path / "notes"
    others.mkdir()
    (others / "todo.txt").write_text("call the ministry\n")
    before = snapshot(others)
    refused(run("serve", "--content", content, "--docs-dir", others), "--docs-dir", "not made by this tool")
    refused(run("serve", "--content", content, "--docs-dir", content), "is the content folder")
    assert snapshot(others) == before


@pytest.mark.parametrize("target", [".", "..", "generator", "templates", ".git"])
def test_a_project_and_its_folders_are_refused(tmp_path, target):
    project = project_copy(tmp_path)
    before = snapshot(tmp_path)
    proc = run("build", "--site-dir", target, "--docs-dir", tmp_path / "docs", cwd=project)
    refused(proc, "--site-dir")
    proc = run("build", "--docs-dir", target, "--site-dir", tmp_path / "site", cwd=project)
    refused(proc, "--docs-dir")
    assert snapshot(tmp_path) == before


def test_new_empty_and_own_folders_are_accepted_and_only_own_files_go(tmp_path):
    content = write_tree(tmp_path, {})
    site, docs = tmp_path / "site", tmp_path / "docs"
    site.mkdir()  # empty: fine
    assert build_cmd(content, site, docs).returncode == 0
    # A file someone put in the generated docs folder is not the build's to delete.
    (docs / "notes.txt").write_text("mine\n")
    (content / "claims" / "toll.yaml").rename(content / "claims" / "toll-renamed.yaml")
    proc = build_cmd(content, site, docs)
    assert proc.returncode == 0, proc.stderr
    assert (docs / "notes.txt").read_text() == "mine\n"
    assert not list(docs.glob("claims/toll.*.md")) and list(docs.glob("claims/toll-renamed.*.md"))
    assert (site / "claims" / "toll-renamed" / "index.html").is_file() and not (site / "claims" / "toll").exists()


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline and int(pid) != os.getpid():
            found.append(f"{pid}: {cmdline[:200]}")
    return found


def _staging(site: Path) -> list[str]:
    """Work folders of a build beside the site: its state folder's tmp/ and any `.site.new-*`."""
    tmp = site.with_name(f".{site.name}.factcheck") / "tmp"
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}.new-")) + \
        (["tmp"] if tmp.exists() else [])


def _start_build_and_wait_for_mkdocs(content: Path, site: Path, docs: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content),
                             "--site-dir", str(site), "--docs-dir", str(docs)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not any("mkdocs" in p for p in _processes_mentioning(str(site.parent))):
        assert proc.poll() is None, "the build ended before MkDocs started"
        assert time.monotonic() < deadline, "MkDocs never started"
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_build_leaves_no_process_and_the_next_build_no_staging(tmp_path, sig):
    from benchmarks.corpus import generate

    content = tmp_path / "content"
    generate(content, 300, seed=3)
    site, docs = tmp_path / "out" / "site", tmp_path / "docs"
    proc = _start_build_and_wait_for_mkdocs(content, site, docs)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == (128 + signal.SIGTERM if sig == signal.SIGTERM else -signal.SIGKILL)
    deadline = time.monotonic() + 10  # children end on their own SIGTERM (PR_SET_PDEATHSIG) after a SIGKILL
    while _processes_mentioning(str(site.parent)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(site.parent)) == []
    assert not site.exists()
    if sig == signal.SIGTERM:
        assert _staging(site) == []  # it cleaned up after itself
    else:
        assert _staging(site)  # nothing could clean up; the next build does
    (tmp_path / "out" / ".site.new-not-ours").mkdir()
    (tmp_path / "out" / ".site.new-not-ours" / "keep.txt").write_text("someone else's\n")
    done = build_cmd(content, site, docs, "--no-search")
    assert done.returncode == 0, done.stderr
    assert _staging(site) == [".site.new-not-ours"]  # only what the tool made and marked is removed
    if sig == signal.SIGKILL:
        assert "removing what a stopped build left" in done.stderr
    assert (site / "index.html").is_file()


def _mount_tmpfs(folder: Path, options: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@pytest.fixture
def mounts(tmp_path):
    made = []

    def mount(name: str, options: str) -> Path:
        folder = tmp_path / name
        if not _mount_tmpfs(folder, options):
            pytest.skip("cannot mount a tmpfs here (needs root)")
        made.append(folder)
        return folder

    yield mount
    for folder in made:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_read_only_parent_and_a_full_disk_are_errors_not_tracebacks(tmp_path, mounts):
    content = write_tree(tmp_path, {})
    read_only = mounts("ro", "ro,size=1m")
    proc = build_cmd(content, read_only / "site", tmp_path / "docs")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "Read-only file system" in proc.stderr and str(read_only) in proc.stderr

    full = mounts("full", "size=64k")
    proc = build_cmd(content, tmp_path / "site", full / "docs")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "No space left on device" in proc.stderr
    assert not (tmp_path / "site").exists()


def test_tree_hash_sees_hidden_files(tmp_path):
    # snapshot() and tree_hash() are what the refusals above are checked with: both must see dotfiles.
    (tmp_path / ".x").write_text("1")
    assert ".x" in snapshot(tmp_path) and ".x" in tree_hash(tmp_path)


def test_ctrl_c_stops_the_tool_when_it_started_with_it_ignored(tmp_path):
    """A parent's SIG_IGN survives exec (a job started in the background by a script, some CI runners), and
    Python then leaves SIGINT ignored: the tool installs its handler anyway. `serve` runs until stopped."""
    content = write_tree(tmp_path, {})
    env = dict(os.environ, PYTHONUNBUFFERED="1", FACTCHECK_CACHE_DIR=str(tmp_path / "work"))
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content),
                             "--dev-addr", "127.0.0.1:0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        for line in proc.stdout:
            if "preview on" in line:
                break
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        proc.kill()
    assert _processes_mentioning(str(tmp_path)) == []


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5, 1.0])
def test_ctrl_c_at_any_moment_of_start_up_is_no_traceback(tmp_path, delay):
    """SIGINT while the interpreter starts, while the modules load or while the build runs: no traceback."""
    content = write_tree(tmp_path, {})
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir",
                             str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs")], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert _processes_mentioning(str(tmp_path)) == []
    if err.startswith("Fatal Python error: init_import_site"):
        # On a loaded machine 50 ms can still be CPython importing its own `site` module: no code of this
        # project has run yet, and nothing can catch the signal there. Nothing was started or written.
        assert not (tmp_path / "site").exists() and not (tmp_path / "docs").exists()
        return
    assert "Traceback" not in out + err, err
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, err)  # 0: it finished first
