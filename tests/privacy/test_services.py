"""Subject access and erasure as services: what is found, what goes, what stays."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from engage.accounts.models import Role, ThrottleHit
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.privacy import access, erasure
from engage.privacy.personal import as_text, email_columns, search_everywhere
from engage.registrations.models import Registration, RegistrationStatus
from tests.privacy.conftest import ADDRESS, LOOKALIKE
from tests.registrations.conftest import NOW


def test_subject_access_finds_everything_held(app, person):
    with app.test_request_context():
        document = access.export(access.find(ADDRESS))
    json.dumps(document)  # JSON-ready as it is
    registrations = document["registrations"]
    assert len(registrations) == 2
    day = next(r for r in registrations if r["event"]["title"] != "Event 2")
    assert day["email"] == ADDRESS
    assert day["workshops"] == ["Workshop A"]
    assert day["dietary_requirements"] == "Vegan"
    assert day["consents"]["dietary requirements"]["given"] is True
    assert day["consents"]["privacy notice"]["at"].startswith("2026-12-01")
    assert {"question": "How will you travel?", "answer": "Car"} in day["answers"]
    assert [h["action"] for h in day["history"]] == ["registered"]
    assert {e["to"] for e in document["emails"]} == {ADDRESS}
    assert document["emails"][0]["subject"]
    summaries = [e["summary"] for e in document["audit_entries"]]
    assert summaries == [f"Phoned: {ADDRESS} will be late"]  # not Nada's
    assert document["staff_account"] is None
    mentioned = {m["table"] for m in document["mentioned_elsewhere"]}
    # Nada and Grace typed Ada's address in an answer: that is about Ada too, and so are
    # their confirmations, which repeat their answers.
    assert mentioned == {"mailings", "registration_answers", "outbox_messages"}
    # Of another person's record, only the passages about Ada: not their whole email.
    passages = [
        passage
        for mention in document["mentioned_elsewhere"]
        for found in mention["values"].values()
        for passage in found
    ]
    assert passages and all(ADDRESS in passage.lower() for passage in passages)
    assert max(len(passage) for passage in passages) <= len(ADDRESS) + 2 * 60 + 2
    # Nada's registration is not Ada's, though her address holds Ada's.
    assert LOOKALIKE not in json.dumps(document)


def test_the_csv_rows_are_section_field_value(app, person):
    with app.test_request_context():
        rows = access.csv_rows(access.export(access.find(ADDRESS)))
    assert ["email_address", "email_address", ADDRESS] in rows
    assert any(r[0] == "registrations" and r[1].endswith(".dietary_requirements") for r in rows)


def test_erasure_leaves_no_trace_in_any_personal_column(app, person):
    with app.test_request_context():
        assert search_everywhere(ADDRESS)  # control: the walk does find it before
        erased = erasure.erase(ADDRESS, now=NOW)
        assert search_everywhere(ADDRESS) == []
        # Nothing else that reads like an address was touched, in any case.
        for entry in email_columns():
            for column in entry.columns:
                text = as_text(column)
                count = db.session.scalar(
                    select(func.count())
                    .select_from(entry.table)
                    .where(text.contains(ADDRESS))
                    .where(~text.contains(LOOKALIKE))
                )
                assert count == 0, f"{entry.table.name}.{column.name}"
        assert db.session.get(Registration, person["nada"]).email == LOOKALIKE
        assert (
            db.session.scalar(select(func.count()).where(AuditEntry.summary.contains(LOOKALIKE)))
            == 1
        )
        assert db.session.get(Registration, person["ada"]) is None
        assert db.session.scalar(select(func.count()).select_from(ThrottleHit)) == 0
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.erased"))
        assert "2 registration(s)" in entry.summary
        assert "ada" not in entry.summary.lower()
    assert erased.registrations == 2
    assert erased.promoted == 1


def test_erasing_a_confirmed_place_promotes_the_waiting_list(app, person):
    with app.test_request_context():
        assert db.session.get(Registration, person["grace"]).status == RegistrationStatus.WAITLISTED
        db.session.rollback()
        erasure.erase(ADDRESS, now=NOW)
        grace = db.session.get(Registration, person["grace"])
        assert grace.status == RegistrationStatus.CONFIRMED
        promoted = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.kind.contains("promot"))
        ).all()
        assert promoted == ["grace@example.org"]


def test_a_staff_address_is_refused_and_nothing_changes(app, person, make_user):
    make_user(ADDRESS, role=Role.ORGANISER)
    with app.test_request_context():
        with pytest.raises(erasure.StaffAccount):
            erasure.erase(ADDRESS, now=NOW)
        assert db.session.get(Registration, person["ada"]) is not None
        assert access.find(ADDRESS).user is not None


def test_no_empty_address_is_ever_searched(app):
    with app.test_request_context(), pytest.raises(ValueError):
        erasure.erase("", now=NOW)


def _queries(app, address: str) -> int:
    count = 0

    def counted(*args):
        nonlocal count
        count += 1

    with app.test_request_context():
        sa_event.listen(db.engine, "before_cursor_execute", counted)
        try:
            access.export(access.find(address))
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_subject_access_costs_the_same_queries_for_one_row_or_many(app, make_event):
    """2,000 registrations: the count of queries does not grow with the person's rows."""
    events = [make_event(slug=f"e{n}", capacity=None) for n in range(40)]
    with app.app_context():
        rows = []
        for number in range(2000):
            event = events[number % len(events)]
            many = number < len(events)  # many@ is booked on all 40 events; the others once
            rows.append(
                dict(
                    event_id=event.id,
                    status="confirmed",
                    email="many@example.org" if many else f"p{number}@example.org",
                    first_name="P",
                    last_name=str(number),
                    organisation="O",
                    job_title="J",
                    category="academic",
                    checkin_code=f"{number:032d}",
                )
            )
        db.session.execute(Registration.__table__.insert(), rows)
        db.session.commit()
    one, many = _queries(app, "p1999@example.org"), _queries(app, "many@example.org")
    assert one == many
    assert many <= 12 + len(email_columns())
