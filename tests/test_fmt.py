"""`python -m generator fmt`: one canonical style, comments kept, data unchanged, idempotent."""
from __future__ import annotations

import io
import re
import textwrap
import stat
import textwrap
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import MINIMAL, run_cli
from generator.cli import main
from generator.edit.progress import Progress
from generator.edit.style import Unsafe, Verbatim, canonical
from generator.load.yaml_source import parse_yaml
from test_malformed import CASES as MALFORMED
from test_malformed import build as build_malformed
from test_malformed import load_case

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
    monkeypatch.setattr(style, "_scalar", lambda node, key=False: node.value.upper())  # a broken style
    code, out, err = cli("fmt", "--content", content)
    assert code == 1
    assert "error[fmt-unsafe]: formatting would change the data" in err
    assert (content / "claims" / "toll.yaml").read_text(encoding="utf-8") == MESSY


# ---------------------------------------------------------------- data as the validator reads it


def _formats_once(cli, content_tree, rel: str, text: str):
    """In an otherwise formatted tree, `fmt --check` fails on the file as written, `fmt` rewrites it without
    a problem, and then the check passes and a second run changes nothing.
    Returns the file's path, the validator's data before, and the formatted text."""
    content = content_tree()
    _format_all(cli, content)
    path = content / rel
    path.write_text(text, encoding="utf-8")
    before = _seen(path)
    code, out, err = cli("fmt", "--check", "--content", content)
    assert code == 1 and out == f"would reformat {path.relative_to(content.parent).as_posix()}\n", out + err
    code, _, err = cli("fmt", "--content", content)
    assert code == 0 and "error" not in err, err
    formatted = path.read_bytes()
    assert cli("fmt", "--check", "--content", content)[0] == 0
    code, out, _ = cli("fmt", "--content", content)
    assert (code, out, path.read_bytes()) == (0, "", formatted)
    return path, before, formatted.decode("utf-8")


def _seen(path):
    """The data as the validator reads it."""
    doc, problems = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert not problems, problems
    return doc.data


def test_keys_are_ids_kept_as_written(content_tree, cli):
    """`007:` was rewritten `7:`, and every reference to tag `007` broke."""
    tags = "rafah:\n  label: {ar: رفح, en: Rafah}\n007:\n  label: {ar: سبعة, en: Seven}\n"
    claim = textwrap.dedent(MINIMAL["claims/toll.yaml"]).replace("tags: [rafah]", "tags: [rafah, '007']")
    content = content_tree({"tags.yaml": tags, "claims/toll.yaml": claim})
    _format_all(cli, content)
    assert "\n007:\n" in (content / "tags.yaml").read_text(encoding="utf-8")
    assert "  - '007'\n" in (content / "claims" / "toll.yaml").read_text(encoding="utf-8")
    assert list(_seen(content / "tags.yaml")) == ["rafah", "007"]
    code, out, _ = cli("validate", "--content", content)
    assert code == 0, out


def test_keys_differing_only_as_numbers_are_kept_apart(content_tree, cli):
    """`01:` beside `1:` are two ids to the validator (one number to YAML): fmt crashed with a traceback."""
    tags = "1: {label: {en: One, ar: واحد}}\n01: {label: {en: Oh-one, ar: صفر واحد}}\n"
    path, before, text = _formats_once(cli, content_tree, "tags.yaml", tags)
    assert "\n1:\n  label:\n    ar: واحد\n" in text and "\n01:\n  label:\n    ar: صفر واحد\n" in text
    assert _seen(path) == before


def test_numbers_booleans_and_nulls_keep_their_notation(content_tree, cli):
    """`0x10`, `0o17`, `1e3` were written `16`, `15`, `1000.0`; `True` and `~` became `true` and nothing."""
    claim = ("x-numbers: {hex: 0x10, octal: 0o17, exponent: 1e3, big: 1_000, signed: +5, float: 1.50}\n"
             "x-others: [True, false, ~, null, 2024-04-18]\nx-empty:\nx-text: ['0x10', '~', 'True']\n")
    path, before, text = _formats_once(cli, content_tree, "claims/x.yaml", claim)
    for line in ("  hex: 0x10", "  octal: 0o17", "  exponent: 1e3", "  big: 1_000", "  signed: +5", "  float: 1.50",
                 "  - True", "  - false", "  - ~", "  - null", "  - 2024-04-18", "x-empty:", "  - '0x10'", "  - '~'",
                 "  - 'True'"):
        assert f"\n{line}\n" in text, line
    assert _seen(path) == before


def test_line_and_paragraph_separators_are_kept_escaped(content_tree, cli):
    """U+2028, U+2029 and U+0085 are line breaks to YAML 1.1 (libyaml) but not to editors: fmt refused
    such files and asked for a bug report, so `fmt --check` failed in CI. Now they are written escaped,
    in double quotes, wherever they were (escaped or not, in any quoting, in a block)."""
    claim = ('claim:\n  en: "one\\u2028two"\n  ar: \'سطر\u2028سطر\'\n'
             'explanation:\n  en: |\n    first\u2029    second\n'
             'x-note: "a\\x85b"  # kept\u2028x-after: the comment ended at the separator\n')
    path, before, text = _formats_once(cli, content_tree, "claims/toll.yaml", claim)
    assert '  ar: "سطر\\u2028سطر"\n  en: "one\\u2028two"\n' in text
    assert '  en: "first\\u2029second\\n"\n' in text
    assert 'x-note: "a\\x85b"  # kept\nx-after: the comment ended at the separator\n' in text
    assert not re.search("[\u2028\u2029\x85]", text)
    assert _seen(path) == before


@pytest.mark.parametrize("rewrite", [
    lambda node, key: "7" if key and node.value == "007" else None,  # a key is text: 007 is not 7
    lambda node, key: Verbatim("1.0", "tag:yaml.org,2002:float") if node.value == "1" else None,  # 1 is not 1.0
], ids=["key-007-is-not-7", "1-is-not-1.0"])
def test_the_self_check_compares_what_the_validator_reads(content_tree, cli, monkeypatch, rewrite):
    import generator.edit.style as style
    original = style._scalar
    monkeypatch.setattr(style, "_scalar", lambda node, key=False: rewrite(node, key) or original(node, key))
    content = content_tree({"claims/x.yaml": "x-keys: {007: a}\nx-count: 1\n"})
    code, _, err = cli("fmt", "--content", content)
    assert code == 1 and "error[fmt-unsafe]: formatting would change the data" in err
    assert (content / "claims" / "x.yaml").read_text(encoding="utf-8") == "x-keys: {007: a}\nx-count: 1\n"


@pytest.mark.parametrize("case_file", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_no_traceback_on_malformed_content(tmp_path, cli, case_file):
    """Every malformed tree of tests/malformed/: reported as validate reports it, never a traceback."""
    content = build_malformed(tmp_path, load_case(case_file))
    for args in (["--check"], []):
        code, _, err = cli("fmt", *args, "--content", content)
        assert code in (0, 1), err


def test_a_file_that_would_outgrow_the_size_limit_is_left_alone(content_tree, cli):
    """Aliases are written out in full: a 300 kB text quoted twice by alias would make a file validate refuses."""
    text = "claim:\n  ar: &long " + "كلمة " * 30_000 + "\n  en: *long\n"
    content = content_tree({"claims/toll.yaml": text})
    code, _, err = cli("fmt", "--content", content)
    assert code == 1 and "error[fmt-unsafe]: formatted, the file would be" in err and "limit is 524,288" in err
    assert "anchors and aliases" in err and "report" not in err
    assert (content / "claims" / "toll.yaml").read_text(encoding="utf-8") == text


def test_a_bug_in_formatting_one_file_is_a_diagnostic(content_tree, cli, monkeypatch):
    import generator.edit.style as style

    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(style, "_attach", broken)
    content = content_tree({"claims/toll.yaml": MESSY})
    code, _, err = cli("fmt", "--content", content)
    assert code == 1 and "error[fmt-unsafe]: fmt failed: KeyError: 'oops'" in err and "report" in err
    assert (content / "claims" / "toll.yaml").read_text(encoding="utf-8") == MESSY


def test_unwritable_file_is_a_diagnostic(content_tree, cli, monkeypatch):
    import generator.commands.fmt as fmt

    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fmt, "write_atomic", refuse)
    content = content_tree({"claims/toll.yaml": MESSY})
    code, out, err = cli("fmt", "--content", content)
    assert code == 1 and "reformatted" not in out
    assert "error[file-unwritable]: cannot write file: Permission denied" in err


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


# Scalars in every notation the validator reads (and ids as keys), written as YAML text: ruamel.yaml's
# dumper, used above, writes only its own notation.
_NOTATIONS = ["0x10", "0o17", "017", "1e3", "1E3", "+5", "-0.0", "1_000", ".inf", "0b101", "~", "null", "NULL", "",
              "True", "false", "yes", "2024-04-18", "2024-04-18 10:00:00", "'007'", '"a\\u2028b"', '"c\\x85d\\u2029"',
              "'q''s'", '"t\\tn\\n"', "text # c", "!!float 1", '!!int "12"', "!!str 5", "[0x1, ~]", "{007: 1e3}",
              "|\n  two\n  lines", '"bell\\x07\\nand cr\\r\\n"']
_IDS = ["007", "01", "1", "'1.0'", "1.0", "~", "true", "''", "0x1F", "2024-04-18", '"k\\u2028"', "ar", "en", "claim"]


def _mappings(values):
    return st.lists(st.tuples(st.sampled_from(_IDS), values), min_size=1, max_size=5, unique_by=lambda kv: kv[0])


_TREES = st.recursive(st.sampled_from(_NOTATIONS),
                      lambda inner: st.one_of(_mappings(inner), st.lists(inner, min_size=1, max_size=3).map(tuple)),
                      max_leaves=10)


def _yaml_text(tree, indent: int = 0) -> str:
    """Block YAML for a tree of notations: a str is a scalar, a list of pairs a mapping, a tuple a list."""
    pad = " " * indent
    if isinstance(tree, str):
        first, *rest = tree.split("\n")
        return (" " + first if first else "") + "".join("\n" + pad + line for line in rest) + "\n"
    if isinstance(tree, list):
        return "\n" + "".join(f"{pad}{key}:{_yaml_text(value, indent + 2)}" for key, value in tree)
    return "\n" + "".join(f"{pad}-{_yaml_text(item, indent + 2)}" for item in tree)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(_mappings(_TREES))
def test_any_notation_is_kept_as_the_validator_reads_it(top):
    text = _yaml_text(top).lstrip("\n")
    before, problems = parse_yaml(text, "x.yaml")
    assume(not problems)  # e.g. `1.0` beside `'1.0'`: one id twice
    first = canonical(text, "claim", "x.yaml", nested=True)  # never refused: no Unsafe
    after, problems = parse_yaml(first.text, "x.yaml")
    assert not problems and _strictly(after.data) == _strictly(before.data)
    assert canonical(first.text, "claim", "x.yaml", nested=True).text == first.text


def _strictly(value):
    """Data compared with types: 1, 1.0 and True are equal to Python."""
    if isinstance(value, dict):
        return {k: _strictly(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strictly(v) for v in value]
    return type(value), repr(value)


def test_many_files_are_formatted_in_parallel_with_the_same_result(content_tree, cli, monkeypatch):
    import generator.commands.fmt as fmt
    monkeypatch.setattr(fmt, "PARALLEL_FROM", 2)  # a worker pool even for a small tree
    content = content_tree({f"claims/copy-{i}.yaml": MESSY for i in range(6)})
    code, out, err = cli("fmt", "--content", content)
    assert code == 0, err
    for i in range(6):
        assert (content / "claims" / f"copy-{i}.yaml").read_text(encoding="utf-8") == CANONICAL
    assert cli("fmt", "--check", "--content", content)[0] == 0
