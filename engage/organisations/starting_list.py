"""The list Engage ships with: the UK's police forces, policing bodies and universities.

Read by the data migration and by `flask engage organisations load`, so it names
no model: one name per line in each file of data/, the file saying the kind.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# file name -> kind (an OrganisationKind value)
FILES = {
    "uk_police_forces.txt": "police_force",
    "uk_policing_bodies.txt": "other_public",
    "uk_universities.txt": "university",
}


def read(name: str, folder: Path = DATA) -> list[str]:
    """The names in one data file, in order; blank lines and # comments skipped."""
    lines = (folder / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def entries(folder: Path = DATA) -> list[tuple[str, str]]:
    """Every shipped (name, kind) pair, police first."""
    return [(name, kind) for file, kind in FILES.items() for name in read(file, folder)]
