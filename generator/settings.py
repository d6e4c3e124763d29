"""Site settings, read from mkdocs.yml: the one place for the site's address, publisher and languages.

The languages are those of the i18n plugin, in its order with the default first: every stage after
the model (render, engine, search, publish) loops over `Settings.languages`, never over literals.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import ConfigError
from .model import Text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SettingsError = ConfigError  # the name the commands catch


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


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
        return Settings(site_url, Text.of(org["name"]), str(org.get("url") or site_url), mkdocs_yml,
                        _languages(data, mkdocs_yml), _partitions(data, mkdocs_yml))
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{mkdocs_yml}: needs `site_url` and `extra.organization.name` ({exc})") from exc


def _site_url(value, mkdocs_yml: Path) -> str:
    """The site's public address: feeds, JSON-LD and the sitemap are built on it, so it must be absolute."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname or parts.username \
            or any(c.isspace() or ord(c) < 0x20 for c in value):
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


def _partitions(data: dict, mkdocs_yml: Path) -> int:
    search = ((data.get("extra") or {}).get("factcheck") or {}).get("search") or {}
    value = search.get("partitions", 2)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 64:
        raise ConfigError(f"{mkdocs_yml}: `extra.factcheck.search.partitions` must be a whole number from 1 to 64 "
                          f"(2: each query downloads under 300 kB at 10,000 claims), not {value!r}")
    return value
