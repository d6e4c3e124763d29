"""`python -m generator fmt`: one canonical style, comments kept, data unchanged, idempotent."""
from __future__ import annotations

import io
import re
import textwrap
import stat
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import MINIMAL, run_cli
from generator.cli import main
from generator.edit.progress import Progress
from generator.edit.style import Unsafe, canonical

MESSY = """\
# yaml-language-server: $schema=../../generator/schemas/claim.schema.json
# Drafted by the desk; checked twice.
verdict: accurate   # agreed with the editor
claimant: {en: The report, ar: التقرير}
claim:
    en: "More than 33,000 people were killed."
    ar: قتل أكثر من 33 ألف شخص.
# the evidence
explanation:
  en: >
    According to
    [the ministry](https://example.org/toll).
  ar: "بحسب [وزارة الصحة](https://example.org/toll)."
conclusion: {ar: الرقم صحيح., en: The figure is right.}
excerpts:
- quote: أكثر من 33,000 شخص قتلوا
  translation: {en: 'more than 33,000 people were killed'}
  article: report  # content/articles/report.txt
sources:
- publisher: Ministry
  # the ministry's own page
  url: https://example.org/toll
  title: Toll
  date: 2024-04-18
tags: [rafah]
published: 2024-04-20
# end of claim
"""

CANONICAL = """\
# yaml-language-server: $schema=../../generator/schemas/claim.schema.json
# Drafted by the desk; checked twice.
claim:
  ar: قتل أكثر من 33 ألف شخص.
  en: More than 33,000 people were killed.
claimant:
  ar: التقرير
  en: The report
verdict: accurate  # agreed with the editor
conclusion:
  ar: الرقم صحيح.
  en: The figure is right.
# the evidence
explanation:
  ar: بحسب [وزارة الصحة](https://example.org/toll).
  en: |
    According to [the ministry](https://example.org/toll).
excerpts:
  - article: report  # content/articles/report.txt
    quote: أكثر من 33,000 شخص قتلوا
    translation:
      en: more than 33,000 people were killed
sources:
  # the ministry's own page
  - url: https://example.org/toll
    title: Toll
    publisher: Ministry
    date: 2024-04-18
tags:
  - rafah
published: 2024-04-20
# end of claim
"""


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)

    def run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def _data(path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _format_all(cli, content):
    """Bring the fixture tree (written in flow style, without schema lines) to canonical form."""
    assert cli("fmt", "--content", content)[0] == 0


def test_rewrites_into_the_canonical_style_keeping_comments(content_tree, cli):
    content = content_tree({"claims/toll.yaml": MESSY})
    path = content / "claims" / "toll.yaml"
    before = _data(path)
    code, out, err = cli("fmt", "--content", content)
    assert code == 0, err
    assert "reformatted content/claims/toll.yaml" in out
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert _data(path) == before  # data unchanged
    for line in MESSY.splitlines():  # every comment kept, word for word
        if "#" in line and "://" not in line:
            comment = line[line.index("#"):]
            assert comment in CANONICAL, comment
    # The result is valid content, as the input was.
    assert cli("validate", "--content", content)[0] == 0


def test_second_run_changes_nothing(content_tree, cli):
    content = content_tree({"claims/toll.yaml": MESSY})
    _format_all(cli, content)
    files = sorted(p for p in content.rglob("*.yaml"))
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    code, out, err = cli("fmt", "--content", content)
    assert code == 0
    assert out == ""
    assert f"0 file(s) reformatted, {len(files)} already formatted" in err
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == snapshot  # not even rewritten


def test_check_fails_on_unformatted_input_and_writes_nothing(content_tree, cli):
    content = content_tree({"claims/toll.yaml": MESSY})
    _format_all(cli, content)
    path = content / "claims" / "toll.yaml"
    path.write_text(MESSY, encoding="utf-8")
    code, out, err = cli("fmt", "--check", "--content", content)
    assert code == 1
    assert out == "would reformat content/claims/toll.yaml\n"
    assert "run `python -m generator fmt`" in err
    assert path.read_text(encoding="utf-8") == MESSY  # --check writes nothing

    code, out, _ = cli("fmt", "--check", "--diff", "--content", content)
    assert code == 1 and "-verdict: accurate   # agreed with the editor" in out
    assert "+verdict: accurate  # agreed with the editor" in out

    assert cli("fmt", "--content", content)[0] == 0
    assert cli("fmt", "--check", "--content", content)[0] == 0


def test_yaml_errors_are_reported_like_validate_and_skipped(content_tree, cli):
    broken = "claim:\n  ar: a\n\ten: b\n"
    content = content_tree({"claims/broken.yaml": broken, "claims/toll.yaml": MESSY,
                            "claims/dup.yaml": "claim: {ar: a, en: b}\nclaim: {ar: c, en: d}\n"})
    code, out, err = cli("fmt", "--content", content)
    assert code == 1
    assert "reformatted content/claims/toll.yaml" in out  # the other files are still formatted
    assert (content / "claims" / "broken.yaml").read_text(encoding="utf-8") == broken
    assert "2 skipped" in err
    _, vout, _ = cli("validate", "--content", content)
    for head in ("content/claims/broken.yaml:3:1: error[yaml-tab]: a tab character is used for indentation",
                 "content/claims/dup.yaml:2:1: error[yaml-duplicate-key]"):
        assert head in err and head in vout
    assert cli("fmt", "--check", "--content", content)[0] == 1


def test_scales_keep_their_display_order(content_tree, cli):
    verdicts = """\
        # the scale, most accurate first
        zeta:
          rating: 5
          color: "#1b7f3b"
          description: {en: Z., ar: ز.}
          label: {en: "Z", ar: ز}
        alpha:
          color: "#b3261e"
          label: {ar: أ, en: A}
          description: {ar: أ., en: A.}
          rating: 1
        """
    content = content_tree({"verdicts.yaml": verdicts})
    _format_all(cli, content)
    text = (content / "verdicts.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["# yaml-language-server: $schema=../generator/schemas/verdicts.schema.json",
                                     "# the scale, most accurate first", "zeta:"]
    assert list(_data(content / "verdicts.yaml")) == ["zeta", "alpha"]  # display order kept
    assert list(_data(content / "verdicts.yaml")["alpha"]) == ["label", "description", "rating", "color"]


def test_the_desks_fields_take_their_place_and_people_keep_their_order(content_tree, cli):
    claim = textwrap.dedent(MINIMAL["claims/toll.yaml"]).replace(
        "  - url: https://example.org/toll\n    title: Toll\n",
        "  - title: Toll\n    archive: https://perma.cc/AB12-CD34\n    url: https://example.org/toll\n", 1)
    claim = "reviewer: omar\n" + claim + "author: nadia\nstatus: review\n"
    people = """\
        omar:
          role: {en: Fact-checker, ar: مدقق معلومات}
          name: {en: Omar, ar: عمر}
        nadia:
          url: https://example.org/nadia
          name: {ar: نادية, en: Nadia}
          role: {ar: محررة, en: Editor}
        """
    content = content_tree({"claims/toll.yaml": claim, "people.yaml": people})
    _format_all(cli, content)
    assert list(_data(content / "claims" / "toll.yaml")) == [
        "status", "claim", "claimant", "verdict", "conclusion", "explanation", "excerpts", "sources", "topic", "tags",
        "author", "reviewer", "published"]
    assert list(_data(content / "claims" / "toll.yaml")["sources"][0]) == ["url", "archive", "title", "publisher",
                                                                          "date"]
    text = (content / "people.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../generator/schemas/people.schema.json\n")
    assert list(_data(content / "people.yaml")) == ["omar", "nadia"]  # the desk's own order
    assert list(_data(content / "people.yaml")["nadia"]) == ["name", "role", "url"]


def test_line_ends_bom_and_file_mode(content_tree, cli):
    content = content_tree()
    _format_all(cli, content)
    path = content / "claims" / "toll.yaml"
    canonical_bytes = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + canonical_bytes.replace(b"\n", b"\r\n"))
    path.chmod(0o640)
    assert cli("fmt", "--content", content)[0] == 0
    assert path.read_bytes() == canonical_bytes
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not [p for p in content.rglob(".*")]  # no temporary file left behind


def test_long_text_is_never_wrapped(content_tree, cli):
    long = "word " * 200
    content = content_tree({"claims/toll.yaml": MESSY.replace("The figure is right.", long.strip())})
    _format_all(cli, content)
    assert f"  en: {long.strip()}\n" in (content / "claims" / "toll.yaml").read_text(encoding="utf-8")


def test_refuses_to_write_what_would_change_the_data(content_tree, cli, monkeypatch):
    import generator.edit.style as style
    content = content_tree({"claims/toll.yaml": MESSY})
    monkeypatch.setattr(style, "_scalar", lambda v: v.upper() if isinstance(v, str) else v)  # a broken style
    code, out, err = cli("fmt", "--content", content)
    assert code == 1
    assert "error[fmt-unsafe]: formatting would change the data" in err
    assert (content / "claims" / "toll.yaml").read_text(encoding="utf-8") == MESSY


def test_progress_only_on_a_terminal(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    shown = Tty()
    with Progress(2, "fmt", stream=shown) as p:
        p.step("a.yaml")
        p.step("b.yaml")
    assert "\rfmt" in shown.getvalue() or "fmt 2/2" in shown.getvalue()
    monkeypatch.setenv("CI", "true")
    quiet = Tty()
    with Progress(2, "fmt", stream=quiet) as p:
        p.step("a.yaml")
    assert quiet.getvalue() == ""
    monkeypatch.delenv("CI")
    piped = io.StringIO()
    with Progress(2, "fmt", stream=piped) as p:
        p.step("a.yaml")
    assert piped.getvalue() == ""


def test_fmt_in_a_subprocess_is_quiet_off_a_terminal(content_tree):
    content = content_tree({"claims/toll.yaml": MESSY})
    done = run_cli("fmt", "--check", "--content", content)
    assert done.returncode == 1
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


# ---------------------------------------------------------------- properties, on generated documents

_text = st.lists(st.sampled_from(list("ab ق#:-'\"\n|>{}[],&*!%@`") + ["أكثر", "en", " #x", "TODO"]),
                 max_size=10).map("".join)
_scalars = st.one_of(_text, st.integers(), st.booleans(), st.none(), st.dates())
_keys = st.sampled_from(["claim", "ar", "en", "verdict", "excerpts", "quote", "article", "x-other", "url", "date"])
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_keys, inner, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(_keys, _values, min_size=1, max_size=6), st.booleans(), st.randoms(use_true_random=False))
def test_any_document_keeps_its_data_and_comments_and_formats_once(data, flow, rnd):
    yaml = YAML(typ="rt")
    yaml.default_flow_style = flow
    yaml.width = 30
    out = io.StringIO()
    yaml.dump(data, out)
    lines = []
    for i, line in enumerate(out.getvalue().split("\n")):
        if rnd.random() < 0.2:
            lines.append(" " * rnd.randint(0, 4) + f"# above {i}")
        if rnd.random() < 0.3 and line.strip() and not line.rstrip().endswith(("|", ">", "|-", ">-", "\\")):
            line += f"  # end {i}"
        lines.append(line)
    text = "\n".join(lines)
    try:
        assume(YAML(typ="safe").load(text) == data)  # every marker landed outside a scalar: a real comment
    except Exception:
        assume(False)
    try:
        first = canonical(text, "claim", "x.yaml", nested=True)
    except Unsafe:
        return  # refused, file left as it was: allowed (ruamel.yaml cannot write a few exotic shapes)
    if first.text is None:
        return
    assert YAML(typ="safe").load(first.text) == YAML(typ="safe").load(text)
    comments = re.compile(r"# (?:above|end) \d+$", re.M)
    assert Counter(comments.findall(first.text)) == Counter(comments.findall(text))
    assert canonical(first.text, "claim", "x.yaml", nested=True).text == first.text


def test_many_files_are_formatted_in_parallel_with_the_same_result(content_tree, cli, monkeypatch):
    import generator.commands.fmt as fmt
    monkeypatch.setattr(fmt, "PARALLEL_FROM", 2)  # a worker pool even for a small tree
    content = content_tree({f"claims/copy-{i}.yaml": MESSY for i in range(6)})
    code, out, err = cli("fmt", "--content", content)
    assert code == 0, err
    for i in range(6):
        assert (content / "claims" / f"copy-{i}.yaml").read_text(encoding="utf-8") == CANONICAL
    assert cli("fmt", "--check", "--content", content)[0] == 0
