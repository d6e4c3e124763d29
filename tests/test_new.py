"""`python -m generator new claim|article`, and the `todo-placeholder` rule its skeletons rely on."""
from __future__ import annotations

import json
import re
import textwrap

import pytest
from ruamel.yaml import YAML

from conftest import ARTICLE_TEXT, run_cli
from generator.anchor.match import ArticleIndex, anchor
from generator.cli import main

AMBIGUOUS = "وأعرب المشاركون الأمريكيون عن قلقهم"  # twice on line 2 of ARTICLE_TEXT
UNIQUE = "أكثر من 33,000 شخص قتلوا"


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Run the CLI in-process from tmp_path (paths print relative to it); returns (code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def _load(path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _fill_todos(text: str) -> str:
    """What an editor does: replace every placeholder with real content (the reviewer comes later)."""
    text = re.sub(r"'TODO:[^'\n]*'|\"TODO:[^\"\n]*\"", "Filled in by the editor", text)
    text = re.sub(r"^reviewer: TODO.*\n", "", text, flags=re.M)
    return text.replace("verdict: TODO", "verdict: accurate").replace("https://TODO", "https://example.org/src")


# ---------------------------------------------------------------- new claim


def test_unique_quote_writes_a_skeleton_that_validates_only_once_filled(content_tree, cli):
    content = content_tree()
    code, out, err = cli("new", "claim", "--article", "report", "--quote", UNIQUE, "--id", "new-toll",
                         "--content", content)
    assert code == 0, err
    path = content / "claims" / "new-toll.yaml"
    assert "wrote content/claims/new-toll.yaml" in out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../generator/schemas/claim.schema.json\n")
    data = _load(path)
    assert data["excerpts"] == [{"article": "report", "quote": UNIQUE,
                                 "translation": {"en": "TODO: the quote, in English"}}]
    for field in ("claim", "claimant", "conclusion", "explanation"):
        assert set(data[field]) == {"ar", "en"} and all(v.startswith("TODO") for v in data[field].values())
    assert "# one of: accurate, inaccurate" in text  # the scale, from verdicts.yaml
    assert data["status"] == "draft" and data["reviewer"] == "TODO"  # a draft, to be reviewed
    assert text.index("status: draft") < text.index("claim:") < text.index("reviewer: TODO") < text.index("published:")

    # As written, validate refuses it and names every field to fill.
    code, out, _ = cli("validate", "--content", content, "--format", "json")
    assert code == 1
    found = [(d["code"], d["line"]) for d in json.loads(out) if d["path"].endswith("new-toll.yaml")]
    codes = [c for c, _ in found]
    assert codes.count("todo-placeholder") == 12  # 4 bilingual texts, translation, url, title, publisher
    assert codes.count("ref-verdict") == 1 and codes.count("ref-person") == 1  # verdict: TODO, reviewer: TODO
    assert set(codes) == {"todo-placeholder", "ref-verdict", "ref-person"}
    assert len({line for _, line in found}) == len(found)  # one problem per line: no double reports

    # Filled in, it is valid, and already in the canonical style.
    path.write_text(_fill_todos(text), encoding="utf-8")
    code, out, _ = cli("validate", "--content", content)
    assert code == 0, out
    assert "new-toll.yaml" not in cli("fmt", "--check", "--content", content)[1]


def test_ambiguous_quote_gets_the_prefix_it_needs(content_tree, cli):
    content = content_tree()
    code, _, err = cli("new", "claim", "--article", "report", "--quote", AMBIGUOUS, "--content", content)
    assert code == 0, err
    assert "occurs 2 times" in err and "--occurrence" in err
    excerpt = _load(content / "claims" / "claim-report-1.yaml")["excerpts"][0]
    assert excerpt["quote"] == AMBIGUOUS
    assert excerpt["prefix"] == "رفح."  # one word: the shortest context that is unique
    index = ArticleIndex(ARTICLE_TEXT)
    first = ARTICLE_TEXT.index(AMBIGUOUS)
    found = anchor(index, AMBIGUOUS, excerpt.get("prefix", ""), excerpt.get("suffix", ""))
    assert found.found and found.start == first

    # The second occurrence, asked for by number: picked out by what follows it.
    code, _, err = cli("new", "claim", "--article", "report", "--quote", AMBIGUOUS, "--occurrence", "2",
                       "--content", content)
    assert code == 0, err
    excerpt = _load(content / "claims" / "claim-report-2.yaml")["excerpts"][0]
    found = anchor(index, AMBIGUOUS, excerpt.get("prefix", ""), excerpt.get("suffix", ""))
    assert found.found and found.start == ARTICLE_TEXT.index(AMBIGUOUS, first + 1)
    assert excerpt == {"article": "report", "quote": AMBIGUOUS, "suffix": "مرة",
                       "translation": {"en": "TODO: the quote, in English"}}

    # Both anchor for the validator too: only placeholders are left to fix.
    code, out, _ = cli("validate", "--content", content, "--format", "json")
    assert not [d for d in json.loads(out) if d["code"].startswith("quote-")]


def test_quote_not_found_prints_validates_did_you_mean_and_writes_nothing(content_tree, cli):
    content = content_tree()
    wrong = "أكثر من 34,000 شخص قتلوا"  # one changed number
    before = sorted(p.name for p in (content / "claims").iterdir())
    code, out, err = cli("new", "claim", "--article", "report", "--quote", wrong, "--content", content)
    assert code == 1
    assert sorted(p.name for p in (content / "claims").iterdir()) == before
    assert "error[quote-not-found]: the quote does not occur in article `report`" in err
    assert re.search(r"closest passage, line 3 of content/articles/report\.txt \(\d+% similar\):", err)
    assert f"«{UNIQUE}»" in err
    assert "help: copy the exact words from the article's .txt file; did you mean the passage above?" in err
    assert "nothing written" in err

    # The very same message, notes and help as `validate` gives for that quote in a claim file.
    claim = (content / "claims" / "toll.yaml").read_text(encoding="utf-8").replace(UNIQUE, wrong)
    (content / "claims" / "toll.yaml").write_text(claim, encoding="utf-8")
    code, vout, _ = cli("validate", "--content", content, "--format", "json")
    [diag] = [d for d in json.loads(vout) if d["code"] == "quote-not-found"]
    assert f"error[quote-not-found]: {diag['message']}" in err
    for note in diag["notes"]:
        assert "      " + note in err
    assert f"help: {diag['help']}" in err


def test_existing_claim_is_never_overwritten(content_tree, cli):
    content = content_tree({"claims/old.yml": "claim: {ar: قديم, en: old}\n"})
    toll = (content / "claims" / "toll.yaml").read_bytes()
    for slug in ("toll", "old"):  # .yaml and .yml both hold the id
        code, out, err = cli("new", "claim", "--article", "report", "--quote", UNIQUE, "--id", slug,
                             "--content", content)
        assert code == 1 and "already exists" in err and "nothing written" in err
        assert not out
    assert (content / "claims" / "toll.yaml").read_bytes() == toll
    assert not (content / "claims" / "old.yaml").exists()

    # A derived id steps over files that exist.
    (content / "claims" / "claim-report-1.yaml").write_text("keep me\n", encoding="utf-8")
    assert cli("new", "claim", "--article", "report", "--quote", UNIQUE, "--content", content)[0] == 0
    assert (content / "claims" / "claim-report-1.yaml").read_text(encoding="utf-8") == "keep me\n"
    assert (content / "claims" / "claim-report-2.yaml").exists()


def test_quote_matching_only_without_diacritics_is_written_as_the_article_has_it(content_tree, cli):
    content = content_tree()
    code, _, err = cli("new", "claim", "--article", "report", "--quote", "أَكْثَر من 33,000 شخص قتلوا",
                       "--id", "x", "--content", content)
    assert code == 0
    assert "warning[quote-normalized]" in err
    assert _load(content / "claims" / "x.yaml")["excerpts"][0]["quote"] == UNIQUE


def test_english_article_gets_an_arabic_translation_placeholder(content_tree, cli):
    content = content_tree({
        "articles/wire.yaml": "title: {ar: خبر, en: Wire}\noutlet: {ar: وكالة, en: Agency}\n"
                              "published: 2024-04-18\nlanguage: en\n",
        "articles/wire.txt": "The two sides agreed on the shared objective.\n",
    })
    assert cli("new", "claim", "--article", "wire", "--quote", "the shared objective", "--id", "w",
               "--content", content)[0] == 0
    assert _load(content / "claims" / "w.yaml")["excerpts"][0]["translation"] == {
        "ar": "TODO: the quote, in Arabic"}


@pytest.mark.parametrize("args, message", [
    (["--article", "reprt", "--quote", "x"], "no article `reprt`"),
    (["--article", "report", "--quote", "x", "--id", "Not An Id"], "is not a valid claim id"),
    (["--article", "../etc", "--quote", "x"], "is not a valid article id"),
    (["--article", "report", "--quote", "x", "--id", "index"], "`index` cannot be a claim id"),
    (["--article", "report", "--quote", "   "], "--quote is empty"),
    (["--article", "report", "--quote", UNIQUE, "--occurrence", "2"], "--occurrence 2"),
])
def test_usage_errors_exit_2(content_tree, cli, args, message):
    content = content_tree()
    before = sorted(p.name for p in (content / "claims").iterdir())
    code, _, err = cli("new", "claim", *args, "--content", content)
    assert code == 2 and message in err
    assert sorted(p.name for p in (content / "claims").iterdir()) == before


def test_unknown_article_suggests_the_close_one(content_tree, cli):
    _, _, err = cli("new", "claim", "--article", "reprt", "--quote", "x", "--content", content_tree())
    assert "did you mean `report`?" in err


# ---------------------------------------------------------------- new article


def test_new_article_copies_the_text_byte_for_byte(content_tree, cli, tmp_path):
    content = content_tree()
    raw = "\ufeffعنوان الخبر\r\nقال المتحدث «نعم»  \r\n\r\nسطر أخير بلا نهاية".encode("utf-8")
    source = tmp_path / "pasted.txt"
    source.write_bytes(raw)
    code, out, err = cli("new", "article", "--id", "pasted", "--text", source, "--content", content)
    assert code == 0, err
    assert (content / "articles" / "pasted.txt").read_bytes() == raw
    meta_text = (content / "articles" / "pasted.yaml").read_text(encoding="utf-8")
    assert meta_text.startswith("# yaml-language-server: $schema=../../generator/schemas/article.schema.json\n")
    meta = _load(content / "articles" / "pasted.yaml")
    assert meta["language"] == "ar" and "guessed" in out
    assert meta["published"] == "TODO"

    # validate: a date error for `published`, placeholders for title and outlet; nothing else.
    code, vout, _ = cli("validate", "--content", content, "--format", "json")
    codes = sorted(d["code"] for d in json.loads(vout) if d["path"].endswith("pasted.yaml"))
    assert codes == ["date-invalid"] + ["todo-placeholder"] * 4
    assert "pasted.yaml" not in cli("fmt", "--check", "--content", content)[1]  # already canonical

    # --language wins over the guess; an existing id is refused, whichever of its files exists.
    code, _, err = cli("new", "article", "--id", "pasted", "--text", source, "--content", content)
    assert code == 1 and "already exists" in err
    (content / "articles" / "only-text.txt").write_text("x", encoding="utf-8")
    code, _, err = cli("new", "article", "--id", "only-text", "--text", source, "--content", content)
    assert code == 1 and "only-text.txt already exists" in err
    assert (content / "articles" / "only-text.txt").read_text(encoding="utf-8") == "x"
    assert not (content / "articles" / "only-text.yaml").exists()
    assert cli("new", "article", "--id", "english", "--text", source, "--language", "en",
               "--content", content)[0] == 0
    assert _load(content / "articles" / "english.yaml")["language"] == "en"


def test_new_article_refuses_text_that_is_not_utf8(content_tree, cli, tmp_path):
    content = content_tree()
    source = tmp_path / "latin1.txt"
    source.write_bytes("café au lait".encode("latin-1"))
    code, _, err = cli("new", "article", "--id", "cafe", "--text", source, "--content", content)
    assert code == 1
    assert "error[encoding]: invalid UTF-8 at byte offset 3" in err
    assert not list((content / "articles").glob("cafe.*"))


@pytest.mark.parametrize("args, message", [
    (["--id", "ok", "--text", "missing.txt"], "no such file"),
    (["--id", "Bad_Id", "--text", "missing.txt"], "is not a valid article id"),
    (["--id", "page", "--text", "missing.txt"], "`page` cannot be an article id"),
])
def test_new_article_usage_errors_exit_2(content_tree, cli, args, message):
    content = content_tree()
    code, _, err = cli("new", "article", *args, "--content", content)
    assert code == 2 and message in err


def test_new_runs_as_editors_run_it(content_tree, tmp_path):
    """End to end, in a subprocess: `--content` accepted after the subcommand, exit codes as documented."""
    content = content_tree()
    done = run_cli("new", "claim", "--article", "report", "--quote", UNIQUE, "--id", "cli",
                   "--content", content)
    assert done.returncode == 0, done.stderr
    assert (content / "claims" / "cli.yaml").exists()
    again = run_cli("new", "claim", "--article", "report", "--quote", UNIQUE, "--id", "cli", "--content", content)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert run_cli("new", "claim", "--article", "report", "--content", content).returncode == 2  # no --quote


# ---------------------------------------------------------------- the todo-placeholder rule


def test_todo_placeholder_rule(content_tree, cli):
    claim = textwrap.dedent("""\
        claim: {ar: "TODO: الادعاء", en: Some claim}
        claimant: {ar: التقرير, en: The report TODO check the name}
        verdict: TODO
        conclusion: {ar: صحيح., en: Right; nothing to do (todo lists are fine in lowercase).}
        explanation: {ar: شرح., en: Explanation.}
        excerpts:
          - article: report
            quote: أكثر من 33,000 شخص قتلوا
            translation: {en: "more than 33,000 people were killed"}
        sources:
          - {url: "https://TODO", title: T, publisher: P, date: TODO}
        """)
    content = content_tree({"claims/draft.yaml": claim})
    code, out, _ = cli("validate", "--content", content, "--format", "json")
    assert code == 1
    found = sorted((d["code"], d["line"], d["column"]) for d in json.loads(out) if d["path"].endswith("draft.yaml"))
    assert found == [
        ("date-invalid", 11, 57),  # `date: TODO`: the date rule says it, once
        ("ref-verdict", 3, 10),  # `verdict: TODO`: the references rule lists the scale, once
        ("review-missing", 1, 1),  # no status, no date: a new published claim, and mkdocs.yml's policy is on
        ("todo-placeholder", 1, 13),
        ("todo-placeholder", 2, 29),  # a TODO left in the middle of a text counts too
        ("todo-placeholder", 11, 11),
    ]
    messages = [d["message"] for d in json.loads(out) if d["code"] == "todo-placeholder"]
    assert "`claim.ar` still holds a placeholder: «TODO: الادعاء»" in messages
    assert "`sources[0].url` still holds a placeholder: «https://TODO»" in messages


def test_a_quote_occurring_many_times_quotes_the_occurrence_asked_for(content_tree, cli):
    text = " ".join(f"w{i} the same words" for i in range(200)) + "\n"
    content = content_tree({"articles/report.txt": text})
    code, _, err = cli("new", "claim", "--article", "report", "--quote", "the same words", "--occurrence", "150",
                       "--id", "many", "--content", content)
    assert code == 0, err
    assert "occurs 200 times" in err and "… and 191 more" in err
    excerpt = _load(content / "claims" / "many.yaml")["excerpts"][0]
    assert excerpt["prefix"] == "w149"
    found = anchor(ArticleIndex(text), "the same words", excerpt["prefix"])
    assert found.found and text[:found.start].endswith("w149 ")
