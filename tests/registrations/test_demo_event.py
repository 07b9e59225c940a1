"""The Engagement Day demo event can be booked, filled, waitlisted and freed again."""

import time_machine

from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import Registration
from tests.conftest import london
from tests.registrations.test_views import _token

SLUG = "cprl-engagement-day-2027"


def _fields(app, email):
    with app.app_context():
        event = db.session.scalar(db.select(Event).filter_by(slug=SLUG))
        morning, afternoon = event.workshops[0], event.workshops[3]
        parking = next(q for q in event.questions if q.kind.value == "yes_no")
        return {
            "first_name": "Sam",
            "last_name": "Patel",
            "email": email,
            "organisation": "Northbridge Police",
            "job_title": "Sergeant",
            "category": "police_officer",
            "workshops": [str(morning.id), str(afternoon.id)],
            f"question_{parking.id}": "no",
            "privacy": "y",
        }


@time_machine.travel(london(2026, 12, 1, 12), tick=False)
def test_demo_event_books_fills_waitlists_and_frees(app, runner, client):
    runner.invoke(args=["engage", "demo"])
    with app.app_context():
        db.session.scalar(db.select(Event).filter_by(slug=SLUG)).capacity = 2
        db.session.commit()
    for n in range(2):
        assert (
            app.test_client()
            .post(f"/events/{SLUG}/register", data=_fields(app, f"{n}@example.org"))
            .status_code
            == 302
        )
    first_token = _token(app)  # the latest confirmation: 1@example.org
    page = client.get(f"/events/{SLUG}").get_data(as_text=True)
    assert "Fully booked: waiting list open" in page and "38 places left" in page
    response = client.post(
        f"/events/{SLUG}/register", data=_fields(app, "late@example.org"), follow_redirects=True
    )
    assert "You are on the waiting list" in response.get_data(as_text=True)
    client.post(f"/registrations/{first_token}/cancel")
    with app.app_context():
        day = db.select(Registration).join(Event).where(Event.slug == SLUG)
        states = {r.email: r.status.value for r in db.session.scalars(day)}
        promoted = db.session.scalar(db.select(Registration).filter_by(email="late@example.org"))
        assert len(promoted.workshops) == 2
    assert states == {
        "0@example.org": "confirmed",
        "1@example.org": "cancelled",
        "late@example.org": "confirmed",
    }
