"""`serve`: live preview. Editing content re-renders only what changed; MkDocs reloads the browser.

One chain, no loop: a watcher on the content folder re-validates and
re-renders into the generated docs folder, and `mkdocs serve` watches only
that folder. Invalid content prints its diagnostics and keeps the last good
pages on screen.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from ..render import render
from ..diagnostics import has_errors
from ..pipeline import check
from ..process import Lock
from ..publish.owned import check_output
from ..settings import PROJECT_ROOT, load_settings
from .validate import report

HELP = "live preview on http://127.0.0.1:8000/: content edits show up in the browser by themselves"
DEBOUNCE_S = 0.3


def add_arguments(parser) -> None:
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT", help="address to serve on")
    parser.add_argument("--docs-dir", type=Path, default=PROJECT_ROOT / "build" / "docs", metavar="PATH",
                        help="where the generated Markdown goes (default: build/docs/)")


def refresh(content_dir: Path, docs_dir: Path, settings) -> bool:
    checked = check(content_dir)
    if checked.diagnostics:
        report(checked.diagnostics, stream=sys.stderr)
    if has_errors(checked.diagnostics):
        print("preview not updated: fix the errors above", file=sys.stderr, flush=True)
        return False
    stats = render(checked.content, settings, docs_dir).stats
    print(f"rendered: {stats.written} changed, {stats.deleted} removed", file=sys.stderr, flush=True)
    return True


class _Debounced(FileSystemEventHandler):
    def __init__(self, action) -> None:
        self.action, self.timer, self.lock = action, None, threading.Lock()

    def on_any_event(self, event) -> None:
        if event.is_directory or Path(event.src_path).name.startswith("."):
            return
        with self.lock:
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_S, self.action)
            self.timer.start()


def run(args) -> int:
    settings = load_settings()
    docs_dir = check_output(args.docs_dir, "docs", args.content)
    with Lock(docs_dir.with_name(f".{docs_dir.name}.lock"), f"the docs folder {args.docs_dir}"):
        return _serve(args, settings, docs_dir)


def _serve(args, settings, docs_dir: Path) -> int:
    if not refresh(args.content, docs_dir, settings) and not docs_dir.exists():
        return 1
    observer = Observer()
    observer.schedule(_Debounced(lambda: refresh(args.content, docs_dir, settings)), str(args.content),
                      recursive=True)
    observer.start()
    env = dict(os.environ, FACTCHECK_DOCS_DIR=str(docs_dir))
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--livereload", "-f",
                               str(settings.mkdocs_yml), "-a", args.dev_addr], cwd=PROJECT_ROOT, env=env)
    try:
        return server.wait()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        observer.stop()
        observer.join(timeout=2)
