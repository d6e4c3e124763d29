"""mkdocs.yml, the one place for the site's address and publisher: wrong values are clear errors (exit 2),
never a traceback and never a site with `None/claims/…` in its feeds."""
from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.settings import load_settings
from test_outputs import project_copy, run

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
