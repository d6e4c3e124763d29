"""Corrections are enforced (issue 13): `validate --against REF`, in a git repository of its own, refuses a
published claim whose verdict, claim or conclusion changed since REF until a dated correction records it
and `updated` follows; without a ref, it says once that it did not check. The ClaimReview's
dateModified follows `updated`."""
from __future__ import annotations

import textwrap

from conftest import MINIMAL, committed, git, run_cli, validate_json

CLAIM = textwrap.dedent(MINIMAL["claims/toll.yaml"])
CORRECTION = "corrections:\n  - date: 2024-05-02\n    note: {ar: تغيّر الحكم بعد أدلة جديدة., en: New evidence changed the verdict.}\n"


def edited(content, new: str, name: str = "toll") -> None:
    (content / "claims" / f"{name}.yaml").write_text(new, encoding="utf-8")


def codes(content, *args) -> tuple[int, list[tuple[str, int]]]:
    proc, diags = validate_json(content, *args)
    return proc.returncode, [(d["code"], d["line"]) for d in diags]


def test_a_changed_verdict_fails_until_a_correction_is_added(content_tree):
    content = committed(content_tree())
    edited(content, CLAIM.replace("verdict: accurate", "verdict: inaccurate"))
    proc, diags = validate_json(content, "--against", "HEAD")
    (d,) = diags
    assert proc.returncode == 1 and d["code"] == "correction-missing" and (d["line"], d["column"]) == (3, 10)
    assert "from `accurate` to `inaccurate`" in d["message"] and "corrections:" in d["help"]

    edited(content, CLAIM.replace("verdict: accurate", "verdict: inaccurate") + CORRECTION)
    assert codes(content, "--against", "HEAD") == (1, [("correction-updated", 21)])  # `updated` is missing

    edited(content, CLAIM.replace("verdict: accurate", "verdict: inaccurate") + CORRECTION + "updated: 2024-05-02\n")
    assert codes(content, "--against", "HEAD") == (0, [])
    git(content, "commit", "-qam", "corrected")  # published with its correction: the next change needs another
    edited(content, CLAIM + CORRECTION + "updated: 2024-05-02\n")
    assert codes(content, "--against", "HEAD") == (1, [("correction-missing", 3)])


def test_the_claim_and_conclusion_are_watched_the_rest_is_not(content_tree):
    content = committed(content_tree())
    edited(content, CLAIM.replace("en: The figure is right.}", "en: The figure is correct.}"))
    proc, diags = validate_json(content, "--against", "HEAD")
    assert [(d["code"], d["line"]) for d in diags] == [("correction-missing", 4)]
    assert "`conclusion` (en) changed" in diags[0]["message"]
    edited(content, CLAIM.replace("claim: {ar: قتل", "claim: {ar: قُتل"))
    assert codes(content, "--against", "HEAD") == (1, [("correction-missing", 1)])
    edited(content, CLAIM.replace("بحسب", "وفق").replace("tags: [rafah]", "tags: []"))  # explanation, tags
    assert codes(content, "--against", "HEAD") == (0, [])


def test_new_and_unpublished_claims_have_nothing_to_correct(content_tree):
    draft = "status: draft\n" + CLAIM
    content = committed(content_tree({"claims/later.yaml": draft}))
    edited(content, CLAIM.replace("verdict: accurate", "verdict: inaccurate"), "fresh")  # new since HEAD
    edited(content, CLAIM.replace("verdict: accurate", "verdict: inaccurate"), "later")  # a draft at HEAD, now published
    assert codes(content, "--against", "HEAD") == (0, [])
    edited(content, draft.replace("verdict: accurate", "verdict: inaccurate"))  # unpublished again: not public
    assert codes(content, "--against", "HEAD") == (0, [])


def test_an_older_ref_and_a_branch_name_work(content_tree):
    content = committed(content_tree())
    git(content, "branch", "published")
    edited(content, CLAIM.replace("verdict: accurate", "verdict: inaccurate"))
    git(content, "commit", "-qam", "unreviewed change")
    assert codes(content, "--against", "published") == (1, [("correction-missing", 3)])
    assert codes(content, "--against", "HEAD~1") == (1, [("correction-missing", 3)])
    assert codes(content, "--against", "HEAD") == (0, [])


def test_without_a_ref_it_says_once_that_it_did_not_check(content_tree):
    content = content_tree({"claims/other.yaml": CLAIM})
    proc = run_cli("validate", "--content", content)
    assert proc.returncode == 0 and "all content is valid" in proc.stdout
    assert proc.stderr.count("not checked") == 1 and "--against" in proc.stderr
    proc, diags = validate_json(content)
    assert diags == []  # a note, not a warning


def test_a_bad_ref_or_no_repository_is_a_usage_error(content_tree):
    content = content_tree()
    proc = run_cli("validate", "--content", content, "--against", "HEAD")
    assert proc.returncode == 2 and "not in a git repository" in proc.stderr and "Traceback" not in proc.stderr
    committed(content)
    for ref in ("no-such-branch", "--help"):
        proc = run_cli("validate", "--content", content, f"--against={ref}")
        assert proc.returncode == 2 and "git knows no commit" in proc.stderr, proc.stderr


def test_claimreview_date_modified_follows_updated(content_tree):
    from generator.pipeline import check
    from generator.render.jsonld import claim_review
    from generator.settings import load_settings

    content = check(content_tree({"claims/toll.yaml": CLAIM + CORRECTION + "updated: 2024-05-02\n"})).content
    claim = content.claims["toll"]
    review = claim_review({"claim": claim, "verdicts": content.verdicts, "settings": load_settings(),
                           "articles": content.articles}, "en")
    assert (review["datePublished"], review["dateModified"]) == ("2024-04-20", "2024-05-02")
