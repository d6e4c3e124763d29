"""Site settings, read from mkdocs.yml: the one place for the site's address and publisher."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from .model import Text

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    pass


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
        site_url = str(data["site_url"]).rstrip("/") + "/"
        org = data["extra"]["organization"]
        return Settings(site_url, Text.of(org["name"]), str(org.get("url") or site_url), mkdocs_yml)
    except (OSError, KeyError, TypeError) as exc:
        raise SettingsError(f"{mkdocs_yml}: needs `site_url` and `extra.organization.name` ({exc})") from exc
