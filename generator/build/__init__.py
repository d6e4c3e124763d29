"""Build: validated content → generated Markdown → MkDocs → feeds and Pagefind → site/, atomically.

The site is built in a temporary folder beside the target and swapped in
only when every stage succeeded, so a failed build leaves the published
`site/` exactly as it was.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..model import Content
from ..render import iter_docs, render_site_files
from ..render.write import SyncStats, sync
from ..settings import PROJECT_ROOT, Settings


class BuildError(Exception):
    """A stage failed; the message says which, and what it printed."""


@dataclass(frozen=True)
class Options:
    site_dir: Path
    docs_dir: Path = PROJECT_ROOT / "build" / "docs"
    strict: bool = False
    search: bool = True  # run Pagefind


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def render(content: Content, settings: Settings, docs_dir: Path) -> SyncStats:
    return sync(docs_dir, iter_docs(content, settings))


def _run(stage: str, cmd: list[str], env: dict | None = None) -> None:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise BuildError(f"{stage} failed (exit {proc.returncode}):\n{tail}")
    log(f"  {stage}: {time.perf_counter() - started:.1f} s")


def mkdocs_build(settings: Settings, docs_dir: Path, out: Path, strict: bool) -> None:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(settings.mkdocs_yml), "-d", str(out)]
    if strict:
        cmd.append("--strict")
    env = dict(os.environ, FACTCHECK_DOCS_DIR=str(docs_dir))
    _run("mkdocs", cmd, env)


def pagefind(out: Path) -> None:
    _run("pagefind", [sys.executable, "-m", "pagefind", "--site", str(out), "--silent"])
    # Pagefind lists the languages in hash-map order, which changes from run to run;
    # sorted, the same content gives the same file (the index chunks themselves are stable).
    entry = out / "pagefind" / "pagefind-entry.json"
    if entry.is_file():
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["languages"] = dict(sorted(data.get("languages", {}).items()))
        entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def swap_in(staging: Path, site_dir: Path) -> None:
    """Replace site_dir by staging with two renames on the same filesystem."""
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
        os.replace(site_dir, old)
    os.replace(staging, site_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def build(content: Content, settings: Settings, options: Options, rendered: SyncStats | None = None) -> None:
    """`rendered`: the docs folder is already up to date (generator/incremental.py rendered it)."""
    stats = rendered or render(content, settings, options.docs_dir)
    log(f"  render: {stats.written} written, {stats.unchanged} unchanged, {stats.deleted} deleted")
    site_dir = options.site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private (0700); the swapped-in site must stay readable by the web server
    try:
        mkdocs_build(settings, options.docs_dir, staging, options.strict)
        try:
            for rel, body in render_site_files(content, settings).items():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                (staging / rel).write_text(body, encoding="utf-8")
        except OSError as exc:  # disk full, permissions: a failed stage, not a traceback
            raise BuildError(f"writing feeds failed: {exc}") from exc
        if options.search:
            pagefind(staging)
        swap_in(staging, site_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
