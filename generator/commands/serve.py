"""`serve`: live preview. Content edits reach the open browser pages by themselves (generator/preview/)."""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileCreatedEvent, FileDeletedEvent,
                             FileModifiedEvent, FileMovedEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from ..errors import UsageError
from ..log import log
from ..pipeline import work_dir
from ..preview import Preview
from ..preview.server import make_server
from ..process import Lock, stop_children
from ..publish.owned import check_output
from ..settings import PROJECT_ROOT, load_settings
from .validate import report

HELP = "live preview on http://127.0.0.1:8000/: content edits show up in the browser by themselves"
DEBOUNCE_S = 0.1  # an editor's save is several events; one refresh for all of them
# What changes a file. Opening or reading one (watchdog reports those too) does not, and the preview's own
# reads must not wake it up again.
CHANGES = (FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, DirCreatedEvent, DirDeletedEvent,
           DirMovedEvent)


def add_arguments(parser) -> None:
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT", help="address to serve on")
    parser.add_argument("--docs-dir", type=Path, default=None, metavar="PATH",
                        help="where the generated Markdown goes (default: a folder of the content's own under build/)")


class _Debounced(FileSystemEventHandler):
    """Calls action(paths) once a burst of changes is over, with the files they named (None when a
    folder changed: then every file is read again)."""

    def __init__(self, action) -> None:
        self.action, self.timer, self.lock = action, None, threading.Lock()
        self.paths: set[Path] | None = set()

    def on_any_event(self, event) -> None:
        if not isinstance(event, CHANGES):
            return
        with self.lock:
            if event.is_directory:
                self.paths = None
            elif self.paths is not None:
                self.paths.update(Path(os.fsdecode(p)).resolve() for p in (event.src_path, getattr(event, "dest_path", ""))
                                  if p)
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_S, self._fire)
            self.timer.daemon = True
            self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            paths, self.paths = self.paths, set()
        self.action(paths)


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--dev-addr {value!r}: write it as IP:PORT, such as 127.0.0.1:8000")
    return host, int(port)


def run(args) -> int:
    settings = load_settings()
    host, port = _address(args.dev_addr)
    work = work_dir(args.content) / "preview"
    docs = check_output(args.docs_dir or work / "docs", "docs", args.content)
    with Lock(work / "lock", f"the preview of {args.content}", wait=False):
        preview = Preview(args.content, settings, work)
        preview.docs = docs
        return _serve(preview, args.content, host, port)


def _serve(preview: Preview, content: Path, host: str, port: int) -> int:
    def refresh(paths: set[Path] | None) -> None:
        ok = preview.refresh(paths)
        if preview.errors or not ok:
            report(preview.errors, stream=sys.stderr)

    log(f"checking {content} …")
    if not preview.refresh():
        report(preview.errors, stream=sys.stderr)
        if not preview.markdown:
            log("nothing to preview: fix the errors above and start again")
            return 1
    try:
        server = make_server(preview, host, port)
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror}; choose another --dev-addr") from exc
    observer = Observer()
    watched = _Debounced(refresh)
    observer.schedule(watched, str(content), recursive=True)
    observer.schedule(watched, str(PROJECT_ROOT / "templates"), recursive=True)
    observer.start()
    log(f"preview on http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        observer.stop()
        stop_children()
        observer.join(timeout=5)
    return 0
