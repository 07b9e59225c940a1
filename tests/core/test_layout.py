"""The house's layout holds: features depend one way, and mail is plumbing only.

Each feature may import the core and the features below it, never one above:
registrations and news sit on events, events on accounts, accounts on mail,
mail on the core alone. A lower feature tells a higher one through signals
(engage.events.signals), so a wrong-way import here fails the suite.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "engage"
# Rank of each feature package (the audit log is as low as the core). A module may
# import only lower ranks and the core,
# never a feature of its own rank or above.
RANKS = {"audit": 0, "mail": 1, "accounts": 2, "events": 3, "news": 4, "registrations": 4}
RANKS["organisations"] = 3  # reference data registrations choose from
RANKS["public"] = 5
RANKS["attendees"] = 5  # the organiser's side of registrations
RANKS["checkin"] = 6  # the desk on the day, built on the attendees' rules
RANKS["privacy"] = 7  # subject access and erasure: reads every feature's personal data
RANKS["feedback"] = 7  # the survey after the day, built on registrations and attendees
# After the day: built on the registrations' record of who came; below feedback, whose
# invitation carries the certificate link.
RANKS["certificates"] = 6
RANKS["reports"] = 8  # reach across the features: figures, feedback scores; may import all
# The wiring that names every feature on purpose.
WIRING = {"__init__.py", "models.py", "cli.py", "demo.py", "devserver.py"}


def _feature(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "engage" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in RANKS else "core"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("engage")}


def wrong_way_imports(package: Path = PACKAGE) -> list[str]:
    """Every import that points up (or sideways) the feature order, as 'module -> import'."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent)
        module = ".".join(relative.with_suffix("").parts)
        if path.parent == package and path.name in WIRING:
            continue
        own = _feature(module)
        own_rank = RANKS.get(own, 0)
        for imported in sorted(_imports(path)):
            other = _feature(imported)
            if other in (None, own):
                continue
            if RANKS.get(other, 0) >= own_rank and other != "core":
                problems.append(f"{module} -> {imported}")
    return problems


def test_features_depend_one_way():
    assert wrong_way_imports() == []


def test_mail_imports_no_feature():
    imports = set().union(*(_imports(p) for p in (PACKAGE / "mail").rglob("*.py")))
    features = {_feature(name) for name in imports} - {"core", "mail", "audit", None}
    assert features == set()


def test_the_check_catches_a_wrong_way_import(tmp_path):
    """Control: an events module importing registrations is reported."""
    events = tmp_path / "engage" / "events"
    events.mkdir(parents=True)
    (events / "bad.py").write_text("from engage.registrations import services\n")
    (tmp_path / "engage" / "mail").mkdir()
    (tmp_path / "engage" / "mail" / "bad.py").write_text("import engage.accounts.models\n")
    assert wrong_way_imports(tmp_path / "engage") == [
        "engage.events.bad -> engage.registrations",
        "engage.mail.bad -> engage.accounts.models",
    ]


@pytest.mark.parametrize("core", ["engage/db.py", "engage/forms.py", "engage/urls.py"])
def test_the_core_imports_no_feature(core):
    path = PACKAGE.parent / core
    assert {_feature(name) for name in _imports(path)} <= {"core", None}
