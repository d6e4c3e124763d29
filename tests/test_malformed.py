"""Malformed content (issue 5): each case of tests/malformed/ gives its own
diagnostic, with file, line and column, exit 1 and no traceback.

The case format is described in tests/malformed/README.md.
"""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import MINIMAL, ROOT, same_file, write_tree

CORPUS = Path(__file__).parent / "malformed"
CASES = sorted(CORPUS.glob("*.yaml"))
CASE_KEYS = {"description", "outside", "files", "expect", "also"}
EXPECT_KEYS = {"code", "path", "line", "column", "message", "absent", "seconds", "severity"}


def load_case(path: Path) -> dict:
    case = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert set(case) <= CASE_KEYS and {"description", "files", "expect"} <= set(case), path
    assert set(case["expect"]) <= EXPECT_KEYS and {"code", "path", "line", "column"} <= set(case["expect"]), path
    return case


def _minimal(rel: str) -> str:
    body = MINIMAL[rel]
    return textwrap.dedent(body) if rel.endswith((".yaml", ".yml")) else body


def _repeat(spec: dict) -> str:
    return spec["repeat"] * spec["times"] + spec.get("then", "")


def _body(rel: str, spec, tmp: str):
    """What to write at `rel`: text, bytes, None (delete) or a special file (dict)."""
    if spec is None or isinstance(spec, str):
        return None if spec is None else spec.replace("@TMP@", tmp)
    if "base64" in spec:
        return base64.b64decode(spec["base64"])
    if "repeat" in spec:
        return _repeat(spec)
    if "replace" in spec or "append" in spec:
        text = _minimal(rel)
        for old, new in spec.get("replace", ()):
            assert old in text, f"{rel}: {old!r} is not in MINIMAL's file"
            text = text.replace(old, _repeat(new) if isinstance(new, dict) else new, 1)
        append = spec.get("append", "")
        return text + (_repeat(append) if isinstance(append, dict) else append).replace("@TMP@", tmp)
    return spec  # symlink, fifo: made after the tree is written


def build(tmp_path: Path, case: dict) -> Path:
    tmp = str(tmp_path)
    for rel, text in (case.get("outside") or {}).items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    bodies = {rel: _body(rel, spec, tmp) for rel, spec in case["files"].items()}
    plain = {rel: b for rel, b in bodies.items() if not isinstance(b, dict)}
    # Files given as text are written verbatim: undo write_tree's dedent by encoding them.
    content = write_tree(tmp_path, {rel: b.encode("utf-8") if isinstance(b, str) else b for rel, b in plain.items()}
                         | {rel: None for rel, b in bodies.items() if isinstance(b, dict)})
    for rel, spec in bodies.items():
        if isinstance(spec, dict):
            target = content / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() or target.is_symlink():
                target.unlink()
            if "symlink" in spec:
                os.symlink(spec["symlink"].replace("@TMP@", tmp), target)
            elif spec.get("fifo"):
                os.mkfifo(target)
            else:
                raise AssertionError(f"unknown file spec {spec}")
    return content


def run_validate(content: Path, fmt: str, seconds: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "validate", "--content", str(content),
                           "--format", fmt], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=seconds)


@pytest.mark.parametrize("case_file", CASES, ids=[p.stem for p in CASES])
def test_malformed_case(tmp_path, case_file):
    case = load_case(case_file)
    expect = case["expect"]
    content = build(tmp_path, case)
    seconds = expect.get("seconds", 30)
    severity = expect.get("severity", "error")
    status = 1 if severity == "error" else 0  # a warning alone does not fail validation

    started = time.monotonic()
    proc = run_validate(content, "json", seconds)
    assert time.monotonic() - started < seconds
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert proc.returncode == status, out
    diags = json.loads(proc.stdout)

    found = [d for d in diags if d["code"] == expect["code"]]
    assert found, f"{case['description']}\n{json.dumps(diags, ensure_ascii=False, indent=1)}"
    d = found[0]
    assert same_file(d["path"], content / expect["path"]), d
    assert (d["line"], d["column"]) == (expect["line"], expect["column"]), d
    assert d["severity"] == severity and d["message"].strip() and d["help"].strip(), d
    if "message" in expect:
        assert re.search(expect["message"], "\n".join([d["message"], *d["notes"], d["help"]])), d
    errors = {x["code"] for x in diags if x["severity"] == "error"}
    own = {expect["code"]} if severity == "error" else set()
    assert errors <= own | set(case.get("also", ())), errors  # its own code, no knock-on errors
    for absent in expect.get("absent", ()):
        assert not Path(absent.replace("@TMP@", str(tmp_path))).exists()

    # The text report, which quotes source lines from the (hostile) files, as editors see it.
    text = run_validate(content, "text", seconds)
    assert "Traceback" not in text.stdout + text.stderr, text.stdout + text.stderr
    assert text.returncode == status
    first = f":{expect['line']}:{expect['column']}: {severity}[{expect['code']}]: "
    assert first in text.stdout, text.stdout


def test_corpus_covers_issue_5():
    """Every kind of malformed input issue 5 lists has at least one case."""
    codes = {load_case(p)["expect"]["code"] for p in CASES}
    assert {"yaml-syntax", "yaml-tab", "yaml-not-mapping", "yaml-duplicate-key", "schema-type", "yaml-empty",
            "date-invalid", "translation-missing", "schema-unknown-key", "id-mismatch", "id-duplicate",
            "encoding", "yaml-tag", "yaml-too-many-nodes", "file-too-large", "id-invalid",
            "path-outside-content"} <= codes
    names = {p.stem for p in CASES}
    assert {"verdict-boolean-false", "document-is-list", "document-is-scalar", "article-ref-dotdot",
            "article-ref-absolute", "article-ref-slash", "symlink-outside", "duplicate-id-yaml-yml"} <= names


def test_corpus_covers_issue_12():
    """Every class of content that passed validation but misled (issue 12) has its case, with its own code."""
    codes = {load_case(p)["expect"]["code"] for p in CASES}
    assert {"id-reserved", "text-control-char", "text-noncharacter", "bidi-override", "bidi-unbalanced",
            "line-separator", "bidi-in-identifier", "url-userinfo", "markdown-too-deep", "file-ignored"} <= codes
    names = {p.stem for p in CASES}
    assert {"registry-key-trailing-newline", "file-name-trailing-newline", "rating-infinity",
            "control-character-escaped", "control-character-article-text", "hidden-claim-file",
            "page-unknown"} <= names


# --- accepted: a UTF-8 BOM and CRLF line endings ---------------------------------------

def _crlf_bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def test_bom_and_crlf_are_accepted(content_tree):
    content = content_tree({rel: _crlf_bom(_minimal(rel)) for rel in MINIMAL if rel.endswith(".yaml")}
                           | {"articles/report.txt": _crlf_bom(MINIMAL["articles/report.txt"])})
    proc = run_validate(content, "text", 30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all content is valid" in proc.stdout


def test_bom_and_crlf_keep_positions_and_spans(content_tree):
    """With a BOM and CRLF, line and column are still those an editor shows, and the quote's span
    is in the text with `\\n` line ends."""
    claim = _minimal("claims/toll.yaml").replace("published: 2024-04-20", "published: 2024-02-30")
    content = content_tree({"claims/toll.yaml": _crlf_bom(claim),
                            "articles/report.txt": _crlf_bom(MINIMAL["articles/report.txt"])})
    proc = run_validate(content, "json", 30)
    (d,) = json.loads(proc.stdout)
    assert (d["code"], d["line"], d["column"]) == ("date-invalid", 19, 12)

    from generator.pipeline import check

    content = content_tree({"claims/toll.yaml": _crlf_bom(_minimal("claims/toll.yaml")),
                            "articles/report.txt": _crlf_bom(MINIMAL["articles/report.txt"])})
    checked = check(content)
    excerpt = checked.content.claims["toll"].excerpts[0]
    assert excerpt.exact == "أكثر من 33,000 شخص قتلوا"
    assert checked.content.articles["report"].text == MINIMAL["articles/report.txt"]


def test_lone_cr_line_ends_count_as_lines(content_tree):
    """Old Mac line ends (CR alone): editors and YAML both break lines there, so must positions."""
    claim = _minimal("claims/toll.yaml").replace("published: 2024-04-20", "published: 2024-02-30")
    proc = run_validate(content_tree({"claims/toll.yaml": claim.replace("\n", "\r").encode()}), "json", 30)
    (d,) = json.loads(proc.stdout)
    assert (d["code"], d["line"], d["column"]) == ("date-invalid", 19, 12)


def test_long_missing_quote_in_long_article_is_bounded(content_tree):
    """A pasted 5,000-character quote that is nowhere in a 1 MB article: the closest-passage
    search stays fast (aligning the whole quote took tens of seconds)."""
    from generator.pipeline import check

    article = "وقال البيت الأبيض إن الجانبين اتفقا على هزيمة حماس في رفح. " * 9000
    quote = ("كلمة أخرى غير موجودة في هذا المقال " * 200)[:5000]
    claim = _minimal("claims/toll.yaml").replace("quote: أكثر من 33,000 شخص قتلوا", f"quote: {quote}")
    content = content_tree({"articles/report.txt": article, "claims/toll.yaml": claim})
    started = time.monotonic()
    checked = check(content)
    assert time.monotonic() - started < 10
    assert [d.code for d in checked.diagnostics] == ["quote-not-found"]
