"""The preview's HTTP server (standard library): pages built on request, each with a small script that
waits for the page to change and then reloads it, and the content's errors shown above it."""
from __future__ import annotations

import json
import mimetypes
import posixpath
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import Preview

WAIT_S = 25  # a long poll's length; the script asks again at once

SCRIPT = """(function () {
  "use strict";
  var me = document.currentScript, page = me.dataset.page, state = me.dataset.state;
  var errors = JSON.parse(me.dataset.errors || "[]");
  if (errors.length) {
    var box = document.createElement("div");
    box.className = "fc-preview-errors";
    box.setAttribute("role", "alert");
    box.setAttribute("dir", "ltr");
    box.style.cssText = "position:fixed;inset:0 0 auto 0;z-index:9999;max-height:40vh;overflow:auto;" +
      "background:#b3261e;color:#fff;font:14px/1.4 monospace;padding:.75em 1em;white-space:pre-wrap";
    box.textContent = "Preview not updated: the content has errors (the page below is the last good one)\\n\\n" +
      errors.join("\\n");
    document.body.appendChild(box);
  }
  function wait() {
    fetch("/.preview/wait?page=" + encodeURIComponent(page) + "&state=" + state, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.state !== state) location.reload(); else wait(); })
      .catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
"""


def _html_file(path: str) -> str | None:
    """The HTML file a URL path names ("/en/claims/x/" → "en/claims/x/index.html"); None outside the site."""
    clean = posixpath.normpath(unquote(path)).lstrip("/")
    if clean.startswith("..") or "\0" in clean:
        return None
    if clean in ("", "."):
        return "index.html"
    return f"{clean}/index.html" if path.endswith("/") else clean


def handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        server_version = "factcheck-preview"

        def log_message(self, *args) -> None:  # the terminal is for the content's diagnostics
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlsplit(self.path)
            if url.path == "/.preview/reload.js":
                return self._send(SCRIPT.encode(), "text/javascript; charset=utf-8")
            if url.path == "/.preview/wait":
                query = parse_qs(url.query)
                state = preview.wait(query.get("page", [""])[0], query.get("state", [""])[0], WAIT_S)
                return self._send(json.dumps({"state": state}).encode(), "application/json")
            rel = _html_file(url.path)
            if rel is None:
                return self._not_found()
            if not url.path.endswith("/") and "." not in posixpath.basename(url.path) \
                    and preview.page(rel + "/index.html") is not None:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", url.path + "/")
                self.end_headers()
                return None
            if rel.endswith(".html"):
                path = preview.page(rel)
                if path is not None:
                    return self._send(self._with_script(path.read_bytes(), rel), "text/html; charset=utf-8")
            path = preview.static(rel)
            if path is None:
                return self._not_found()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return self._send(path.read_bytes(), kind + ("; charset=utf-8" if kind.startswith("text/") else ""))

        def _with_script(self, body: bytes, rel: str) -> bytes:
            tag = ('<script src="/.preview/reload.js" data-page="{}" data-state="{}" data-errors="{}"></script>'
                   .format(rel, preview.state(rel), preview.banner().replace("&", "&amp;").replace('"', "&quot;")
                           .replace("<", "&lt;")))
            return body.replace(b"</body>", tag.encode("utf-8") + b"</body>", 1)

        def _not_found(self) -> None:
            path = preview.static("404.html")
            self._send(path.read_bytes() if path else b"not found", "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)

        def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the browser went elsewhere
                pass

    return Handler


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler(preview))
    server.daemon_threads = True
    return server
