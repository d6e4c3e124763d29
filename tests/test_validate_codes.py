"""One test per diagnostic code the validator emits (issue 2).

Each case overlays a few files on the MINIMAL tree, runs `python -m generator
validate --format json` as an editor would, and checks the code, the file, the
1-based line and column, the severity, a non-empty message and help, the exit
status (1 with errors, 0 with warnings only), and that no traceback appears.
Each case also checks that its problem is reported once, without knock-on
errors from other rules.
"""
from __future__ import annotations

import ast
import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import MINIMAL, ROOT, committed, project_copy, same_file, validate_json
from generator.load import limits

CLAIM = textwrap.dedent(MINIMAL["claims/toll.yaml"])
ARTICLE = textwrap.dedent(MINIMAL["articles/report.yaml"])
VERDICTS = textwrap.dedent(MINIMAL["verdicts.yaml"])
QUOTE = "أكثر من 33,000 شخص قتلوا"


def edit(base: str, *pairs: tuple[str, str], append: str = "", prepend: str = "") -> str:
    for old, new in pairs:
        assert old in base, old
        base = base.replace(old, new, 1)
    return prepend + base + append


def claim(*pairs, **kw) -> str:
    return edit(CLAIM, *pairs, **kw)


def quote(new: str, extra: str = "") -> str:
    """The claim with its excerpt's quote replaced (and more excerpt keys after it)."""
    return claim((f"quote: {QUOTE}", f"quote: {new}" + extra))


@dataclass(frozen=True)
class Case:
    id: str
    files: dict
    code: str
    path: str
    line: int
    column: int
    severity: str = "error"
    match: str = ""  # a regex the message, notes or help must contain
    setup: Callable[[Path], None] | None = None  # for links and the like, after the tree is written
    also: tuple[str, ...] = field(default=())  # other codes this case legitimately reports
    mkdocs: tuple[tuple[str, str], ...] = ()  # (old, new) in mkdocs.yml: run from a project copy with it
    args: tuple[str, ...] = ()  # more `validate` arguments


def _link(rel: str, target: Callable[[Path], Path]):
    def setup(content: Path) -> None:
        os.symlink(target(content), content / rel)
    return setup


def _outside(content: Path) -> Path:
    secret = content.parent / "outside.yaml"
    secret.write_text("secret: do not read\n", encoding="utf-8")
    return secret


PEOPLE = "nadia:\n  name: {ar: نادية, en: Nadia}\n  role: {ar: محررة, en: Editor}\n"
REVIEW_ON = ("review_after: 2026-11-20", "review_after: null")  # the review policy for every claim
ARCHIVE_AFTER = ("archive_after: null", "archive_after: 2024-01-01")
PAGE = "# About\n\nRead [the method](/methodology/), then [a check](/claims/nowhere/).\n"


def archive(address: str) -> str:
    """The claim with an `archive` on its source (line 17, value at column 14)."""
    return claim(("    date: 2024-04-18\n", f"    date: 2024-04-18\n    archive: {address}\n"))


def published_then(changed: str) -> Callable[[Path], None]:
    """Setup: the tree committed as published, then claims/toll.yaml changed to `changed`."""
    def setup(content: Path) -> None:
        committed(content)
        (content / "claims" / "toll.yaml").write_text(changed, encoding="utf-8")
    return setup


LAUGHS = "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 10 if p else ['lol'] * 10)}]\n"
                 for p, k in zip([None, "a", "b", "c", "d", "e", "f", "g"], "abcdefgh"))

CASES = [
    # --- YAML and files --------------------------------------------------------------
    Case("yaml-syntax", {"claims/toll.yaml": claim(("verdict: accurate", "verdict: accurate: yes"))},
         "yaml-syntax", "claims/toll.yaml", 3, 18, match="mapping values are not allowed"),
    Case("yaml-tab", {"claims/toll.yaml": claim(('  ar: "بحسب', '\tar: "بحسب'))},
         "yaml-tab", "claims/toll.yaml", 6, 1, match="tab"),
    Case("yaml-tab-inside-indent", {"claims/toll.yaml": claim(("    quote:", "  \t  quote:"))},
         "yaml-tab", "claims/toll.yaml", 10, 3),
    Case("yaml-empty", {"claims/toll.yaml": ""}, "yaml-empty", "claims/toll.yaml", 1, 1),
    Case("yaml-empty-comments-only", {"claims/toll.yaml": "# nothing yet\n\n"}, "yaml-empty", "claims/toll.yaml", 1, 1),
    Case("yaml-not-mapping-list", {"claims/toll.yaml": "# a list\n- claim\n- verdict\n"},
         "yaml-not-mapping", "claims/toll.yaml", 2, 1, match="a list"),
    Case("yaml-not-mapping-scalar", {"claims/toll.yaml": "\njust some text\n"},
         "yaml-not-mapping", "claims/toll.yaml", 2, 1, match="a single value"),
    Case("yaml-duplicate-key", {"claims/toll.yaml": claim(append="verdict: inaccurate\n")},
         "yaml-duplicate-key", "claims/toll.yaml", 20, 1, match=r"`verdict`.*first at line 3"),
    Case("yaml-tag", {"claims/toll.yaml": claim(append='note: !!python/object/apply:os.system ["true"]\n')},
         "yaml-tag", "claims/toll.yaml", 20, 7, match="python/object/apply"),
    Case("yaml-tag-top-level", {"claims/toll.yaml": '!!python/object/apply:os.system ["true"]\n'},
         "yaml-tag", "claims/toll.yaml", 1, 1),
    Case("yaml-too-many-nodes", {"claims/toll.yaml": LAUGHS}, "yaml-too-many-nodes", "claims/toll.yaml", 5, 1,
         match="20,000"),
    Case("yaml-too-deep", {"claims/toll.yaml": claim(append="x: " + "[" * 50 + "]" * 50 + "\n")},
         "yaml-too-deep", "claims/toll.yaml", 20, 44),
    Case("yaml-multi-document", {"claims/toll.yaml": claim(append="---\nclaim: again\n")},
         "yaml-multi-document", "claims/toll.yaml", 20, 1),
    Case("yaml-control-char", {"claims/toll.yaml": claim(("publisher: Ministry", "publisher: Mini\x07stry"))},
         "yaml-control-char", "claims/toll.yaml", 15, 20, match="#x0007"),
    Case("yaml-control-char-after-arabic", {"claims/toll.yaml": claim(("claimant: {ar: التقرير", "claimant: {ar: التق\x00رير"))},
         "yaml-control-char", "claims/toll.yaml", 2, 20),
    Case("yaml-complex-key", {"claims/toll.yaml": claim(append="? [a, b]\n: c\n")},
         "yaml-complex-key", "claims/toll.yaml", 20, 3),
    Case("yaml-merge-key", {"claims/toll.yaml": claim(append="<<: {verdict: accurate}\n")},
         "yaml-complex-key", "claims/toll.yaml", 20, 1),
    Case("encoding", {"claims/toll.yaml": claim().encode().replace(b"Ministry", b"Min\xe9stry")},
         "encoding", "claims/toll.yaml", 15, 19,
         match=rf"byte offset {claim().encode().index(b'Ministry') + 3}\b.*0xe9"),
    Case("file-too-large", {"claims/toll.yaml": claim(append="# " + "x" * limits.MAX_YAML_BYTES + "\n")},
         "file-too-large", "claims/toll.yaml", 1, 1, match=f"{limits.MAX_YAML_BYTES:,}"),
    Case("file-too-large-text", {"articles/report.txt": "نص " * (limits.MAX_TEXT_BYTES // 5 + 1)},
         "file-too-large", "articles/report.txt", 1, 1, match=f"{limits.MAX_TEXT_BYTES:,}"),
    Case("file-missing", {"verdicts.yaml": None}, "file-missing", "verdicts.yaml", 1, 1),
    Case("file-unreadable-directory", {"verdicts.yaml": None, "verdicts.yaml/oops.txt": "x"},
         "file-unreadable", "verdicts.yaml", 1, 1, match="not a regular file"),
    Case("file-unreadable-dangling-link", {}, "file-unreadable", "claims/gone.yaml", 1, 1,
         setup=_link("claims/gone.yaml", lambda c: c / "claims" / "nowhere.yaml"), match="link"),
    Case("file-unreadable-link-loop", {}, "file-unreadable", "claims/loop.yaml", 1, 1,
         setup=_link("claims/loop.yaml", lambda c: c / "claims" / "loop.yaml")),
    Case("path-outside-content", {}, "path-outside-content", "claims/evil.yaml", 1, 1,
         setup=_link("claims/evil.yaml", _outside)),
    Case("path-outside-content-verdicts", {"verdicts.yaml": None}, "path-outside-content", "verdicts.yaml", 1, 1,
         setup=_link("verdicts.yaml", _outside)),
    # --- ids -------------------------------------------------------------------------
    Case("id-invalid-file-name", {"claims/Toll_2.yaml": CLAIM}, "id-invalid", "claims/Toll_2.yaml", 1, 1),
    Case("id-invalid-reference", {"claims/toll.yaml": claim(("article: report", "article: ../report"))},
         "id-invalid", "claims/toll.yaml", 9, 14, match=r"\.\./report"),
    Case("id-invalid-key", {"topics.yaml": "Death_Toll:\n  label: {ar: حصيلة, en: Toll}\n",
                            "claims/toll.yaml": claim(("topic: death-toll\n", ""))},
         "id-invalid", "topics.yaml", 1, 1),
    Case("id-duplicate", {"claims/toll.yml": CLAIM}, "id-duplicate", "claims/toll.yml", 1, 1, match="toll.yaml"),
    Case("id-mismatch", {"claims/toll.yaml": claim(prepend="id: other\n")}, "id-mismatch", "claims/toll.yaml", 1, 5),
    Case("id-mismatch-article", {"articles/report.yaml": edit(ARTICLE, prepend="id: rapport\n")},
         "id-mismatch", "articles/report.yaml", 1, 5),
    Case("id-reserved-claim", {"claims/toll.yaml": None, "claims/page.yaml": CLAIM},
         "id-reserved", "claims/page.yaml", 1, 1, match="page/2"),
    Case("id-reserved-article", {"articles/report.yaml": None, "articles/report.txt": None,
                                 "articles/index.yaml": ARTICLE, "articles/index.txt": MINIMAL["articles/report.txt"],
                                 "claims/toll.yaml": claim(("article: report", "article: index"))},
         "id-reserved", "articles/index.yaml", 1, 1),
    Case("id-reserved-tag", {"tags.yaml": "rafah:\n  label: {ar: رفح, en: Rafah}\npage:\n  label: {ar: ص, en: P}\n"},
         "id-reserved", "tags.yaml", 3, 1, match="`page` cannot be a tag id"),
    Case("id-reserved-topic", {"topics.yaml": "index:\n  label: {ar: حصيلة, en: Toll}\n",
                               "claims/toll.yaml": claim(("topic: death-toll", "topic: index"))},
         "id-reserved", "topics.yaml", 1, 1),
    Case("id-reserved-verdict", {"verdicts.yaml": edit(VERDICTS, ("inaccurate:", "page:"))},
         "id-reserved", "verdicts.yaml", 6, 1),
    Case("article-meta-missing", {"articles/orphan.txt": "نص\n"}, "article-meta-missing", "articles/orphan.txt", 1, 1),
    Case("article-text-missing", {"articles/report.txt": None}, "article-text-missing", "articles/report.yaml", 1, 1),
    # --- schema ----------------------------------------------------------------------
    Case("schema-required", {"claims/toll.yaml": claim(("conclusion: {ar: الرقم صحيح., en: The figure is right.}\n", ""))},
         "schema-required", "claims/toll.yaml", 1, 1, match="`conclusion`"),
    Case("schema-required-nested", {"claims/toll.yaml": claim(("    publisher: Ministry\n", ""))},
         "schema-required", "claims/toll.yaml", 13, 5, match="`publisher`"),
    Case("schema-unknown-key", {"claims/toll.yaml": claim(append="verdikt: accurate\n")},
         "schema-unknown-key", "claims/toll.yaml", 20, 1, match="did you mean `verdict`"),
    Case("schema-type-number-for-text", {"claims/toll.yaml": claim(("en: The report}", "en: 42}"))},
         "schema-type", "claims/toll.yaml", 2, 29, match='"42"'),
    Case("schema-type-list-for-mapping", {"claims/toll.yaml": claim(("claimant: {ar: التقرير, en: The report}",
                                                                     "claimant: [التقرير, The report]"))},
         "schema-type", "claims/toll.yaml", 2, 11, match="a list"),
    Case("schema-type-bool-verdict", {"claims/toll.yaml": claim(("verdict: accurate", "verdict: false"))},
         "schema-type", "claims/toll.yaml", 3, 10, match=r'quotes.*"false"'),
    Case("schema-type-integer", {"verdicts.yaml": edit(VERDICTS, ("rating: 1", "rating: 1.5"))},
         "schema-type", "verdicts.yaml", 9, 11, match="whole number"),
    Case("schema-empty", {"claims/toll.yaml": claim(("quote: أكثر", "quote: ''\n    x: أكثر"))},
         "schema-empty", "claims/toll.yaml", 10, 12, also=("schema-unknown-key",)),
    Case("schema-empty-list", {"claims/toll.yaml": claim(("tags: [rafah]", "tags: [rafah]\nrelated: []"),
                                                         append="excerpts: []\n")},
         "yaml-duplicate-key", "claims/toll.yaml", 21, 1),
    Case("schema-min-items", {"claims/toll.yaml": claim(
        ("sources:\n  - url: https://example.org/toll\n    title: Toll\n    publisher: Ministry\n    date: 2024-04-18\n",
         "sources: []\n"))}, "schema-empty", "claims/toll.yaml", 12, 10, match="at least one"),
    Case("schema-enum", {"articles/report.yaml": edit(ARTICLE, ("language: ar", "language: fr"))},
         "schema-enum", "articles/report.yaml", 4, 11, match="`fr`"),
    Case("schema-duplicate-item", {"claims/toll.yaml": claim(("tags: [rafah]", "tags: [rafah, rafah]"))},
         "schema-duplicate-item", "claims/toll.yaml", 18, 7),
    Case("schema-pattern", {"verdicts.yaml": edit(VERDICTS, ('color: "#1b7f3b"', "color: green"))},
         "schema-pattern", "verdicts.yaml", 5, 10, match="#rrggbb"),
    # --- translations, dates, URLs -----------------------------------------------------
    Case("translation-missing-field", {"claims/toll.yaml": claim(("{ar: التقرير, en: The report}", "{ar: التقرير}"))},
         "translation-missing", "claims/toll.yaml", 2, 1, match="English"),
    Case("translation-missing-excerpt", {"claims/toll.yaml": claim(
        ('    translation: {en: "more than 33,000 people were killed"}\n', ""))},
        "translation-missing", "claims/toll.yaml", 10, 5, match="English translation"),
    Case("translation-unneeded", {"claims/toll.yaml": claim(('translation: {en:', 'translation: {ar: نص, en:'))},
         "translation-unneeded", "claims/toll.yaml", 11, 19, severity="warning"),
    Case("date-invalid", {"claims/toll.yaml": claim(("published: 2024-04-20", "published: 2024-02-30"))},
         "date-invalid", "claims/toll.yaml", 19, 12, match="not a calendar date"),
    Case("date-invalid-form", {"claims/toll.yaml": claim(("date: 2024-04-18", "date: 18/04/2024"))},
         "date-invalid", "claims/toll.yaml", 16, 11, match="YYYY-MM-DD"),
    Case("date-invalid-article", {"articles/report.yaml": edit(ARTICLE, ("2024-04-18", "2023-02-29"))},
         "date-invalid", "articles/report.yaml", 3, 12),
    Case("date-order", {"claims/toll.yaml": claim(append="updated: 2024-01-01\n")},
         "date-order", "claims/toll.yaml", 20, 10),
    Case("url-invalid", {"claims/toll.yaml": claim(("url: https://example.org/toll", "url: javascript:alert(1)"))},
         "url-invalid", "claims/toll.yaml", 13, 10, match="javascript"),
    Case("url-invalid-article", {"articles/report.yaml": edit(ARTICLE, ("https://example.com/report", "example.com"))},
         "url-invalid", "articles/report.yaml", 5, 6),
    Case("url-invalid-explanation-link", {"claims/toll.yaml": claim(("(https://example.org/toll).\"\n  en",
                                                                     "(data:text/html,x).\"\n  en"))},
         "url-invalid", "claims/toll.yaml", 6, 7, match="data"),
    Case("url-invalid-bracket-link", {"claims/toll.yaml": claim(("(https://example.org/toll).\"\n  en",
                                                                 "(https://[example.org/toll).\"\n  en"))},
         "url-invalid", "claims/toll.yaml", 6, 7, match="cannot be read as an address"),  # found by Hypothesis
    Case("url-invalid-bracket-source", {"claims/toll.yaml": claim(("url: https://example.org/toll",
                                                                   "url: https://[example.org/toll"))},
         "url-invalid", "claims/toll.yaml", 13, 10, match="cannot be read as an address"),
    Case("url-invalid-backslash", {"claims/toll.yaml": claim(("url: https://example.org/toll",
                                                              "url: https://evil.example\\@example.org/toll"))},
         "url-invalid", "claims/toll.yaml", 13, 10, match="backslash"),
    Case("url-userinfo", {"claims/toll.yaml": claim(("url: https://example.org/toll",
                                                     "url: https://example.org@evil.example/toll"))},
         "url-userinfo", "claims/toll.yaml", 13, 10, match="leads to `evil.example`"),
    Case("url-userinfo-explanation-link",
         {"claims/toll.yaml": claim(("(https://example.org/toll).\"\n  en", "(https://a.org:x@evil.example/).\"\n  en"))},
         "url-userinfo", "claims/toll.yaml", 6, 7, match="leads to `evil.example`"),
    # --- characters --------------------------------------------------------------------
    Case("text-control-char", {"claims/toll.yaml": claim(("publisher: Ministry", 'publisher: "Mini\\u001bstry"'))},
         "text-control-char", "claims/toll.yaml", 15, 16, match=r"U\+001B.*Mini\\x1bstry"),
    Case("text-control-char-nel", {"claims/toll.yaml": claim(("title: Toll", 'title: "To\\Nll"'))},
         "text-control-char", "claims/toll.yaml", 14, 12, match=r"U\+0085"),
    Case("text-control-char-key", {"claims/toll.yaml": claim(append='"note\\x07": x\n')},
         "text-control-char", "claims/toll.yaml", 20, 1, match=r"key `note\\x07`"),
    Case("text-control-char-article-text",
         {"articles/report.txt": MINIMAL["articles/report.txt"].replace("وأعرب", "وأع\x0crب", 1)},
         "text-control-char", "articles/report.txt", 2, 4, match=r"U\+000C"),
    Case("text-noncharacter",
         {"claims/toll.yaml": claim(("en: The figure is right.}", 'en: "The figure\\uFDD0 is right."}'))},
         "text-noncharacter", "claims/toll.yaml", 4, 35, match=r"U\+FDD0"),
    Case("text-noncharacter-plane-16", {"claims/toll.yaml": claim(("title: Toll", 'title: "Toll\\U0010FFFF"'))},
         "text-noncharacter", "claims/toll.yaml", 14, 12, match=r"U\+10FFFF"),
    Case("bidi-override", {"claims/toll.yaml": claim(("title: Toll", 'title: "Toll \\u202egpj.exe"'))},
         "bidi-override", "claims/toll.yaml", 14, 12, match=r"U\+202E \(RIGHT-TO-LEFT OVERRIDE\)"),
    Case("bidi-override-character-reference", {"claims/toll.yaml": claim(("According to", "According &#x202E;to"))},
         "bidi-override", "claims/toll.yaml", 7, 7, match="written `&#x202E;`"),
    Case("bidi-unbalanced", {"claims/toll.yaml": claim(("claimant: {ar: التقرير", 'claimant: {ar: "\\u2067التقرير"'))},
         "bidi-unbalanced", "claims/toll.yaml", 2, 16, match=r"U\+2067.*not closed by U\+2069"),
    Case("bidi-unbalanced-stray-pdi-page", {"pages/about.ar.md": "# عن الموقع\nنص \u2069هنا\n"},
         "bidi-unbalanced", "pages/about.ar.md", 2, 4, match="nothing open to close"),
    Case("line-separator", {"claims/toll.yaml": claim(("en: The figure is right.}", 'en: "The figure\\Lis right."}'))},
         "line-separator", "claims/toll.yaml", 4, 35, match=r"U\+2028"),
    Case("bidi-in-identifier", {"claims/toll.yaml": claim(("topic: death-toll", 'topic: "death-toll\\u200f"'))},
         "bidi-in-identifier", "claims/toll.yaml", 17, 8, match=r"U\+200F \(RIGHT-TO-LEFT MARK\)"),
    Case("bidi-in-identifier-url", {"claims/toll.yaml": claim(("url: https://example.org/toll",
                                                               'url: "https://example.org/\\u202egpj.exe"'))},
         "bidi-in-identifier", "claims/toll.yaml", 13, 10),
    Case("bidi-in-identifier-key",
         {"tags.yaml": 'rafah:\n  label: {ar: رفح, en: Rafah}\n"gaza\\u2066":\n  label: {ar: غزة, en: Gaza}\n'},
         "bidi-in-identifier", "tags.yaml", 3, 1, match=r"key `gaza\\u2066`"),
    Case("bidi-in-identifier-link", {"claims/toll.yaml": claim(("(https://example.org/toll).\"\n  en",
                                                                "(https://example.org/\\u200ftoll).\"\n  en"))},
         "bidi-in-identifier", "claims/toll.yaml", 6, 7, match="a link in `explanation.ar`"),
    Case("markdown-too-deep", {"claims/toll.yaml": claim(('en: "According', 'en: "' + "> " * 20 + 'According'))},
         "markdown-too-deep", "claims/toll.yaml", 7, 7, match=f"more than {limits.MAX_MARKDOWN_DEPTH} levels"),
    Case("markdown-too-deep-page", {"pages/about.en.md": "# About\n\n" + "- " * 10 + "text\n"},
         "markdown-too-deep", "pages/about.en.md", 3, 1),
    # --- references ------------------------------------------------------------------
    Case("ref-verdict", {"claims/toll.yaml": claim(("verdict: accurate", "verdict: acurate"))},
         "ref-verdict", "claims/toll.yaml", 3, 10, match="did you mean `accurate`"),
    Case("ref-topic", {"claims/toll.yaml": claim(("topic: death-toll", "topic: deaths"))},
         "ref-topic", "claims/toll.yaml", 17, 8),
    Case("ref-tag", {"claims/toll.yaml": claim(("tags: [rafah]", "tags: [rafa]"))},
         "ref-tag", "claims/toll.yaml", 18, 8, match="did you mean `rafah`"),
    Case("ref-related", {"claims/toll.yaml": claim(append="related: [elsewhere]\n")},
         "ref-related", "claims/toll.yaml", 20, 11, match="`elsewhere`"),
    Case("ref-related-self", {"claims/toll.yaml": claim(append="related:\n  - toll\n")},
         "ref-related", "claims/toll.yaml", 21, 5, match="itself"),
    Case("ref-article", {"claims/toll.yaml": claim(("article: report", "article: reprot"))},
         "ref-article", "claims/toll.yaml", 9, 14, match="did you mean `report`"),
    # --- quotes ----------------------------------------------------------------------
    Case("quote-not-found", {"claims/toll.yaml": quote("أكثر من 33,000 رجل قتلوا")},
         "quote-not-found", "claims/toll.yaml", 10, 5,
         match=r"closest passage, line 3 of \S*report\.txt \(\d+% similar\).*«أكثر من 33,000 شخص قتلوا»"),
    Case("quote-normalized", {"claims/toll.yaml": quote("أَكْثَرُ مِنْ 33,000 شَخْصٍ قُتِلُوا")},
         "quote-normalized", "claims/toll.yaml", 10, 5, severity="warning", match="«أكثر من 33,000 شخص قتلوا»"),
    Case("quote-ambiguous", {"claims/toll.yaml": quote("وأعرب المشاركون الأمريكيون عن قلقهم")},
         "quote-ambiguous", "claims/toll.yaml", 10, 5, match="2 times.*prefix"),
    Case("quote-context-mismatch", {"claims/toll.yaml": quote("وأعرب المشاركون", "\n    prefix: لا يوجد")},
         "quote-context-mismatch", "claims/toll.yaml", 11, 13, match="prefix"),
    Case("quote-context-mismatch-suffix", {"claims/toll.yaml": quote(QUOTE, "\n    suffix: غدا")},
         "quote-context-mismatch", "claims/toll.yaml", 11, 13, match="suffix"),
    # --- the desk: people, drafts, policies, archives, corrections, page links ----------
    Case("ref-person", {"people.yaml": PEOPLE, "claims/toll.yaml": claim(append="reviewer: nadya\n")},
         "ref-person", "claims/toll.yaml", 20, 11, match="did you mean `nadia`"),
    Case("ref-person-author", {"claims/toll.yaml": claim(append="author: nadia\n")},
         "ref-person", "claims/toll.yaml", 20, 9, match="people.yaml"),
    Case("related-unpublished", {"claims/draft.yaml": claim(prepend="status: draft\n"),
                                 "claims/toll.yaml": claim(append="related: [draft]\n")},
         "related-unpublished", "claims/toll.yaml", 20, 11, match="`draft` is a draft"),
    Case("review-missing", {"people.yaml": PEOPLE, "claims/toll.yaml": claim(append="author: nadia\n")},
         "review-missing", "claims/toll.yaml", 1, 1, mkdocs=(REVIEW_ON,), match="status: review"),
    Case("review-self", {"people.yaml": PEOPLE, "claims/toll.yaml": claim(append="author: nadia\nreviewer: nadia\n")},
         "review-self", "claims/toll.yaml", 21, 11, mkdocs=(REVIEW_ON,)),
    Case("archive-host", {"claims/toll.yaml": archive("https://archive.example/abc")},
         "archive-host", "claims/toll.yaml", 17, 14, match="web.archive.org"),
    Case("archive-invalid", {"claims/toll.yaml": archive("https://web.archive.org/web/https://example.org/toll")},
         "archive-invalid", "claims/toll.yaml", 17, 14, match="14-digit"),
    Case("archive-invalid-home", {"claims/toll.yaml": archive("https://perma.cc/")},
         "archive-invalid", "claims/toll.yaml", 17, 14, match="home page"),
    Case("archive-mismatch", {"claims/toll.yaml": archive("https://web.archive.org/web/20240418000000/https://example.org/x")},
         "archive-mismatch", "claims/toll.yaml", 17, 14,
         match="20240418000000/https://example.org/toll"),
    Case("archive-missing", {}, "archive-missing", "claims/toll.yaml", 13, 5, mkdocs=(ARCHIVE_AFTER,),
         match="python -m generator archive"),
    Case("correction-missing", {}, "correction-missing", "claims/toll.yaml", 3, 10,
         setup=published_then(claim(("verdict: accurate", "verdict: inaccurate"))), args=("--against", "HEAD"),
         match="from `accurate` to `inaccurate`"),
    Case("correction-updated", {}, "correction-updated", "claims/toll.yaml", 23, 10,
         setup=published_then(claim(("en: The figure is right.}", "en: The figure is wrong.}"),
                                    append="corrections:\n  - date: 2024-05-01\n    note: {ar: صُحّح., en: Fixed.}\n"
                                           "updated: 2024-04-30\n")),
         args=("--against", "HEAD"), match="`conclusion` \\(en\\) changed"),
    Case("link-unknown-page", {"pages/about.en.md": PAGE}, "link-unknown-page", "pages/about.en.md", 3,
         PAGE.splitlines()[2].index("/claims/nowhere/") + 1, match="no page `/claims/nowhere/`"),
    Case("url-invalid-page-link", {"pages/about.en.md": "# About\n\nSee [the method](methodology.md).\n"},
         "url-invalid", "pages/about.en.md", 3, 18, match="written from its root"),
    # --- placeholders and pages --------------------------------------------------------
    Case("todo-placeholder", {"claims/toll.yaml": claim(("en: The figure is right.}", 'en: "TODO: the conclusion"}'))},
         "todo-placeholder", "claims/toll.yaml", 4, 35, match="TODO: the conclusion"),
    Case("page-missing", {"pages/about.ar.md": None}, "page-missing", "pages/about.ar.md", 1, 1, severity="warning"),
    Case("file-ignored", {"claims/upper.YAML": "claim: x\n"}, "file-ignored", "claims/upper.YAML", 1, 1,
         severity="warning"),
    Case("file-ignored-hidden-article", {"articles/.report.yaml.swp": "x", "articles/.gitkeep": ""},
         "file-ignored", "articles/.report.yaml.swp", 1, 1, severity="warning", match="starts with `.`"),
    Case("file-ignored-page-language", {"pages/about.fr.md": "# À propos\n"}, "file-ignored", "pages/about.fr.md", 1, 1,
         severity="warning", match="`fr` is not a language"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_diagnostic_code(content_tree, tmp_path, case: Case):
    content = content_tree(case.files)
    if case.setup:
        case.setup(content)
    project = project_copy(tmp_path, case.mkdocs) if case.mkdocs else ROOT
    proc, diags = validate_json(content, *case.args, cwd=project)
    found = [d for d in diags if d["code"] == case.code]
    assert found, diags
    d = found[0]
    assert same_file(d["path"], content / case.path, project), d
    assert (d["line"], d["column"]) == (case.line, case.column), d
    assert d["severity"] == case.severity
    assert d["message"].strip() and d["help"].strip()
    if case.match:
        assert re.search(case.match, "\n".join([d["message"], *d["notes"], d["help"]]), re.S), d
    errors = [x["code"] for x in diags if x["severity"] == "error"]
    if case.severity == "error":
        assert proc.returncode == 1
        assert set(errors) <= {case.code, *case.also}, errors  # no knock-on errors
        assert len(found) == 1, found  # reported once
    else:
        assert proc.returncode == 0 and not errors, diags


# --- quotes: matches, spans and fixes ---------------------------------------------------

def test_quote_with_tatweel_matches_exactly(content_tree):
    """Tatweel (kashida) is SAFE-tier: the quote matches with no warning, both ways round."""
    proc, diags = validate_json(content_tree({"claims/toll.yaml": quote("أكثـــر من 33,000 شـخـص قتلوا")}))
    assert (proc.returncode, diags) == (0, [])
    text = MINIMAL["articles/report.txt"].replace("شخص", "شـــخص")
    proc, diags = validate_json(content_tree({"articles/report.txt": text}))
    assert (proc.returncode, diags) == (0, [])


def _span(content: Path) -> str:
    from generator.pipeline import check

    checked = check(content)
    assert checked.content is not None, checked.diagnostics
    return checked.content.claims["toll"].excerpts[0].exact


def test_quote_with_diacritics_matches_with_warning_and_records_the_span(content_tree):
    content = content_tree({"claims/toll.yaml": quote("أَكْثَرُ من 33,000 شخص قتلوا")})
    proc, diags = validate_json(content)
    assert proc.returncode == 0
    assert [d["code"] for d in diags] == ["quote-normalized"]
    assert _span(content) == QUOTE


def test_quote_dropping_a_diacritic_at_its_end_warns(content_tree):
    """The article has كتبَ; a quote ending in كتب is not exact: it cuts the letter from its mark."""
    text = MINIMAL["articles/report.txt"] + "وقال إنه كتبَ الرسالة.\n"
    content = content_tree({"articles/report.txt": text, "claims/toll.yaml": quote("وقال إنه كتب")})
    proc, diags = validate_json(content)
    assert proc.returncode == 0 and [d["code"] for d in diags] == ["quote-normalized"]
    assert _span(content) == "وقال إنه كتبَ"


AMBIGUOUS = "وأعرب المشاركون الأمريكيون عن قلقهم"
LINE2 = MINIMAL["articles/report.txt"].splitlines()[1]


@pytest.mark.parametrize("extra, occurrence", [
    ("\n    prefix: هزيمة حماس في رفح.", 0),
    ("\n    suffix: مرة أخرى", 1),
    ("\n    prefix: قلقهم.\n    suffix: مرة", 1),
])
def test_ambiguous_quote_made_unique_by_prefix_or_suffix(content_tree, extra, occurrence):
    content = content_tree({"claims/toll.yaml": quote(AMBIGUOUS, extra)})
    proc, diags = validate_json(content)
    assert (proc.returncode, diags) == (0, [])
    from generator.pipeline import check

    checked = check(content)
    excerpt = checked.content.claims["toll"].excerpts[0]
    line_start = MINIMAL["articles/report.txt"].index(LINE2)
    expected = line_start + [m.start() for m in re.finditer(AMBIGUOUS, LINE2)][occurrence]
    assert (excerpt.start, excerpt.end) == (expected, expected + len(AMBIGUOUS))


@pytest.mark.parametrize("extra, key, line", [
    ("\n    prefix: هزيمة حماس في رفح.\n    suffix: غدا", "suffix", 12),  # the prefix is right
    ("\n    prefix: قلقهم.\n    suffix: غدا", "suffix", 12),
    ("\n    prefix: غدا\n    suffix: مرة أخرى", "prefix", 11),
])
def test_context_mismatch_blames_the_selector_at_fault(content_tree, extra, key, line):
    proc, diags = validate_json(content_tree({"claims/toll.yaml": quote("وأعرب المشاركون", extra)}))
    (d,) = diags
    assert (d["code"], d["line"], d["column"]) == ("quote-context-mismatch", line, 13)
    assert f"this {key}" in d["message"]


def test_prefix_with_diacritics_matches_with_warning(content_tree):
    content = content_tree({"claims/toll.yaml": quote(AMBIGUOUS, "\n    prefix: هَزِيمَة حَمَاس في رَفَح.")})
    proc, diags = validate_json(content)
    assert proc.returncode == 0 and [d["code"] for d in diags] == ["quote-normalized"]
    assert _span(content) == AMBIGUOUS


def test_ambiguous_quote_lists_the_occurrences(content_tree):
    proc, diags = validate_json(content_tree({"claims/toll.yaml": quote(AMBIGUOUS)}))
    (d,) = diags
    assert len(d["notes"]) == 2 and all(n.startswith("line 2:") for n in d["notes"])


def test_quote_with_one_changed_word_names_the_closest_passage(content_tree):
    proc, diags = validate_json(content_tree({"claims/toll.yaml": quote("ويقول مسؤولو التعليم إن أكثر من 33,000")}))
    assert proc.returncode == 1
    (d,) = diags
    assert d["code"] == "quote-not-found"
    head, passage = d["notes"]
    similarity = int(re.search(r"line 3 of \S*report\.txt \((\d+)% similar\)", head).group(1))
    assert 70 <= similarity < 100
    assert "ويقول مسؤولو الصحة إن أكثر من 33,000" in passage


def test_quote_never_folds_alef_hamza_or_ta_marbuta(content_tree):
    """إ→ا, ة→ه change meaning: no match, only a suggestion."""
    proc, diags = validate_json(content_tree({"claims/toll.yaml": quote("ويقول مسؤولو الصحه ان أكثر")}))
    assert [d["code"] for d in diags] == ["quote-not-found"]
    assert "ويقول مسؤولو الصحة إن أكثر" in diags[0]["notes"][1]


# --- output formats, exit codes, several problems ------------------------------------

def test_text_format_reads_like_a_compiler(content_tree):
    from conftest import run_cli

    content = content_tree({"claims/toll.yaml": claim(("verdict: accurate", "verdict: acurate"))})
    proc = run_cli("validate", "--content", content)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if "error[ref-verdict]" in line)
    assert re.fullmatch(r"\S+claims/toll\.yaml:3:10: error\[ref-verdict\]: unknown verdict `acurate`", lines[first])
    assert lines[first + 1].strip() == "3 | verdict: acurate"
    assert lines[first + 2] == " " * lines[first + 1].index("acurate") + "^"
    assert lines[first + 3] == "  help: did you mean `accurate`?"
    assert lines[-1] == "1 error(s), 0 warning(s)"


def test_json_format_is_a_list_of_diagnostics(content_tree):
    proc, diags = validate_json(content_tree({"claims/toll.yaml": claim(("verdict: accurate", "verdict: acurate"))}))
    (d,) = diags
    assert {"path", "line", "column", "severity", "code", "message", "help"} <= set(d)
    assert isinstance(d["line"], int) and isinstance(d["column"], int)


def test_json_format_of_valid_content_is_an_empty_list(content_tree):
    from conftest import run_cli

    proc = run_cli("validate", "--content", content_tree(), "--format", "json")
    assert (proc.returncode, proc.stdout.strip()) == (0, "[]")


def test_github_format_annotates(content_tree):
    from conftest import run_cli

    content = content_tree({"claims/toll.yaml": claim(("verdict: accurate", "verdict: acurate")),
                            "pages/about.ar.md": None})
    proc = run_cli("validate", "--content", content, "--format", "github")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert any(re.fullmatch(r"::error file=\S+claims/toll\.yaml,line=3,col=10,title=ref-verdict::"
                            r"unknown verdict `acurate`%0Ahelp: did you mean `accurate`\?", x) for x in lines), lines
    assert any(re.fullmatch(r"::warning file=\S+pages/about\.ar\.md,line=1,col=1,title=page-missing::.+", x)
               for x in lines), lines


def test_exit_2_for_a_missing_content_folder(tmp_path):
    from conftest import run_cli

    proc = run_cli("validate", "--content", tmp_path / "nowhere")
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [("--format", "xml"), ("--bogus",), ()])
def test_exit_2_for_a_bad_option(content_tree, args):
    from conftest import run_cli

    proc = run_cli("validate", "--content", content_tree(), *args) if args else run_cli("--content", "x")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr and "Traceback" not in proc.stderr


def test_several_independent_errors_are_all_reported(content_tree):
    content = content_tree({
        "claims/toll.yaml": claim(("verdict: accurate", "verdict: acurate"),
                                  ("published: 2024-04-20", "published: 2024-02-30"),
                                  ("url: https://example.org/toll", "url: ftp://example.org/toll"),
                                  ("en: The report}", "en: 42}")),
        "claims/other.yaml": "claim: [unclosed\n",
        "articles/report.yaml": edit(ARTICLE, ("language: ar", "language: fr")),
        "pages/about.en.md": None,
    })
    proc, diags = validate_json(content)
    assert proc.returncode == 1
    got = {(Path(d["path"]).name, d["code"], d["line"]) for d in diags}
    assert got >= {("toll.yaml", "ref-verdict", 3), ("toll.yaml", "date-invalid", 19),
                   ("toll.yaml", "url-invalid", 13), ("toll.yaml", "schema-type", 2),
                   ("other.yaml", "yaml-syntax", 2), ("report.yaml", "schema-enum", 4),
                   ("about.en.md", "page-missing", 1)}, got


def test_diagnostics_are_sorted_by_file_and_position(content_tree):
    proc, diags = validate_json(content_tree({"claims/toll.yaml": claim(
        ("verdict: accurate", "verdict: acurate"), ("published: 2024-04-20", "published: 2024-02-30"))}))
    keys = [(d["path"], d["line"], d["column"]) for d in diags]
    assert keys == sorted(keys) and len(keys) == 2


# --- every code has a case ------------------------------------------------------------

_EMITTERS = {"Diagnostic": 4, "diag": 1, "_file_diag": 1, "_Reject": 1, "QuoteProblem": 1}


def _emitted_codes() -> set[str]:
    """Codes passed to a diagnostic constructor anywhere in the loader and the validator."""
    codes = set()
    roots = [ROOT / "generator" / "load", ROOT / "generator" / "validate"]
    for path in [p for r in roots for p in r.rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in _EMITTERS:
                continue
            args = list(node.args) + [k.value for k in node.keywords if k.arg == "code"]
            at = _EMITTERS[name]
            candidates = args[at:at + 1] + [k.value for k in node.keywords if k.arg == "code"]
            for arg in candidates:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    codes.add(arg.value)
                elif isinstance(arg, ast.IfExp):
                    codes |= {a.value for a in (arg.body, arg.orelse) if isinstance(a, ast.Constant)}
    return codes


def test_schema_fallback_for_other_keywords():
    """Keywords the schemas do not use yet still give a positioned diagnostic (code `schema`)."""
    from jsonschema import Draft202012Validator

    from generator.load.yaml_source import parse_yaml
    from generator.validate.rules.schema import _diagnostics

    doc, _ = parse_yaml("rating: 7\n", "x.yaml")
    (err,) = Draft202012Validator({"properties": {"rating": {"maximum": 5}}}).iter_errors(doc.data)
    (d,) = _diagnostics(doc, err)
    assert (d.code, d.line, d.column) == ("schema", 1, 9) and d.message and d.help


UNIT_TESTED = {"schema"}  # not reachable with the shipped schemas: see the test above


def test_every_code_has_a_case():
    covered = {c.code for c in CASES} | UNIT_TESTED
    # `ref-{what}` is built from the kind of reference (the f-string hides these four), `ref-person` passed on.
    emitted = _emitted_codes() | {"ref-verdict", "ref-topic", "ref-tag", "ref-article", "ref-person"}
    assert {"yaml-syntax", "encoding", "quote-not-found", "id-invalid"} <= emitted  # the scan works
    missing = emitted - covered
    assert not missing, f"codes without a test case: {sorted(missing)}"
