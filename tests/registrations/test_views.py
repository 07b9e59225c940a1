"""The registration form, its confirmation page and the self-service pages over HTTP."""

import re

import pytest

from engage.db import LockUnavailable
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations import services
from engage.registrations.attachments import checkin_qr_svg
from engage.registrations.models import Registration, RegistrationStatus
from tests.registrations.conftest import FORM_FIELDS, form, qr_link


def _registrations(app):
    with app.app_context():
        return list(db.session.scalars(db.select(Registration).order_by(Registration.id)))


def _token(app, kind="registration_confirmation"):
    with app.app_context():
        body = db.session.scalars(
            db.select(OutboxMessage.body_text)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"/registrations/(\S+)", body).group(1)


def _ids(app, event):
    with app.app_context():
        return [w.id for w in db.session.get(Event, event.id).workshops]


def test_event_page_links_to_the_form(client, make_event):
    make_event(slug="day")
    html = client.get("/events/day").get_data(as_text=True)
    assert 'href="/events/day/register"' in html and ">Register<" in html


def test_form_shows_every_field_with_labels(client, workshop_event):
    workshop_event(slug="day")
    response = client.get("/events/day/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in FORM_FIELDS:
        assert f'name="{name}"' in html, name
    assert "What do you hope to learn?" in html and "Need parking?" in html
    assert 'href="/privacy"' in html
    # The organisation is chosen from a list (a select, not free-text suggestions).
    assert re.search(r'<select [^>]*id="organisation_choice"', html)
    assert "<datalist" not in html
    # Consents are unticked and name what they cover.
    assert re.search(r'<input[^>]*checked[^>]*name="dietary_consent"', html) is None
    assert "keep my dietary requirements" in html and "keep my access requirements" in html
    assert ">Register</button>" in html
    assert "<title>Register for" in html
    assert "2 places left" in html


def test_success_redirects_to_a_confirmation_that_says_what_happens_next(app, client, make_event):
    make_event(slug="day", capacity=5)
    response = client.post("/events/day/register", data=form(email="Ada@Example.org"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/day/registered")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Registration complete" in html and "What happens next" in html
    assert "ada@example.org" in html and "reminder" in html and "cancel" in html
    assert page.headers["Cache-Control"] == "no-store"
    # Refreshing the confirmation does not book again.
    client.get(response.headers["Location"])
    assert [r.email for r in _registrations(app)] == ["ada@example.org"]


def test_double_submit_books_once_and_shows_the_confirmation(app, client, make_event):
    make_event(slug="day")
    client.post("/events/day/register", data=form())
    again = client.post("/events/day/register", data=form())
    assert again.status_code == 302 and again.headers["Location"].endswith("/registered")
    assert len(_registrations(app)) == 1


def test_confirmation_without_a_registration_goes_back_to_the_event(client, make_event):
    make_event(slug="day")
    response = client.get("/events/day/registered")
    assert response.status_code == 302 and response.headers["Location"].endswith("/events/day")


def test_waiting_list_form_and_confirmation(app, client, make_event):
    make_event(slug="day", capacity=1)
    app.test_client().post("/events/day/register", data=form(email="first@example.org"))
    page = client.get("/events/day/register").get_data(as_text=True)
    assert ">Join the waiting list</button>" in page
    response = client.post("/events/day/register", data=form(), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You are on the waiting list" in html and "number <strong>1</strong>" in html
    event_page = client.get("/events/day").get_data(as_text=True)
    assert "Join the waiting list" in event_page


def test_errors_are_summarised_linked_and_typed_values_kept(app, client, workshop_event):
    workshop_event(slug="day")
    response = client.post(
        "/events/day/register",
        data=form(first_name="", email="not-an-email", privacy=None, organisation="Kept Org"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and "There is a problem" in html
    assert '<a href="#first_name">Enter your first name</a>' in html
    assert 'href="#email">Enter an email address in the correct format' in html
    assert 'href="#privacy">Agree to the privacy notice' in html
    assert "Answer the question “How will you travel?”" in html
    assert 'value="Kept Org"' in html and 'value="not-an-email"' in html
    assert _registrations(app) == []


def test_workshop_rules_show_against_the_workshops(app, client, workshop_event):
    event = workshop_event(slug="day", max_workshops=2)
    a, b, c = _ids(app, event)
    response = client.post(
        "/events/day/register", data=form(workshops=[str(a), str(b)], question_2="Car")
    )
    html = response.get_data(as_text=True)
    assert "run at the same time" in html and 'href="#workshops-0"' in html
    assert _registrations(app) == []
    too_many = client.post(
        "/events/day/register",
        data=form(workshops=[str(a), str(b), str(c)], question_2="Car"),
    )
    assert "Choose no more than 2 workshops" in too_many.get_data(as_text=True)


def _outbox_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(OutboxMessage.id)))


@pytest.mark.parametrize(
    ("kind", "typed"), [("dietary", "Halal"), ("access", "I use a wheelchair")]
)
def test_a_need_without_its_consent_stops_the_form(app, client, make_event, kind, typed):
    make_event(slug="day")
    response = client.post(
        "/events/day/register",
        data=form(**{f"{kind}_requirements": typed}, organisation="Kept Org"),
    )
    html = response.get_data(as_text=True)
    message = f"Tick the box to let us keep your {kind} requirements, or clear the box"
    assert response.status_code == 200
    assert "<title>Error: " in html and "There is a problem" in html
    assert f'<a href="#{kind}_consent">{message}</a>' in html
    assert f'id="{kind}_consent-error"' in html
    assert re.search(rf">\s*{typed}</textarea>", html) and 'value="Kept Org"' in html
    assert _registrations(app) == [] and _outbox_count(app) == 0


def test_requirements_with_consent_are_kept(app, client, make_event):
    make_event(slug="day")
    client.post(
        "/events/day/register",
        data=form(dietary_requirements="Coeliac", dietary_consent="y"),
    )
    [registration] = _registrations(app)
    assert registration.dietary_requirements == "Coeliac" and registration.dietary_consent
    assert registration.dietary_consent_at is not None
    confirmation = client.get("/events/day/registered").get_data(as_text=True)
    assert "register again" not in confirmation and "Registration complete" in confirmation


def test_honeypot_turns_away_with_a_message_and_saves_nothing(app, client, make_event):
    make_event(slug="day")
    response = client.post("/events/day/register", data=form(website="http://spam.example"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leave this field empty" in html and "was not sent" in html
    assert _registrations(app) == []


def test_closed_event_shows_why(client, make_event):
    from tests.conftest import london

    make_event(slug="day", registration_closes_at=london(2026, 1, 1))
    response = client.get("/events/day/register")
    assert response.status_code == 200
    assert "Registration for this event has closed" in response.get_data(as_text=True)
    assert client.post("/events/day/register", data=form()).status_code == 200


def test_unknown_or_draft_event_is_404(client, make_event):
    make_event(slug="draft", is_published=False)
    assert client.get("/events/draft/register").status_code == 404
    assert client.get("/events/none/register").status_code == 404


def test_lock_unavailable_is_a_friendly_try_again(app, client, make_event, monkeypatch):
    make_event(slug="day")

    def busy(*args, **kwargs):
        raise LockUnavailable()

    monkeypatch.setattr(services, "register", busy)
    response = client.post("/events/day/register", data=form())
    assert response.status_code == 200
    assert "Please try again" in response.get_data(as_text=True)


def test_registration_rate_limit_is_configurable_and_answers_429_on_the_form(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per hour")
    make_event(slug="day")
    client = app.test_client()
    assert client.post("/events/day/register", data=form(email="1@example.org")).status_code == 302
    assert client.post("/events/day/register", data=form(email="2@example.org")).status_code == 302
    blocked = client.post("/events/day/register", data=form(email="3@example.org"))
    assert blocked.status_code == 429
    assert "You can try again after" in blocked.get_data(as_text=True)
    assert client.get("/events/day/register").status_code == 200  # reading is not limited
    assert len(_registrations(app)) == 2


def test_csrf_is_required(make_app, make_event):
    app = make_app(WTF_CSRF_ENABLED=True)
    make_event(slug="day")
    response = app.test_client().post("/events/day/register", data=form())
    assert response.status_code == 400
    assert _registrations(app) == []


def test_event_page_counts_confirmed_places_and_workshop_places(app, client, workshop_event):
    event = workshop_event(slug="day", capacity=3)
    a, _, _ = _ids(app, event)
    client.post("/events/day/register", data=form(workshops=[str(a)], question_2="Car"))
    html = client.get("/events/day").get_data(as_text=True)
    assert "2 places left" in html
    assert "(workshop, 1 place left)" in html and "places:" not in html


# --- the self-service link ------------------------------------------------------


@pytest.fixture
def booked(app, client, workshop_event):
    """An event with a registration made through the form; its token."""
    event = workshop_event(slug="day", capacity=1)
    a, _, _c = _ids(app, event)
    client.post("/events/day/register", data=form(workshops=[str(a)], question_2="Car"))
    return _token(app)


def test_manage_page_shows_the_registration_privately(client, booked):
    response = client.get(f"/registrations/{booked}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Place confirmed" in html and "Ada Lovelace" in html and "Learning from failure" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert ">Cancel my place</a>" in html


def test_wrong_token_is_the_same_404_as_missing(client, booked):
    wrong = client.get(f"/registrations/{booked[:-2]}xx")
    missing = client.get("/registrations/nothing-here")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.get_data() == missing.get_data()
    assert client.get(f"/registrations/{booked}x/edit").status_code == 404
    assert client.post(f"/registrations/{'a' * 300}/cancel").status_code == 404


def test_edit_changes_workshop_and_answers(app, client, booked):
    with app.app_context():
        ids = [w.id for w in db.session.scalars(db.select(Event)).one().workshops]
    page = client.get(f"/registrations/{booked}/edit")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<input checked[^>]*value="Car"', page.get_data(as_text=True))
    response = client.post(
        f"/registrations/{booked}/edit", data={"workshops": [str(ids[1])], "question_2": "Train"}
    )
    assert response.status_code == 302
    [registration] = _registrations(app)
    with app.app_context():
        registration = db.session.get(Registration, registration.id)
        assert [w.id for w in registration.workshops] == [ids[1]]
        assert [a.value for a in registration.answers] == ["Train"]


def test_edit_refuses_overlap_with_a_message(app, client, booked):
    with app.app_context():
        ids = [w.id for w in db.session.scalars(db.select(Event)).one().workshops]
    response = client.post(
        f"/registrations/{booked}/edit",
        data={"workshops": [str(ids[0]), str(ids[1])], "question_2": "Car"},
    )
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "run at the same time" in html


def _needs(**changes):
    fields = {"workshops": [], "question_2": "Car"}
    fields.update(changes)
    return fields


def test_edit_adds_changes_and_clears_needs_with_consent(app, client, booked):
    page = client.get(f"/registrations/{booked}/edit").get_data(as_text=True)
    assert 'name="dietary_requirements"' in page and 'name="access_consent"' in page
    added = client.post(
        f"/registrations/{booked}/edit",
        data=_needs(dietary_requirements="Halal", dietary_consent="y"),
        follow_redirects=True,
    )
    assert "Your registration has been updated." in added.get_data(as_text=True)
    [registration] = _registrations(app)
    assert registration.dietary_requirements == "Halal" and registration.dietary_consent
    assert registration.dietary_consent_at is not None
    with app.app_context():
        notes = [h.note for h in db.session.get(Registration, registration.id).history]
    assert notes[-1] == services.NEEDS_CHANGED_NOTE
    page = client.get(f"/registrations/{booked}/edit").get_data(as_text=True)
    assert re.search(r">\s*Halal</textarea>", page) and re.search(
        r'<input checked[^>]*id="dietary_consent"', page
    )
    client.post(
        f"/registrations/{booked}/edit",
        data=_needs(access_requirements="Step-free", access_consent="y"),
    )
    [registration] = _registrations(app)
    assert registration.dietary_requirements == "" and not registration.dietary_consent
    assert registration.access_requirements == "Step-free" and registration.access_consent_at


def test_edit_refuses_a_need_without_consent(app, client, booked):
    response = client.post(
        f"/registrations/{booked}/edit", data=_needs(access_requirements="Hearing loop")
    )
    html = response.get_data(as_text=True)
    message = "Tick the box to let us keep your access requirements, or clear the box"
    assert response.status_code == 200 and "<title>Error: " in html
    assert f'<a href="#access_consent">{message}</a>' in html
    assert re.search(r">\s*Hearing loop</textarea>", html)
    [registration] = _registrations(app)
    assert registration.access_requirements == "" and registration.access_consent_at is None


def test_cancel_asks_first_then_cancels_and_promotes(app, client, booked):
    app.test_client().post(
        "/events/day/register", data=form(email="next@example.org", question_2="Car")
    )
    page = client.get(f"/registrations/{booked}/cancel")
    assert page.status_code == 200 and ">Cancel my place</button>" in page.get_data(as_text=True)
    assert _registrations(app)[0].status == RegistrationStatus.CONFIRMED
    done = client.post(f"/registrations/{booked}/cancel", follow_redirects=True)
    assert "Your place has been cancelled" in done.get_data(as_text=True)
    first, second = _registrations(app)
    assert first.status == RegistrationStatus.CANCELLED
    assert second.status == RegistrationStatus.CONFIRMED
    # The link still shows the cancelled registration, with nothing left to do.
    html = client.get(f"/registrations/{booked}").get_data(as_text=True)
    assert "Cancelled" in html and "Cancel my place" not in html
    assert client.get(f"/registrations/{booked}/edit").status_code == 302


def test_leave_the_waiting_list(app, client, booked):
    other = app.test_client()
    other.post("/events/day/register", data=form(email="w@example.org", question_2="Car"))
    token = _token(app, "waitlist_joined")
    html = other.get(f"/registrations/{token}").get_data(as_text=True)
    assert "number 1 in line" in html and "Leave the waiting list" in html
    page = other.get(f"/registrations/{token}/leave-waiting-list").get_data(as_text=True)
    assert ">Leave the waiting list</button>" in page
    done = other.post(f"/registrations/{token}/leave-waiting-list", follow_redirects=True)
    assert "You have left the waiting list" in done.get_data(as_text=True)
    assert _registrations(app)[1].status == RegistrationStatus.CANCELLED


def test_cancel_needs_csrf(make_app, make_event):
    app = make_app(WTF_CSRF_ENABLED=True)
    make_event(slug="day")
    client = app.test_client()
    page = client.get("/events/day/register").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/events/day/register", data=form(csrf_token=csrf)).status_code == 302
    token = _token(app)
    assert client.post(f"/registrations/{token}/cancel").status_code == 400
    assert _registrations(app)[0].status == RegistrationStatus.CONFIRMED


def test_every_self_service_page_is_private(client, booked):
    for path in ("", "/edit", "/cancel"):
        response = client.get(f"/registrations/{booked}{path}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_promotion_without_a_full_workshop_is_explained(app, client, workshop_event):
    event = workshop_event(slug="day", capacity=1)
    a, _, _ = _ids(app, event)
    client.post("/events/day/register", data=form(workshops=[str(a)], question_2="Car"))
    first = _token(app)
    waiting = app.test_client()
    waiting.post(
        "/events/day/register",
        data=form(email="w@example.org", workshops=[str(a)], question_2="Car"),
    )
    token = _token(app, "waitlist_joined")
    with app.app_context():
        db.session.get(Event, event.id).workshops[0].capacity = 0
        db.session.commit()
    client.post(f"/registrations/{first}/cancel")
    html = waiting.get(f"/registrations/{token}").get_data(as_text=True)
    assert "Place confirmed" in html
    assert "some workshops you chose were already full" in html
    assert "Learning from failure" in html


def test_manage_page_shows_the_check_in_code_for_a_confirmed_place(app, client, booked):
    html = client.get(f"/registrations/{booked}").get_data(as_text=True)
    with app.app_context():
        code = db.session.scalars(db.select(Registration)).one().checkin_code
    svg = checkin_qr_svg(qr_link(app, code))
    assert svg in html  # the emailed QR (the check-in link with the code), drawn inline
    assert '<div class="checkin-code__image" role="img" aria-label="Your check-in QR code">' in html
    # Inline markup the CSP lets through (style-src 'self', script-src 'self'): no style, no script.
    assert "style" not in svg and "<script" not in svg and "href" not in svg


def test_manage_page_shows_no_code_while_waiting_or_once_cancelled(app, client, booked):
    other = app.test_client()
    other.post("/events/day/register", data=form(email="w@example.org", question_2="Car"))
    waiting = other.get(f"/registrations/{_token(app, 'waitlist_joined')}").get_data(as_text=True)
    assert "You are number 1 in line." in waiting and "checkin-code" not in waiting
    client.post(f"/registrations/{booked}/cancel")
    assert "checkin-code" not in client.get(f"/registrations/{booked}").get_data(as_text=True)
