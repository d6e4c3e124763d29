"""A source's `archive` is a copy of that very page at an archive the desk accepts (mkdocs.yml
`extra.factcheck.archive.hosts`). A Wayback Machine address names the page it copies,
https://web.archive.org/web/<14 digits>/<address>, and that address must be the source's `url`, scheme
and trailing slash aside; archive.today and perma.cc addresses are opaque (a short code)."""
import re
from urllib.parse import urlsplit

from ... import chars
from ..registry import rule
from . import urls
from ._access import items, text

WAYBACK = "web.archive.org"
_WAYBACK_PATH = re.compile(r"/web/([0-9]{14})/(.+)", re.S)
_SCHEME = re.compile(r"^https?://", re.I)


def same_page(a: str, b: str) -> bool:
    """Two addresses of one page: the same but for http/https and a trailing slash."""
    return _SCHEME.sub("", a).rstrip("/") == _SCHEME.sub("", b).rstrip("/")


def wayback(timestamp: str, url: str) -> str:
    """The Wayback Machine's address of its copy of `url` made at `timestamp` (14 digits)."""
    return f"https://{WAYBACK}/web/{timestamp}/{url}"


def _check(doc, path, archive: str, url: str | None, hosts):
    """`archive` is a copy of `url` at one of `hosts`."""
    parts = urlsplit(archive)
    if parts.hostname not in hosts:
        yield doc.diag(path, "archive-host", f"`{parts.hostname}` is not one of the archives the desk accepts",
                       f"use a copy at {', '.join(hosts)} (mkdocs.yml `extra.factcheck.archive.hosts`)", key=False)
        return
    rest = archive[archive.index(parts.netloc) + len(parts.netloc):]
    if parts.hostname != WAYBACK:
        if not rest.strip("/"):
            yield doc.diag(path, "archive-invalid", f"`{archive}` is the archive's home page, not a copy",
                           "copy the address of the archived page itself, as the archive shows it", key=False)
        return
    found = _WAYBACK_PATH.fullmatch(rest)
    if found is None:
        yield doc.diag(path, "archive-invalid", "a Wayback Machine copy's address is https://web.archive.org/web/"
                       f"<14-digit time>/<the page's address>, not `{archive[:100]}`",
                       "open the copy in the Wayback Machine and copy its address; `python -m generator archive` "
                       "writes it for you", key=False)
    elif url is not None and not same_page(found.group(2), url):
        yield doc.diag(path, "archive-mismatch", f"the archived copy is of `{found.group(2)[:100]}`, not of the "
                       f"source's `url` ({url[:100]})",
                       f"use a copy of the source itself: {wayback(found.group(1), url)[:160]}", key=False)


@rule("claim")
def archive_copies(doc, ctx):
    for i, source in items(doc.data, "sources"):
        archive = text(source, "archive")
        if archive is None or chars.unsafe(archive) or urls.problem(archive):
            continue  # not text: the schema's; an unsafe address: the character and URL rules'
        yield from _check(doc, ("sources", i, "archive"), archive, text(source, "url"), ctx.policy("archive_hosts"))
