"""The Wayback Machine, as `python -m generator archive` asks it: its availability API (is there a copy of
this page, near this day?) and, when asked to, Save Page Now (make one). Endpoints, timeout and rate come
from mkdocs.yml (settings.ArchiveService); the standard library's urllib makes the two GET requests."""
from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from ..settings import ArchiveService
from ..validate.rules.archives import wayback

USER_AGENT = "factcheck-generator (python -m generator archive)"
_SNAPSHOT = re.compile(r"/web/([0-9]{14})/")


class WaybackError(Exception):
    """A request failed: the message says which and why."""


class Wayback:
    def __init__(self, service: ArchiveService) -> None:
        self.service = service
        self._last = float("-inf")

    def _get(self, url: str) -> tuple[str, bytes, dict]:
        """(final address after redirects, body, headers); at most `rate` requests a second."""
        wait = self._last + 1 / self.service.rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.service.timeout) as response:
                return response.geturl(), response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            raise WaybackError(f"{url}: the server answered {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:  # unreachable, refused, timed out
            reason = getattr(exc, "reason", None) or exc
            raise WaybackError(f"{url}: {reason}") from exc

    def available(self, url: str, near: dt.date | None) -> str | None:
        """The address of the Wayback Machine's copy of `url` closest to `near`, or None when it has none."""
        query = {"url": url, **({"timestamp": near.strftime("%Y%m%d")} if near else {})}
        address = f"{self.service.endpoint}?{urlencode(query)}"
        _, body, _ = self._get(address)
        try:
            closest = (json.loads(body).get("archived_snapshots") or {}).get("closest") or {}
        except (ValueError, AttributeError) as exc:
            raise WaybackError(f"{address}: the answer is not the availability API's JSON") from exc
        timestamp = str(closest.get("timestamp", ""))
        if not closest.get("available") or str(closest.get("status")) != "200" or not re.fullmatch(r"[0-9]{14}",
                                                                                                    timestamp):
            return None  # none, or a copy of an error page
        return wayback(timestamp, url)

    def save(self, url: str) -> str:
        """Ask Save Page Now for a copy of `url`: the address of the copy it made."""
        final, _, headers = self._get(self.service.save_endpoint + url)
        for where in (headers.get("Content-Location") or "", final):
            if found := _SNAPSHOT.search(where):
                return wayback(found.group(1), url)
        raise WaybackError(f"{self.service.save_endpoint}{url}: the Wayback Machine did not say where it saved "
                           "the copy")
