"""The about, methodology and corrections pages exist in both languages (IFCN transparency)."""
from pathlib import Path

from ...diagnostics import Diagnostic, Severity
from ...load.tree import PAGES, display_path
from ..context import LANGUAGES
from ..registry import rule


@rule("corpus")
def static_pages(ctx):
    for name in PAGES:
        for lang in LANGUAGES:
            if (name, lang) not in ctx.corpus.pages:
                path = display_path(Path(ctx.corpus.root) / "pages" / f"{name}.{lang}.md")
                yield Diagnostic(path, 1, 1, Severity.WARNING, "page-missing",
                                 f"the {name} page has no {lang} version",
                                 f"write {path}; the site links to it from every page")
