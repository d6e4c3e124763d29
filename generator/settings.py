"""Site settings, read from mkdocs.yml: the one place for the site's address, publisher and languages,
the corrections channel, the desk's policies and the archive service.

The languages are those of the i18n plugin, in its order with the default first: every stage after
the model (render, engine, search, publish) loops over `Settings.languages`, never over literals.
Each wrong value is a ConfigError naming the file, the key and the form expected.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import ConfigError
from .model import Text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SettingsError = ConfigError  # the name the commands catch


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
# The Wayback Machine, archive.today (under each of its names) and perma.cc.
ARCHIVE_HOSTS = ("web.archive.org", "archive.today", "archive.ph", "archive.is", "archive.li", "archive.vn",
                 "archive.fo", "archive.md", "perma.cc")
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")  # RFC 2606: addresses that reach no one
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True)
class Corrections:
    """Where readers report an error (extra.organization.corrections): an address, a form, or both."""
    email: str | None = None
    url: str | None = None  # a form: `{url}` in it becomes the page's address, else `url=<address>` is added


@dataclass(frozen=True)
class Policy:
    """The desk's rules the validator enforces on published claims (extra.factcheck.policy), and the
    archives it accepts (extra.factcheck.archive.hosts)."""
    review: bool = False  # a reviewer from people.yaml who is not the author
    archive_after: dt.date | None = None  # sources of claims published after this day need an `archive`
    archive_hosts: tuple[str, ...] = ARCHIVE_HOSTS
    review_after: dt.date | None = None  # `review` holds for claims published after this day (None: all)


@dataclass(frozen=True)
class ArchiveService:
    """What `python -m generator archive` asks (extra.factcheck.archive): the Wayback Machine's APIs."""
    endpoint: str = "https://archive.org/wayback/available"  # the availability API
    save_endpoint: str = "https://web.archive.org/save/"  # Save Page Now: the page's address is appended
    timeout: float = 30.0  # seconds per request
    rate: float = 1.0  # requests per second, at most


@dataclass(frozen=True)
class Language:
    code: str  # "ar"
    name: str  # "العربية": the language switcher's label
    site_name: str = ""  # the site's name in this language (the i18n plugin's, else mkdocs.yml `site_name`)

    @property
    def dir(self) -> str:
        return "rtl" if self.code in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True)
class Settings:
    site_url: str  # ends with "/"
    organization: Text
    organization_url: str
    mkdocs_yml: Path
    languages: tuple[Language, ...] = (Language("ar", "العربية"), Language("en", "English"))  # default first
    search_partitions: int = 2  # per language (generator/search/: faster re-indexing against bytes per query)
    corrections: Corrections = field(default_factory=Corrections)
    policy: Policy = field(default_factory=Policy)
    archive: ArchiveService = field(default_factory=ArchiveService)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    @property
    def default(self) -> str:
        return self.languages[0].code

    def root(self, lang: str) -> str:
        """The language's folder in the site: "" for the default language, else "en/"."""
        return "" if lang == self.default else f"{lang}/"

    def url(self, lang: str, path: str) -> str:
        """Absolute URL of a page; `path` is relative to the language root ("claims/x/")."""
        return self.site_url + self.root(lang) + path

    def example_addresses(self) -> list[str]:
        """What still points at an example domain (the sample's): `build` warns, the Pages workflow refuses."""
        found = [("site_url", self.site_url, "the site's public address"),
                 ("extra.organization.url", self.organization_url, "the desk's own site"),
                 ("extra.organization.corrections.email", self.corrections.email, "the address readers write to"),
                 ("extra.organization.corrections.url", self.corrections.url, "the form readers fill in")]
        return [f"{self.mkdocs_yml.name}: `{key}` is {value}, an example address: set it to {what}"
                for key, value, what in found if value and _is_example(value)]


def _is_example(address: str) -> bool:
    host = address.rpartition("@")[2] if "://" not in address else (urlsplit(address).hostname or "")
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)


def load_settings(mkdocs_yml: Path = PROJECT_ROOT / "mkdocs.yml") -> Settings:
    try:
        yaml = YAML(typ="safe")
        # MkDocs' `!ENV [NAME, default]`: only the default matters here.
        yaml.constructor.add_constructor("!ENV", lambda loader, node: None)
        data = yaml.load(mkdocs_yml.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{mkdocs_yml}: cannot read it: {exc.strerror}") from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{mkdocs_yml}{where}: YAML syntax error: {getattr(exc, 'problem', None) or exc}; "
                          "check the indentation and quoting there") from exc
    try:
        site_url = _site_url(data["site_url"], mkdocs_yml)
        org = data["extra"]["organization"]
        name = Text.of(org["name"])
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{mkdocs_yml}: needs `site_url` and `extra.organization.name` ({exc})") from exc
    factcheck = _mapping(data["extra"], "factcheck", "extra", mkdocs_yml)
    return Settings(site_url, name, str(org.get("url") or site_url), mkdocs_yml, _languages(data, mkdocs_yml),
                    _partitions(factcheck, mkdocs_yml), _corrections(org, mkdocs_yml), _policy(factcheck, mkdocs_yml),
                    _archive(factcheck, mkdocs_yml))


def _mapping(parent: dict, key: str, where: str, mkdocs_yml: Path) -> dict:
    """parent[key] as a mapping ({} when missing)."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{mkdocs_yml}: `{where}.{key}` must be a mapping of `key: value` lines, not {value!r}")
    return value


def _absolute_url(value) -> bool:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:  # `https://[site/`: an unclosed IPv6 bracket
        return False
    return bool(parts and parts.scheme in ("http", "https") and parts.hostname and not parts.username
                and not any(c.isspace() or ord(c) < 0x20 for c in value))


def _site_url(value, mkdocs_yml: Path) -> str:
    """The site's public address: feeds, JSON-LD and the sitemap are built on it, so it must be absolute."""
    if not _absolute_url(value):
        raise ConfigError(f"{mkdocs_yml}: `site_url` must be the site's absolute http(s) address, such as "
                          f"https://factcheck.example.org/, not {value!r}")
    return value.rstrip("/") + "/"


def _languages(data: dict, mkdocs_yml: Path) -> tuple[Language, ...]:
    """The i18n plugin's built languages, the default first; they must be the content's languages."""
    from .model import LANGUAGES

    plugins = data.get("plugins") or []
    i18n = next((p["i18n"] for p in plugins if isinstance(p, dict) and "i18n" in p), None)
    if not isinstance(i18n, dict) or not isinstance(i18n.get("languages"), list):
        raise ConfigError(f"{mkdocs_yml}: needs the `i18n` plugin with its `languages` list")
    found = [(bool(lang.get("default")), Language(str(lang.get("locale")), str(lang.get("name") or lang.get("locale")),
                                                  str(lang.get("site_name") or data.get("site_name") or "")))
             for lang in i18n["languages"] if isinstance(lang, dict) and lang.get("build", True) is not False]
    found.sort(key=lambda item: not item[0])  # the default language first, then the others in order
    codes = tuple(lang.code for _, lang in found)
    if sorted(codes) != sorted(LANGUAGES) or not found[0][0]:
        raise ConfigError(f"{mkdocs_yml}: the i18n plugin must build the content's languages "
                          f"({', '.join(LANGUAGES)}), one of them marked `default: true`; it lists {list(codes)}")
    return tuple(lang for _, lang in found)


def _partitions(factcheck: dict, mkdocs_yml: Path) -> int:
    value = _mapping(factcheck, "search", "extra.factcheck", mkdocs_yml).get("partitions", 2)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 64:
        raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.search.partitions` must be a whole number from 1 to 64 "
                          f"(2: each query downloads under 300 kB at 10,000 claims), not {value!r}")
    return value


def _corrections(org: dict, mkdocs_yml: Path) -> Corrections:
    """The channel every claim page links to: `email` and/or `url`, at least one."""
    key = "extra.organization.corrections"
    channel = _mapping(org, "corrections", "extra.organization", mkdocs_yml)
    email, url = channel.get("email"), channel.get("url")
    unknown = sorted(set(channel) - {"email", "url"})
    if unknown or not (email or url):
        raise ConfigError(f"{mkdocs_yml}: `{key}` must give `email` (the address readers write to) and/or `url` "
                          f"(a form), such as `corrections: {{email: corrections@your-desk.org}}`"
                          + (f"; unknown key(s): {', '.join(unknown)}" if unknown else ""))
    if email is not None and not (isinstance(email, str) and _EMAIL.fullmatch(email)):
        raise ConfigError(f"{mkdocs_yml}: `{key}.email` must be an e-mail address, such as "
                          f"corrections@your-desk.org, not {email!r}")
    if url is not None and not _absolute_url(url):
        raise ConfigError(f"{mkdocs_yml}: `{key}.url` must be the form's absolute http(s) address, such as "
                          f"https://your-desk.org/report?page={{url}}, not {url!r}")
    return Corrections(email, url)


def _policy(factcheck: dict, mkdocs_yml: Path) -> Policy:
    policy = _mapping(factcheck, "policy", "extra.factcheck", mkdocs_yml)
    archive = _mapping(factcheck, "archive", "extra.factcheck", mkdocs_yml)
    review = policy.get("review", False)
    if not isinstance(review, bool):
        raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.policy.review` must be true (a published claim needs a "
                          f"reviewer who is not its author) or false, not {review!r}")
    after = _policy_date(policy, "archive_after", "sources of claims published after it need an `archive`", mkdocs_yml)
    review_after = _policy_date(policy, "review_after", "the review policy holds for claims published after it; "
                                "the ones before it were published without", mkdocs_yml)
    hosts = archive.get("hosts", list(ARCHIVE_HOSTS))
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) and re.fullmatch(r"[a-z0-9.-]+", h)
                                                           for h in hosts):
        raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.archive.hosts` must be a list of host names, such as "
                          f"[web.archive.org, archive.today, perma.cc], not {hosts!r}")
    return Policy(review, after, tuple(hosts), review_after)


def _policy_date(policy: dict, key: str, meaning: str, mkdocs_yml: Path) -> dt.date | None:
    value = policy.get(key)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.policy.{key}` must be a date, YYYY-MM-DD ({meaning}), "
                          f"or null, not {value!r}")
    return value


def _archive(factcheck: dict, mkdocs_yml: Path) -> ArchiveService:
    archive = _mapping(factcheck, "archive", "extra.factcheck", mkdocs_yml)
    default = ArchiveService()
    values = {}
    for key in ("endpoint", "save_endpoint"):
        value = archive.get(key, getattr(default, key))
        if not _absolute_url(value):
            raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.archive.{key}` must be an absolute http(s) address, "
                              f"such as {getattr(default, key)}, not {value!r}")
        values[key] = value
    for key, what in (("timeout", "seconds to wait for an answer"), ("rate", "requests per second, at most")):
        value = archive.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
            raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.archive.{key}` must be a number above 0 ({what}), "
                              f"not {value!r}")
        values[key] = float(value)
    return ArchiveService(**values)
