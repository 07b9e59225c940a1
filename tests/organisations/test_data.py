"""The shipped list: no name twice (in any case), and about as many as the UK has."""

from collections import Counter

from engage.organisations import starting_list
from engage.organisations.models import OrganisationKind
from engage.search import fold


def test_no_name_is_shipped_twice_in_any_case():
    keys = Counter(fold(name) for name, _ in starting_list.entries())
    assert [key for key, count in keys.items() if count > 1] == []


def test_the_counts_are_sensible():
    kinds = Counter(kind for _, kind in starting_list.entries())
    # 43 territorial forces in England and Wales, Police Scotland, PSNI, and the three
    # national special forces (British Transport, Civil Nuclear, Ministry of Defence).
    assert kinds[OrganisationKind.POLICE_FORCE.value] == 48
    assert 140 <= kinds[OrganisationKind.UNIVERSITY.value] <= 170
    assert 5 <= kinds[OrganisationKind.OTHER_PUBLIC.value] <= 30
    assert set(kinds) <= {kind.value for kind in OrganisationKind}


def test_names_are_tidy():
    for name, _ in starting_list.entries():
        assert name == " ".join(name.split()), name
        assert len(name) <= 200


def test_well_known_entries_are_there():
    names = {name for name, _ in starting_list.entries()}
    for expected in (
        "Metropolitan Police Service",
        "Police Scotland",
        "Police Service of Northern Ireland",
        "British Transport Police",
        "National Crime Agency",
        "College of Policing",
        "University of Oxford",
        "Cardiff University",
        "University of Edinburgh",
        "Queen's University Belfast",
    ):
        assert expected in names


def test_a_duplicate_would_be_caught(tmp_path):
    """Control: a file naming an entry twice, in another case, fails the check."""
    for name in starting_list.FILES:
        (tmp_path / name).write_text("Kent Police\n# a comment\n\nKENT POLICE\n", "utf-8")
    keys = Counter(fold(name) for name, _ in starting_list.entries(tmp_path))
    assert keys["kent police"] == 6
