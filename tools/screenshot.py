"""Screenshots of built pages in headless Chromium, to look at: python tools/screenshot.py SITE_DIR OUT_DIR PATH...

Serves SITE_DIR on a loopback port; takes each PATH at desktop (1280 px) and mobile (390 px) widths.
"""
from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(site: str, out: str, *paths: str) -> None:
    server = serve(Path(site))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, name in ((1280, "desktop"), (390, "mobile")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in paths:
                page.goto(base + path.lstrip("/"))
                page.wait_for_load_state("networkidle")
                target = Path(out) / f"{path.strip('/').replace('/', '_') or 'home'}-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:])
