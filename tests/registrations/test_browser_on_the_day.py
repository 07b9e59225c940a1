"""The self-service page on a phone on the day: the way in, at 320px, with nothing loaded from elsewhere."""

import re

import pytest

from engage.events.models import Event
from engage.extensions import db
from engage.registrations import services
from tests.core.test_accessibility import violations
from tests.registrations.conftest import data

pytestmark = pytest.mark.browser

LONG_LINK = (
    "https://teams.example.org/l/meetup-join/19%3ameeting_" + "NjM3ZDk4" * 12 + "%40thread.v2/0"
)


@pytest.mark.parametrize("online", [True, False], ids=["online", "venue"])
def test_on_a_phone_the_page_shows_the_way_in_and_fits(app, live_server, page, make_event, online):
    where = (
        {"is_online": True, "venue_name": "", "online_join_details": f"Join here:\n{LONG_LINK}"}
        if online
        else {"venue_name": "Riverside Centre", "venue_address": "1 Quay Street, Northbridge"}
    )
    event = make_event(slug="day", title="Engagement Day", **where)
    with app.app_context():
        result = services.register(db.session.get(Event, event.id), data())
        token = services.issue_manage_token(result.registration)
        db.session.commit()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/registrations/{token}")

    if online:
        link = page.get_by_role("link", name=LONG_LINK)
    else:
        link = page.get_by_role("link", name="Map of Riverside Centre (OpenStreetMap)")
    assert link.is_visible()
    assert page.get_by_role("link", name=re.compile("^Add to calendar")).is_visible()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert violations(page) == []
    assert [url for url in requests if not url.startswith(live_server.url)] == []
