"""Site settings, read from mkdocs.yml: the one place for the site's address and publisher."""
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


@dataclass(frozen=True)
class Settings:
    site_url: str  # ends with "/"
    organization: Text
    organization_url: str
    mkdocs_yml: Path

    def url(self, lang: str, path: str) -> str:
        """Absolute URL of a page; `path` is relative to the language root ("claims/x/")."""
        return self.site_url + ("" if lang == "ar" else f"{lang}/") + path


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
        return Settings(site_url, Text.of(org["name"]), str(org.get("url") or site_url), mkdocs_yml)
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
