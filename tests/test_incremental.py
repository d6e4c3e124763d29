"""The incremental run's cache paths (generator/incremental.py) give what a cold run gives: diagnostics and
every generated file, after each kind of edit. tests/test_benchmarks.py has the first dozen edits; these
cover the paths added for claim-only edits: the cached base (no content walk), the claim shards, the
page-dependency digests and the pages found through the claims they show (free-text edits)."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import assert_incremental_equals_cold


@pytest.mark.parametrize("forked", [False, True], ids=["one-process", "forked-worker"])
def test_claim_only_edits_equal_full_runs(tmp_path, monkeypatch, forked):
    from benchmarks.corpus import generate
    from benchmarks.run import edit_one_claim
    from generator import incremental
    from generator.settings import load_settings

    monkeypatch.setattr(incremental, "MIN_PARALLEL", 2 if forked else 10**9)
    shortcuts: list[bool] = []  # per run that rendered from a warm cache: were only the affected pages computed?
    affected_pages = incremental._affected_pages

    def spy(*args):
        found = affected_pages(*args)
        shortcuts.append(found is not None)
        return found

    monkeypatch.setattr(incremental, "_affected_pages", spy)
    settings = load_settings()
    content = tmp_path / "content"
    generate(content, 60, seed=5)
    claims, articles = content / "claims", content / "articles"

    def compare(label):
        shortcuts.clear()
        stats = assert_incremental_equals_cold(content, settings, tmp_path, label)
        return stats, shortcuts[:1] == [True]

    def edit(path, old, new, count=1):
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    def field(name, key):
        return re.search(rf"^{key}: (.+)$", (claims / name).read_text(encoding="utf-8"), re.M).group(1)

    # a claim named by another's `related` and sharing a topic: its text shows on other claims' pages
    related_to = next(re.search(r"related: \[([^\],]+)", p.read_text()).group(1)
                      for p in sorted(claims.glob("*.yaml")) if "related: [" in p.read_text())
    shown = f"{related_to}.yaml"

    assert compare("cold")[0].written > 0
    assert compare("no change")[0].written == 0
    edit_one_claim(content, 1)
    stats, shortcut = compare("a conclusion, as the benchmark edits it")
    assert shortcut and 0 < stats.written < 20
    edit(claims / shown, "conclusion:\n  ar: ", "conclusion:\n  ar: تصحيح ")
    assert compare("a conclusion")[1]
    edit(claims / shown, "claim:\n  ar: ", "claim:\n  ar: ادعاء ")
    edit(claims / "claim-00002.yaml", "explanation:\n  ar: \"", "explanation:\n  ar: \"أيضاً ")
    assert compare("the claim's text of a related claim, and an explanation")[1]
    edit(claims / shown, "claimant:\n  ar: \"", "claimant:\n  ar: \"مصدر ")
    assert compare("again, after a run that took the same path")[1]
    (claims / "claim-00004.yaml").touch()
    assert compare("a file touched, not changed")[0].written == 0

    edit(claims / "claim-00006.yaml", "published: ", "updated: 2030-01-01\npublished: ")
    assert not compare("a date: listings reorder")[1]
    tagged = next(p.name for p in sorted(claims.glob("*.yaml"))[7:] if "tags: [" in p.read_text())
    tags = field(tagged, "tags")
    edit(claims / tagged, "tags: [", "tags: [" + next(f"tag-{i:02d}, " for i in range(40) if f"tag-{i:02d}" not in tags))
    assert not compare("a tag added")[1]
    topic = field("claim-00003.yaml", "topic")
    other = "topic-0000" if topic != "topic-0000" else "topic-0002"
    edit(claims / "claim-00003.yaml", f"topic: {topic}", f"topic: {other}")
    compare("a topic")
    verdict = field("claim-00005.yaml", "verdict")
    edit(claims / "claim-00005.yaml", f"verdict: {verdict}", "verdict: " + ("accurate" if verdict != "accurate" else "misleading"))
    compare("a verdict")

    # an error in one claim while another's text changes; then the fix alone
    edit(claims / "claim-00010.yaml", "conclusion:\n  ar: \"", "conclusion:\n  ar: \"مراجعة ")
    edit(claims / "claim-00011.yaml", "published: ", "x_unknown: 1\npublished: ")
    assert compare("an error, and a text edit elsewhere")[0] is None
    edit(claims / "claim-00011.yaml", "x_unknown: 1\n", "")
    compare("the error fixed")

    # an article's title changes in a run with an error; the next run changes only a claim
    meta = next(p for p in sorted(articles.glob("*.yaml")) if "title:" in p.read_text())
    edit(meta, "title:\n  ar: ", "title:\n  ar: عنوان ")
    edit(claims / "claim-00012.yaml", "published: ", "x_unknown: 1\npublished: ")
    assert compare("an article's title, with an error")[0] is None
    edit(claims / "claim-00012.yaml", "x_unknown: 1\n", "")
    assert not compare("only the claim fixed: the article's pages are not the last render's")[1]

    edit(content / "verdicts.yaml", "en: ", "en: The ")
    compare("a verdict's label")
    edit(content / "topics.yaml", "en: \"", "en: \"Topic: ")
    compare("a topic's label")
    page = content / "pages" / "about.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    compare("a static page")

    shutil.copy(claims / "claim-00013.yaml", claims / "claim-99998.yaml")
    compare("a claim added")
    edit(claims / "claim-99998.yaml", "conclusion:\n  ar: ", "conclusion:\n  ar: جديد ")
    assert compare("the new claim's text")[1]
    (claims / "claim-99998.yaml").unlink()
    compare("a claim removed")
    shutil.rmtree(tmp_path / "cache")
    compare("cache gone, docs kept")
    for shard in (tmp_path / "cache").glob("*.c0*"):
        shard.write_bytes(b"truncated")
    edit(claims / "claim-00014.yaml", "conclusion:\n  ar: ", "conclusion:\n  ar: نص ")
    compare("damaged shards")
