"""Consents are recorded against the wording's version in force, from each source; withdrawal erases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engage.accounts.models import Role
from engage.attendees import services as attendees
from engage.attendees.services import Details
from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.registrations import consents, services
from engage.registrations.models import (
    ConsentKind,
    ConsentRecord,
    ConsentWording,
    Registration,
)
from engage.registrations.needs import ERASED
from engage.registrations.services import ChangeData, Needs
from tests.registrations.conftest import NOW, data, form

DIETARY_V2 = "You may keep my dietary needs for the day and tell the caterers (version 2)"


def _records(registration_id: int) -> list[tuple[str, bool, str, int]]:
    """(kind, given, source, wording version) for each record, in the order written."""
    rows = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.registration_id == registration_id)
        .order_by(ConsentRecord.id)
    )
    return [(r.kind.value, r.given, r.source.value, r.wording.version) for r in rows]


def _book(**fields) -> int:
    event = db.session.scalar(select(Event))
    return services.register(event, data(**fields), now=NOW).registration.id


def _token(registration_id: int) -> str:
    registration = db.session.get(Registration, registration_id)
    token = services.issue_manage_token(registration, now=NOW)
    db.session.commit()
    return token


def test_the_public_form_records_each_wording_it_showed(app, client, make_event):
    make_event(slug="day")
    page = client.get("/events/day/register").get_data(as_text=True)
    assert consents.DEFAULT_TEXTS[ConsentKind.DIETARY] in page
    response = client.post(
        "/events/day/register",
        data=form(dietary_requirements="Vegan", dietary_consent="y"),
    )
    assert response.status_code == 302
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert _records(registration.id) == [
            ("privacy_notice", True, "public_form", 1),
            ("privacy", True, "public_form", 1),
            ("dietary", True, "public_form", 1),
        ]
        assert registration.dietary_consent and registration.dietary_consent_at is not None


def test_old_records_keep_their_version_when_the_wording_changes(
    app, client, make_event, make_user
):
    make_event(slug="day")
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        first = _book(dietary_requirements="Vegan", dietary_consent=True)
        v1_id = consents.current(ConsentKind.DIETARY).id
        consents.publish(
            ConsentKind.DIETARY, DIETARY_V2, actor=db.session.get(type(admin), admin.id)
        )

    page = client.get("/events/day/register").get_data(as_text=True)
    assert DIETARY_V2 in page and consents.DEFAULT_TEXTS[ConsentKind.DIETARY] not in page

    with app.app_context():
        second = _book(email="kim@example.org", dietary_requirements="Halal", dietary_consent=True)
        old = db.session.scalars(
            select(ConsentRecord).where(ConsentRecord.kind == ConsentKind.DIETARY)
        ).all()
        by_registration = {r.registration_id: r.wording for r in old}
        assert by_registration[first].id == v1_id and by_registration[first].version == 1
        assert by_registration[first].text == consents.DEFAULT_TEXTS[ConsentKind.DIETARY]
        assert by_registration[second].version == 2 and by_registration[second].text == DIETARY_V2
        # Version 1 itself was never touched.
        assert (
            db.session.get(ConsentWording, v1_id).text
            == consents.DEFAULT_TEXTS[ConsentKind.DIETARY]
        )


def test_an_organiser_records_consent_on_their_behalf(app, make_event):
    make_event()
    with app.app_context():
        event = db.session.scalar(select(Event))
        added = attendees.add_registration(
            event, data(access_requirements="Step-free", access_consent=True), notify=False, now=NOW
        ).registration
        assert _records(added.id) == [
            ("privacy_notice", True, "organiser", 1),
            ("privacy", True, "organiser", 1),
            ("access", True, "organiser", 1),
        ]
        details = Details(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.org",
            organisation="Northbridge Police",
            job_title="Inspector",
            category="police_officer",
            dietary_requirements="Coeliac",
            access_requirements="Step-free",
        )
        attendees.update_details(
            db.session.get(Registration, added.id), details, notify=False, now=NOW
        )
        assert _records(added.id)[-1] == ("dietary", True, "organiser", 1)


def test_the_self_service_change_records_given_and_cleared(app, make_event):
    make_event()
    with app.app_context():
        registration_id = _book()
        change = ChangeData(
            workshop_ids=[],
            answers={},
            needs=Needs(dietary_requirements="Vegan", dietary_consent=True),
        )
        services.change(db.session.get(Registration, registration_id), change, now=NOW)
        cleared = ChangeData(workshop_ids=[], answers={}, needs=Needs())
        services.change(db.session.get(Registration, registration_id), cleared, now=NOW)
        assert _records(registration_id)[-2:] == [
            ("dietary", True, "self_service", 1),
            ("dietary", False, "self_service", 1),
        ]


def test_the_self_service_form_shows_the_current_wording(app, client, make_event, make_user):
    make_event()
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        token = _token(_book())
        consents.publish(ConsentKind.ACCESS, "Access wording, v2", actor=admin)
    page = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert "Access wording, v2" in page


@pytest.mark.parametrize("kind,other", [("dietary", "access"), ("access", "dietary")])
def test_withdrawing_erases_at_once_and_is_recorded(
    app, client, make_event, make_user, login_as, kind, other
):
    event = make_event()
    with app.app_context():
        registration_id = _book(
            dietary_requirements="Coeliac",
            dietary_consent=True,
            access_requirements="Hearing loop",
            access_consent=True,
        )
        db.session.execute(update(OutboxMessage).values(status=MessageStatus.SENT))
        db.session.commit()
        token = _token(registration_id)

    page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert f"Withdraw consent for {kind} requirements" in page
    confirm = client.get(f"/registrations/{token}/withdraw/{kind}")
    assert confirm.status_code == 200 and "Withdraw consent and erase" in confirm.get_data(True)
    refused = client.post(f"/registrations/{token}/withdraw/{kind}")
    assert refused.status_code == 400  # not through the page's own button: nothing happens
    with app.app_context():
        assert getattr(db.session.get(Registration, registration_id), f"{kind}_consent")
    response = client.post(f"/registrations/{token}/withdraw/{kind}", data={"confirm": "yes"})
    assert response.status_code == 302 and response.location.endswith(f"/registrations/{token}")

    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        assert getattr(registration, f"{kind}_requirements") == ""
        assert not getattr(registration, f"{kind}_consent")
        assert getattr(registration, f"{kind}_consent_at") is None
        # The other answer is not touched: only what was withdrawn goes.
        assert getattr(registration, f"{other}_requirements") != ""
        assert getattr(registration, f"{other}_consent")
        assert _records(registration_id)[-1] == (kind, False, "self_service", 1)
        note = consents.WITHDRAWN_NOTE.format(kind=kind)
        assert note in [h.note for h in registration.history]
        bodies = db.session.scalars(select(OutboxMessage.body_text)).all()
        assert bodies and set(bodies) == {ERASED}

    after = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert f"Withdraw consent for {kind} requirements" not in after
    # The organiser sees it on the attendee's record, without the answer.
    organiser = make_user("organiser@example.org")
    with app.app_context():
        db.session.execute(
            event_organisers.insert().values(event_id=event.id, user_id=organiser.id)
        )
        db.session.commit()
    staff = app.test_client()
    login_as(staff, organiser)
    record = staff.get(f"/admin/events/{event.id}/attendees/{registration_id}")
    assert record.status_code == 200
    html = record.get_data(as_text=True)
    assert note in html and ("Coeliac" if kind == "dietary" else "Hearing loop") not in html


def test_nothing_to_withdraw_changes_nothing(app, client, make_event):
    make_event()
    with app.app_context():
        registration_id = _book()
        token = _token(registration_id)
        before = _records(registration_id)
    assert "Withdraw consent" not in client.get(f"/registrations/{token}").get_data(True)
    response = client.post(f"/registrations/{token}/withdraw/dietary", data={"confirm": "yes"})
    assert response.status_code == 302
    assert client.get(f"/registrations/{token}/withdraw/feedback").status_code == 404
    with app.app_context():
        assert _records(registration_id) == before
        with pytest.raises(consents.NothingToWithdraw):
            consents.withdraw(db.session.get(Registration, registration_id), ConsentKind.DIETARY)


def test_the_organisers_form_names_the_wording_it_records(app, make_event, make_user, login_as):
    event = make_event()
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        consents.publish(ConsentKind.DIETARY, "Dietary wording, v2", actor=admin)
    staff = app.test_client()
    login_as(staff, admin)
    page = staff.get(f"/admin/events/{event.id}/attendees/new").get_data(as_text=True)
    assert "Recorded on their behalf as agreeing to: “Dietary wording, v2”" in page
