"""The one seam with MkDocs: how a docs folder becomes HTML. Everything here knows MkDocs, its i18n plugin
and Material; nothing else in the generator does.

- A build is `mkdocs build` on a folder of Markdown (FACTCHECK_DOCS_DIR, read by mkdocs.yml's
  `docs_dir`), for one language (FACTCHECK_BUILD_LOCALE, read by mkdocs_hooks.on_config).
- The docs folder may hold a part of the site only: the pages to build, the navigation's pages and
  the static files. A claim, article, topic, verdict or tag page is out of the navigation on purpose
  (mkdocs.yml `not_in_nav`), so its HTML depends on its own Markdown, mkdocs.yml, the theme and the
  navigation's titles (which mkdocs.yml gives), not on the other pages: built in a part, it is the
  same as built in the whole site (tests/test_engine.py).
- Where MkDocs writes a page: `<language root><url>index.html`, with directory URLs.
- What else it writes: the theme's files (the same in every build of one configuration), 404.html
  (kept from the default language's build by the hooks) and a sitemap, which the generator writes
  itself from its page list (render/site_files.py), so MkDocs' is dropped.
"""
from __future__ import annotations

import os
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from ruamel.yaml import YAML

from ..render.keys import digest, source_digest
from ..settings import PROJECT_ROOT, Settings
from .mkdocs_hooks import LOCALE_VARIABLE

DOCS_VARIABLE = "FACTCHECK_DOCS_DIR"
DROPPED = ("sitemap.xml", "sitemap.xml.gz")  # MkDocs' own: the generator writes the sitemap
NOT_FOUND = "404.html"
# What the HTML depends on besides the Markdown: the packages that turn it into HTML, with their versions.
PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "markdown", "pymdown-extensions", "jinja2",
            "babel", "mkdocs-material-extensions")


def engine_digest(settings: Settings) -> bytes:
    """Everything but the Markdown that a page's HTML depends on: mkdocs.yml, the theme overrides, the
    hooks, the Python and package versions. When it changes, every page is built again."""
    versions = [f"{name}=={_version(name)}" for name in PACKAGES] + [sys.version]
    return digest(settings.mkdocs_yml.read_bytes() + "\n".join(versions).encode()
                  + source_digest("templates/overrides", "generator/engine/mkdocs_hooks.py"))


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@cache
def nav_pages(mkdocs_yml: Path) -> tuple[str, ...]:
    """The docs paths of the navigation's pages ("index", "claims/index"): every build includes them."""
    data = YAML(typ="safe")
    data.constructor.add_constructor("!ENV", lambda loader, node: None)
    nav = data.load(mkdocs_yml.read_text(encoding="utf-8")).get("nav") or []
    found: list[str] = []

    def walk(items) -> None:
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str) and value.endswith(".md") and "://" not in value:
                found.append(value[: -len(".md")])

    walk(nav)
    return tuple(found)


def docs_file(page_path: str, lang: str) -> str:
    """The Markdown file of a page in one language (mkdocs-static-i18n's suffix structure)."""
    return f"{page_path}.{lang}.md"


def html_file(settings: Settings, url: str, lang: str) -> str:
    """Where MkDocs writes the page at `url` ("claims/x/", "" for the home page), relative to the site."""
    return f"{settings.root(lang)}{url}index.html"


def command(settings: Settings, docs: Path, out: Path, lang: str, strict: bool) -> tuple[list[str], dict]:
    """The MkDocs process that builds `docs` in one language into `out`: (command, environment)."""
    # No --quiet: it raises MkDocs' log level above WARNING, so --strict never sees a warning to fail on
    # (MkDocs 1.6). The output goes to a file and is shown only when the build fails.
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(settings.mkdocs_yml), "-d", str(out)]
    env = dict(os.environ, **{DOCS_VARIABLE: str(docs), LOCALE_VARIABLE: lang, "NO_MKDOCS_2_WARNING": "1"})
    return cmd + (["--strict"] if strict else []), env


def theme_files(out: Path, built_pages: set[str], docs_static: set[str]) -> dict[str, Path]:
    """The files of a build that are neither pages nor the docs folder's own static files: the theme's."""
    found: dict[str, Path] = {}
    for dirpath, _, filenames in os.walk(out):
        base = os.path.relpath(dirpath, out).replace(os.sep, "/")
        for name in filenames:
            rel = name if base == "." else f"{base}/{name}"
            if rel not in built_pages and rel not in docs_static and rel not in DROPPED and rel != NOT_FOUND \
                    and not name.endswith(".html"):
                found[rel] = Path(dirpath) / name
    return found


PROJECT = PROJECT_ROOT  # MkDocs runs from the project: mkdocs.yml's paths (hooks, custom_dir) are relative to it
