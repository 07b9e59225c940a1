"""The list's rules: one entry per name whatever its case, retire and restore, load once."""

import pytest

from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.organisations import services
from engage.organisations.models import Organisation, OrganisationKind

POLICE = OrganisationKind.POLICE_FORCE


def _names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Organisation.name).order_by(Organisation.id)))


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_names_are_unique_whatever_their_case(app, make_organisation):
    make_organisation("Northbridge Police")
    with app.app_context():
        for clash in ("Northbridge police", "NORTHBRIDGE  POLICE ", "northbridge police"):
            with pytest.raises(services.NameTaken):
                services.add(clash, POLICE)
    assert _names(app) == ["Northbridge Police"]
    assert _actions(app) == ["organisation.added"]


def test_the_index_refuses_a_folded_duplicate_the_service_did_not_see(app, make_organisation):
    """Control for the rule above: the database holds it too, should two admins race."""
    make_organisation("Northbridge Police")
    with app.app_context():
        db.session.add(
            Organisation(name="NORTHBRIDGE POLICE", name_key="northbridge police", kind=POLICE)
        )
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            db.session.commit()
        db.session.rollback()


def test_rename_keeps_its_own_name_free_and_refuses_another(app, make_organisation):
    first = make_organisation("Northbridge Police")
    make_organisation("Southbridge Police")
    with app.app_context():
        entry = db.session.get(Organisation, first.id)
        services.rename(entry, "Northbridge police", POLICE)  # its own name, recased
        with pytest.raises(services.NameTaken):
            services.rename(entry, "southbridge police", POLICE)
        services.rename(entry, "Northbridge Police Service", OrganisationKind.OTHER_PUBLIC)
        entry = db.session.get(Organisation, first.id)
        assert (entry.name, entry.name_key, entry.kind) == (
            "Northbridge Police Service",
            "northbridge police service",
            OrganisationKind.OTHER_PUBLIC,
        )
    assert _actions(app).count("organisation.updated") == 2


def test_a_retired_entry_is_not_offered_but_still_resolves_for_its_registration(
    app, make_organisation
):
    kept = make_organisation("Northbridge Police")
    gone = make_organisation("Old Constabulary", active=False)
    with app.app_context():
        assert [o.name for o in services.offered()] == ["Northbridge Police"]
        assert [o.name for o in services.offered(also=gone.id)] == [
            "Northbridge Police",
            "Old Constabulary",
        ]
        with pytest.raises(services.NotOffered):
            services.resolve(str(gone.id), "")
        assert services.resolve(str(gone.id), "", also=gone.id) == (gone.id, "Old Constabulary")
        assert services.resolve(str(kept.id), "ignored text") == (kept.id, "Northbridge Police")
    assert "organisation.retired" in _actions(app)


def test_restore_offers_it_again(app, make_organisation):
    gone = make_organisation("Old Constabulary", active=False)
    with app.app_context():
        services.set_active(db.session.get(Organisation, gone.id), True)
        assert [o.name for o in services.offered()] == ["Old Constabulary"]
    assert _actions(app)[-1] == "organisation.restored"


def test_resolve_other_keeps_what_was_typed_or_finds_it_in_the_list(app, make_organisation):
    listed = make_organisation("Northbridge Police")
    with app.app_context():
        assert services.resolve("other", "  Acme Research  ") == (None, "Acme Research")
        # Typed under Other (or with nothing chosen) but in the list: it is the listed one.
        assert services.resolve("other", "northbridge police") == (listed.id, "Northbridge Police")
        assert services.resolve("", "Acme Research") == (None, "Acme Research")
        with pytest.raises(services.OtherNameNeeded):
            services.resolve("other", "  ")
        with pytest.raises(services.OrganisationNeeded):
            services.resolve("", "")
        for forged in ("999999", "99999999999999999999", "-1", "x", "\uff11"):
            with pytest.raises(services.NotOffered):
                services.resolve(forged, "")


def test_load_is_idempotent_and_skips_names_already_there(app, make_organisation):
    make_organisation("kent police", OrganisationKind.OTHER)  # an admin's spelling stays
    entries = [("Kent Police", "police_force"), ("Essex Police", "police_force")]
    with app.app_context():
        assert services.load_starting_list(entries) == 1
        assert services.load_starting_list(entries) == 0
    assert _names(app) == ["kent police", "Essex Police"]


def test_load_ships_the_whole_list_once(app):
    with app.app_context():
        first = services.load_starting_list()
        assert first > 190
        assert services.load_starting_list() == 0
        assert db.session.scalar(db.select(db.func.count(Organisation.id))) == first


def test_the_cli_command_loads_once(app, runner):
    result = runner.invoke(args=["engage", "organisations", "load"])
    assert result.exit_code == 0, result.output
    assert "added" in result.output
    again = runner.invoke(args=["engage", "organisations", "load"])
    assert "Organisations: 0 added" in again.output


def test_listing_searches_folded_names_and_counts_kinds(app, make_organisation):
    make_organisation("Northbridge Police")
    make_organisation("University of Northbridge", OrganisationKind.UNIVERSITY)
    make_organisation("Old Constabulary", active=False)
    with app.app_context():
        found = services.listing("NORTHBRIDGE")
        assert [o.name for o in found.organisations] == [
            "Northbridge Police",
            "University of Northbridge",
        ]
        assert found.counts[POLICE] == 1 and found.counts[OrganisationKind.UNIVERSITY] == 1
        assert found.counts[OrganisationKind.CHARITY] == 0 and found.retired == 1
        assert services.listing("100%_").organisations == []
