"""An organiser creates and publishes an event with two workshops; visitors then see it."""

from __future__ import annotations

import pytest
from flask import url_for

from engage.events.models import Event
from engage.extensions import db

TITLE = "Engagement Day 2027"


def test_organiser_journey_through_the_test_client(
    app, client, login_as, organiser, event_form, session_form
):
    login_as(client, organiser)
    assert client.get("/admin/events/").status_code == 200
    assert client.get("/admin/events/new").status_code == 200
    response = client.post("/admin/events/new", data=event_form(title=TITLE, max_workshops="2"))
    event_url = response.headers["Location"]
    with app.app_context():
        event_id = db.session.scalar(db.select(Event.id).where(Event.title == TITLE))
    assert event_url.endswith(f"/admin/events/{event_id}/")
    for title, start in (("Workshop one", "11:00"), ("Workshop two", "14:00")):
        response = client.post(
            f"/admin/events/{event_id}/sessions/new",
            data=session_form(
                title=title,
                starts_at=f"2027-01-21T{start}",
                ends_at=f"2027-01-21T{int(start[:2]) + 1}:00",
            ),
        )
        assert response.status_code == 302
    public_link = 'href="/events/engagement-day-2027"'
    assert public_link not in client.get("/events/").get_data(as_text=True)
    client.post(f"/admin/events/{event_id}/publish")
    assert public_link in client.get("/events/").get_data(as_text=True)
    detail = client.get("/events/engagement-day-2027").get_data(as_text=True)
    assert "Workshop one" in detail and "Workshop two" in detail
    assert "Thursday 21 January 2027, 9:30am to 4:30pm (UK time)" in detail


@pytest.mark.browser
def test_organiser_journey_in_a_browser(app, live_server, page, runner):
    if "accounts.sign_in" not in app.view_functions:
        pytest.skip("no sign-in page yet (accounts.sign_in): the browser cannot sign in")
    password = "correct horse battery staple 42"
    result = runner.invoke(
        args=[
            "engage",
            "create-user",
            "organiser@example.org",
            "--role",
            "organiser",
            "--password-stdin",
        ],
        input=password + "\n",
    )
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        sign_in = url_for("accounts.sign_in")
    page.goto(live_server.url + sign_in)
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(live_server.url + "/admin/events/new")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=starts_at]", "2027-01-21T09:30")
    page.fill("input[name=ends_at]", "2027-01-21T16:30")
    page.fill("input[name=venue_name]", "Riverside Conference Centre")
    page.fill("input[name=capacity]", "120")
    page.fill("input[name=max_workshops]", "2")
    page.get_by_role("button", name="Save event").click()
    page.wait_for_url("**/admin/events/*/")
    assert page.locator("h1").inner_text() == TITLE

    for title, start, end in (
        ("Workshop one", "11:00", "12:00"),
        ("Workshop two", "14:00", "15:00"),
    ):
        page.get_by_role("link", name="Add a session").click()
        page.select_option("select[name=kind]", "workshop")
        page.fill("input[name=title]", title)
        page.fill("input[name=starts_at]", f"2027-01-21T{start}")
        page.fill("input[name=ends_at]", f"2027-01-21T{end}")
        page.fill("input[name=capacity]", "20")
        page.get_by_role("button", name="Save session").click()
        page.wait_for_url("**/admin/events/*/#programme")
    page.get_by_role("button", name=f"Publish {TITLE}").click()
    page.wait_for_load_state()
    assert "is now on the public events list" in page.content()

    page.goto(live_server.url + "/events/")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_load_state()
    assert "Workshop one" in page.content() and "Workshop two" in page.content()
