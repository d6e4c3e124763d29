"""mkdocs.yml, the one place for the site's address and publisher: wrong values are clear errors (exit 2),
never a traceback and never a site with `None/claims/…` in its feeds."""
from __future__ import annotations

import re

import pytest

from generator.errors import ConfigError
from generator.settings import load_settings
from conftest import project_copy
from test_outputs import run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("value", ["~", "''", "/relative/", "factcheck.example.org", "ftp://example.org/",
                                   "https://user@evil.example/", "'https://exa mple.org/'"])
def test_site_url_must_be_an_absolute_http_address(tmp_path, value):
    from generator.settings import PROJECT_ROOT

    yml = tmp_path / "mkdocs.yml"
    text = (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    yml.write_text(text.replace("site_url: https://factcheck.example.org/", f"site_url: {value}"), encoding="utf-8")
    with pytest.raises(ConfigError, match="site_url"):
        load_settings(yml)


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_broken_mkdocs_yml_is_a_message(tmp_path, command):
    project = project_copy(tmp_path)
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("theme:\n  name: material", "theme:\n name: [material"),
                   encoding="utf-8")
    proc = run(command, "--site-dir" if command == "build" else "--dev-addr",
               tmp_path / "site" if command == "build" else "127.0.0.1:0", cwd=project)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "mkdocs.yml:" in proc.stderr and "YAML syntax error" in proc.stderr


CORRECTIONS = "    corrections:\n      email: corrections@factcheck.example.org\n"
POLICY = "      review: true "


@pytest.mark.parametrize("old, new, key", [
    (CORRECTIONS, "", "`extra.organization.corrections` must give `email`"),
    (CORRECTIONS, "    corrections: {}\n", "`extra.organization.corrections` must give `email`"),
    (CORRECTIONS, "    corrections: {phone: 123}\n", "unknown key(s): phone"),
    (CORRECTIONS, "    corrections: {email: not-an-address}\n", "`extra.organization.corrections.email` must be"),
    (CORRECTIONS, "    corrections: {url: /report}\n", "`extra.organization.corrections.url` must be"),
    (POLICY, "      review: yes please", "`extra.factcheck.policy.review` must be true"),
    ("archive_after: null", "archive_after: soon", "`extra.factcheck.policy.archive_after` must be a date"),
    ("review_after: 2026-11-20", "review_after: 2026-11-20T10:00:00", "`extra.factcheck.policy.review_after` must be"),
    ("      hosts: [web.archive.org", "      hosts: [Web Archive", "`extra.factcheck.archive.hosts` must be a list"),
    ("timeout: 30", "timeout: 0", "`extra.factcheck.archive.timeout` must be a number above 0"),
    ("rate: 1 ", "rate: fast ", "`extra.factcheck.archive.rate` must be a number above 0"),
    ("endpoint: https://archive.org/wayback/available", "endpoint: archive.org", "`extra.factcheck.archive.endpoint`"),
    ("    policy:\n", "    policy: [review]\n    old_policy:\n", "`extra.factcheck.policy` must be a mapping"),
])
def test_the_desks_settings_are_checked(tmp_path, old, new, key):
    from generator.settings import PROJECT_ROOT

    text = (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert old in text, old
    yml = tmp_path / "mkdocs.yml"
    yml.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mkdocs\.yml: .*" + re.escape(key)):
        load_settings(yml)


def test_the_desks_settings_are_read(tmp_path):
    import datetime as dt

    from generator.settings import PROJECT_ROOT

    text = (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    settings = load_settings(PROJECT_ROOT / "mkdocs.yml")
    assert settings.corrections.email == "corrections@factcheck.example.org" and settings.corrections.url is None
    assert settings.policy.review is True and settings.policy.review_after == dt.date(2026, 11, 20)
    assert settings.policy.archive_after is None
    assert "web.archive.org" in settings.policy.archive_hosts and "perma.cc" in settings.policy.archive_hosts
    assert (settings.archive.timeout, settings.archive.rate) == (30.0, 1.0)
    yml = tmp_path / "mkdocs.yml"
    yml.write_text(text.replace("archive_after: null", "archive_after: 2026-12-01").replace(POLICY, "      review: false")
                   .replace(CORRECTIONS, CORRECTIONS + "      url: https://desk.org/report?page={url}\n"), encoding="utf-8")
    settings = load_settings(yml)
    assert settings.policy.review is False and settings.policy.archive_after == dt.date(2026, 12, 1)
    assert settings.corrections.url == "https://desk.org/report?page={url}"
