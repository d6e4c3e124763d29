"""Walk a content folder into a `Corpus`: every file read once, the registries parsed; claims and
article metadata are parsed by validate, and only when the cache does not hold their checks.

Layout (see README, "Content formats"):
    verdicts.yaml  topics.yaml  tags.yaml  people.yaml (all but verdicts.yaml optional)
    articles/<id>.yaml + articles/<id>.txt
    claims/<id>.yaml
    pages/<name>.<lang>.md   (about, methodology, corrections)
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Severity
from ..model import LANGUAGES
from . import limits
from .yaml_source import Document, Source, load_yaml_file, read_source, read_text

# Always `fullmatch`: with `match`, `$` would also match before a final "\n" (a file "x\n.yaml").
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
YAML_SUFFIXES = (".yaml", ".yml")
PAGES = ("about", "methodology", "corrections")  # the pages the site publishes, in every language
QUIET = {".gitkeep"}  # kept so git keeps an empty folder: not content, not worth a warning
# The registries: one YAML file each, keyed by id; only the verdict scale is required.
REGISTRIES = ("verdicts", "topics", "tags", "people")


@dataclass(frozen=True)
class ArticleSource:
    meta: Source
    text: str | None  # newlines normalized to \n; None when unreadable
    text_path: str
    text_digest: str = ""  # of the text file's bytes
    text_source: Source | None = field(default=None, compare=False, repr=False)  # as read (Reader reuses it)

    @property
    def digest(self) -> str:
        """Both files: what the article's checks and model are made from."""
        return f"{self.meta.digest}+{self.text_digest}"


@dataclass
class Corpus:
    root: Path
    verdicts: Document
    topics: Document
    tags: Document
    people: Document
    articles: dict[str, ArticleSource] = field(default_factory=dict)
    claims: dict[str, Source] = field(default_factory=dict)
    pages: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, lang) -> Markdown
    diagnostics: list[Diagnostic] = field(default_factory=list)


def display_path(path: Path) -> str:
    text, cwd = str(path), os.getcwd()
    if text.startswith(cwd + "/") and "/.." not in text and "/./" not in text:  # os.path.relpath, without
        return text[len(cwd) + 1:]  # its abspath() and getcwd() per call (10,000 claims: ~0.4 s)
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _file_diag(path: Path, code: str, message: str, help: str, severity=Severity.ERROR) -> Diagnostic:
    return Diagnostic(display_path(path), 1, 1, severity, code, message, help)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False


def _placement(path: Path, root: Path) -> Diagnostic | None:
    """A link leading outside the content, or nowhere, is reported and never followed."""
    if path.is_symlink() and not path.exists():  # dangling, or a loop: the file would vanish silently
        return _file_diag(path, "file-unreadable", "this file is a link to nothing (its target is missing)",
                          "replace the link with a real file")
    if not _inside(path, root):
        return _file_diag(path, "path-outside-content", "this file is a link to a place outside the content folder",
                          "replace the link with a real file inside content/")
    return None


def _entries(folder: Path, root: Path, diags: list[Diagnostic], suffixes: tuple[str, ...]) -> list[Path]:
    """Regular files of `folder`, sorted; symlinks leading outside the content are refused.

    Anything else there (a subfolder, `x.YAML`, `x.txt.bak`, a hidden `.draft.yaml`) would be
    silently left out of the site, so it gets a warning.
    """
    if not folder.is_dir():
        return []
    out = []
    # A plain file (not a link) in a folder that is inside the content is inside too: no resolve() per file.
    folder_inside = _inside(folder, root)
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = folder / entry.name
        if entry.name.startswith("."):  # never read, not even followed if it is a link
            if entry.name not in QUIET:
                diags.append(_file_diag(path, "file-ignored", f"`{entry.name}` is not read: its name starts with `.`, "
                                        "which hides it", "to publish it, rename it without the leading `.`; "
                                        "an editor's or the system's own file (.DS_Store, a .swp) can be deleted",
                                        Severity.WARNING))
            continue
        if not (folder_inside and not entry.is_symlink()) and (problem := _placement(path, root)):
            diags.append(problem)
            continue
        if entry.is_file() and path.suffix in suffixes:
            out.append(path)
        else:
            kind = "folder" if entry.is_dir() else f"`{entry.name}`"
            diags.append(_file_diag(path, "file-ignored", f"{kind} is not read: {folder.name}/ holds only "
                                    + ", ".join(f"`*{s}`" for s in suffixes) + " files",
                                    "rename it with one of those endings (lowercase), or move it out of content/",
                                    Severity.WARNING))
    return out


def _load_optional(path: Path, root: Path, diags: list[Diagnostic], required: bool,
                   load_yaml=load_yaml_file) -> Document:
    display = display_path(path)
    if problem := _placement(path, root):
        diags.append(problem)
        return Document(display, None)
    if not path.exists():
        if required:
            diags.append(_file_diag(path, "file-missing", f"{path.name} is missing",
                                    f"create {display}; see the README's content formats"))
        return Document(display, None if required else {})
    doc, found = load_yaml(path, display)
    diags.extend(found)
    return doc


def _by_id(paths: list[Path], suffixes: tuple[str, ...], diags: list[Diagnostic]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in paths:
        if path.suffix not in suffixes:
            continue
        stem = path.stem
        if not ID_RE.fullmatch(stem):
            diags.append(_file_diag(path, "id-invalid", f"file name `{path.name}` is not a valid id",
                                    "name files with lowercase ASCII letters, digits and single hyphens, "
                                    "as in `netanyahu-title.yaml`"))
            continue
        if stem in found:
            diags.append(_file_diag(path, "id-duplicate",
                                    f"id `{stem}` is also used by {display_path(found[stem])}",
                                    "rename or merge one of the two files"))
            continue
        found[stem] = path
    return found


def _unknown_page(path: Path) -> Diagnostic | None:
    """A page the site does not publish would be silently left out: a warning."""
    name, _, lang = path.stem.rpartition(".")
    if name in PAGES and lang in LANGUAGES:
        return None
    pages = ", ".join(f"`{p}`" for p in PAGES)
    if name in PAGES:
        what = f"`{lang}` is not a language of the site ({', '.join(LANGUAGES)})"
    else:
        what = f"the site publishes only the pages {pages}"
    return _file_diag(path, "file-ignored", f"`{path.name}` is not read: {what}",
                      f"name pages <page>.<language>.md, as in `about.{LANGUAGES[-1]}.md`, or move this one out of "
                      "content/", Severity.WARNING)


class Reader:
    """Reads the articles' and claims' files. `Reader(previous, unchanged)`: the live preview's, which
    knows from the file watcher which files changed since the previous corpus and reads only those
    (and new ones); a build always reads everything."""

    def __init__(self, previous: Corpus | None = None, changed: set[Path] | None = None) -> None:
        self.old: dict[str, Source] = {}
        if previous is not None and changed is not None:
            self.old = {s.path: s for s in previous.claims.values()}
            self.old.update((a.meta.path, a.meta) for a in previous.articles.values())
            self.old.update((a.text_path, a.text_source) for a in previous.articles.values() if a.text_source)
            for path in changed:
                self.old.pop(display_path(path), None)

    def __call__(self, path: Path, max_bytes: int) -> Source:
        display = display_path(path)
        return self.old.get(display) or read_source(path, display, max_bytes)


def load_corpus(root: Path, load_yaml=load_yaml_file, read: Reader | None = None) -> Corpus:
    """`load_yaml(path, display) -> (Document, diagnostics)` parses the registries; `read` reads the
    articles and claims (default: every file, now)."""
    read = read or Reader()
    root = root.resolve()
    diags: list[Diagnostic] = []
    corpus = Corpus(root, **{name: _load_optional(root / f"{name}.yaml", root, diags, required=name == "verdicts",
                                                  load_yaml=load_yaml) for name in REGISTRIES})

    article_files = _entries(root / "articles", root, diags, YAML_SUFFIXES + (".txt",))
    metas = _by_id(article_files, YAML_SUFFIXES, diags)
    texts = _by_id(article_files, (".txt",), diags)
    for aid in sorted(texts.keys() - metas.keys()):
        diags.append(_file_diag(texts[aid], "article-meta-missing", f"article text `{aid}.txt` has no metadata file",
                                f"add articles/{aid}.yaml (`python -m generator new article` writes one)"))
    for aid, meta_path in metas.items():
        meta = read(meta_path, limits.MAX_YAML_BYTES)
        text_path = meta_path.with_suffix(".txt")
        text = None
        if aid not in texts:
            diags.append(_file_diag(meta_path, "article-text-missing", f"article `{aid}` has no text file",
                                    f"save the article's verbatim text as {display_path(text_path)}"))
            corpus.articles[aid] = ArticleSource(meta, None, display_path(text_path))
            continue
        text = read(text_path, limits.MAX_TEXT_BYTES)
        if text.problem:
            diags.append(text.problem)
        corpus.articles[aid] = ArticleSource(meta, text.text, display_path(text_path), text.digest, text)

    for cid, path in _by_id(_entries(root / "claims", root, diags, YAML_SUFFIXES), YAML_SUFFIXES, diags).items():
        corpus.claims[cid] = read(path, limits.MAX_YAML_BYTES)

    for path in _entries(root / "pages", root, diags, (".md",)):
        if problem := _unknown_page(path):
            diags.append(problem)
            continue
        text, problem = read_text(path, display_path(path), limits.MAX_TEXT_BYTES)
        if problem:
            diags.append(problem)
        else:
            name, _, lang = path.stem.rpartition(".")
            corpus.pages[(name, lang)] = text
    corpus.diagnostics = diags
    return corpus
