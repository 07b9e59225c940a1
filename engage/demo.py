"""Demo content: a believable centre for policing research and learning."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engage.db import transaction
from engage.events.models import Event, EventQuestion, EventSession, QuestionKind, SessionKind
from engage.extensions import db
from engage.news.models import NewsItem
from engage.organisations.services import load_starting_list
from engage.registrations.demo_people import add_demo_people

LONDON = ZoneInfo("Europe/London")


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(dt.UTC)


ENGAGEMENT_DAY_2026 = dict(
    slug="cprl-engagement-day-2026",
    title="CPRL Engagement Day 2026",
    summary="What does the next decade of evidence-based policing look like?",
    description_md=(
        "Our annual Engagement Day brought together officers, staff, researchers and partners "
        "to ask one question: **what does the next decade of evidence-based policing look "
        "like?**\n\n"
        "The day mixed short talks from practitioners who have run their own trials with "
        "open discussion about what gets in the way of using evidence on the front line."
    ),
    starts_at=_at(2026, 1, 21, 9, 30),
    ends_at=_at(2026, 1, 21, 16, 30),
    venue_name="Riverside Conference Centre",
    venue_address="12 Wharf Street, Northbridge NB1 4RS",
    capacity=150,
    # Kept three years, not the usual 180 days: the demo's dates are fixed, and with the
    # default the worker's first purge in `make run` would turn last year's attendees into
    # counts before anyone had seen them (a real organiser chooses their own period).
    retention_days=3 * 365,
    is_published=True,
)

ENGAGEMENT_DAY_2027 = dict(
    slug="cprl-engagement-day-2027",
    title="CPRL Engagement Day 2027",
    summary=(
        "A day of talks and hands-on workshops on learning, leadership and well-being "
        "in evidence-based policing."
    ),
    description_md=(
        "Engagement Day is our annual gathering of police officers and staff, academics and "
        "partners. This year we ask **how we turn evidence into everyday practice**.\n\n"
        "The morning opens with a plenary from our practitioner fellows. After that you "
        "choose up to two workshops, one in each round.\n\n"
        "Lunch and refreshments are provided. Tell us about dietary or access needs when "
        "you register."
    ),
    starts_at=_at(2027, 1, 21, 9, 30),
    ends_at=_at(2027, 1, 21, 16, 30),
    venue_name="Riverside Conference Centre",
    venue_address="12 Wharf Street, Northbridge NB1 4RS",
    travel_info_md=(
        "The centre is a 10-minute walk from Northbridge station. There is limited parking "
        "on site; please book a space when you register if you need one.\n\n"
        "Buses 4 and 17 stop outside on Wharf Street."
    ),
    access_info_md=(
        "All rooms are step-free, with lifts to every floor. There is a hearing loop in the "
        "main hall and an accessible toilet on each floor. A quiet room is available all day."
    ),
    capacity=120,
    waitlist_enabled=True,
    registration_opens_at=_at(2026, 10, 1, 9, 0),
    registration_closes_at=_at(2027, 1, 14, 17, 0),
    max_workshops=2,
    reminder_offsets_hours=[7 * 24, 24],
    retention_days=180,
    is_published=True,
)

PROGRAMME_2027 = [
    (SessionKind.BREAK, "Arrival, registration and coffee", (9, 30), (10, 0), "Foyer", None),
    (
        SessionKind.PLENARY,
        "Welcome and plenary: evidence in everyday practice",
        (10, 0),
        (11, 0),
        "Main hall",
        None,
    ),
    (SessionKind.WORKSHOP, "Learning from success and failure", (11, 15), (12, 30), "Room 1", 40),
    (SessionKind.WORKSHOP, "Well-being and psychological safety", (11, 15), (12, 30), "Room 2", 40),
    (
        SessionKind.WORKSHOP,
        "Leadership for an evidence-based service",
        (11, 15),
        (12, 30),
        "Room 3",
        40,
    ),
    (SessionKind.BREAK, "Lunch", (12, 30), (13, 30), "Foyer", None),
    (
        SessionKind.WORKSHOP,
        "Evidence-based practice: from question to trial",
        (13, 30),
        (14, 45),
        "Room 1",
        40,
    ),
    (
        SessionKind.WORKSHOP,
        "Innovation: testing new ideas safely",
        (13, 30),
        (14, 45),
        "Room 2",
        40,
    ),
    (SessionKind.WORKSHOP, "Working with universities", (13, 30), (14, 45), "Room 3", 30),
    (SessionKind.PLENARY, "Panel: the next ten years", (15, 0), (16, 15), "Main hall", None),
    (SessionKind.BREAK, "Close", (16, 15), (16, 30), "Main hall", None),
]

OTHER_EVENTS = [
    dict(
        slug="evidence-cafe-hot-spot-policing",
        title="Evidence café: hot-spot policing in practice",
        summary="An hour online with the team behind a two-year hot-spot patrol trial.",
        description_md=(
            "Join us online for a short talk and an open conversation about what a force "
            "learned from running its own hot-spot policing trial: what worked, what did "
            "not, and what they would do differently."
        ),
        starts_at=_at(2027, 2, 10, 12, 30),
        ends_at=_at(2027, 2, 10, 13, 30),
        is_online=True,
        online_join_details="Join on Teams: the link is sent the day before.",
        capacity=200,
        is_published=True,
    ),
    dict(
        slug="masterclass-randomised-trials",
        title="Masterclass: designing a randomised trial in your force",
        summary="A small-group, hands-on day for officers and staff planning their first trial.",
        description_md=(
            "Bring an idea you want to test. By the end of the day you will have a draft "
            "trial protocol and a plan for working with an academic partner."
        ),
        starts_at=_at(2027, 3, 17, 10, 0),
        ends_at=_at(2027, 3, 17, 16, 0),
        venue_name="Northbridge University, Hadley Building",
        venue_address="Campus Road, Northbridge NB3 7UP",
        capacity=20,
        waitlist_enabled=True,
        registration_opens_at=_at(2027, 1, 5, 9, 0),
        is_published=True,
    ),
]

NEWS = [
    dict(
        slug="engagement-day-2026-announced",
        title="Engagement Day 2026: the next decade of evidence-based policing",
        summary="Our annual Engagement Day returns on 21 January 2026. Bookings are open.",
        body_md=(
            "We are delighted to announce that the CPRL Engagement Day will take place on "
            "**Wednesday 21 January 2026** at the Riverside Conference Centre.\n\n"
            "This year's theme is *What does the next decade of evidence-based policing look "
            "like?* We will hear from officers and staff who have tested new ways of working, "
            "and from the researchers who worked alongside them.\n\n"
            "Places are free but limited, so please book early."
        ),
        published_at=_at(2025, 10, 27, 9, 0),
        event_slug="cprl-engagement-day-2026",
    ),
    dict(
        slug="engagement-day-2026-what-we-heard",
        title="What we heard at Engagement Day 2026",
        summary="Over a hundred colleagues joined us to talk about the next ten years.",
        body_md=(
            "Thank you to everyone who came to Engagement Day. Three themes stood out:\n\n"
            "1. Evidence has to answer the questions the front line is asking.\n"
            "2. Leaders need room to learn from failure as well as success.\n"
            "3. Partnerships work best when forces and universities share the work early.\n\n"
            "Slides from the plenary are available on request."
        ),
        published_at=_at(2026, 2, 4, 10, 0),
    ),
    dict(
        slug="wellbeing-evidence-briefing",
        title="New evidence briefing: well-being and psychological safety",
        summary="A short guide to what the research says about well-being in policing teams.",
        body_md=(
            "Our latest briefing summarises the research on psychological safety in "
            "policing teams, with practical steps supervisors can take this week."
        ),
        published_at=_at(2026, 9, 15, 9, 0),
    ),
    dict(
        slug="engagement-day-2027-bookings-open",
        title="Bookings open for Engagement Day 2027",
        summary="Register now for a day of talks and workshops on 21 January 2027.",
        body_md=(
            "Registration is now open for **CPRL Engagement Day 2027** on Thursday "
            "21 January 2027. Choose up to two workshops when you book: places in each "
            "workshop are limited."
        ),
        published_at=_at(2026, 10, 1, 9, 0),
        event_slug="cprl-engagement-day-2027",
    ),
    dict(
        slug="draft-annual-report",
        title="Our annual report (draft)",
        summary="Not published yet.",
        body_md="This draft is only visible to staff.",
        published_at=None,
    ),
]

QUESTIONS_2027 = [
    dict(kind=QuestionKind.YES_NO, label="Will you need a parking space?", is_required=True),
    dict(
        kind=QuestionKind.SINGLE_CHOICE,
        label="How did you hear about Engagement Day?",
        choices=["Colleague", "Email from the centre", "Our website", "Social media", "Other"],
        is_required=False,
    ),
]


def _event(fields: dict) -> tuple[Event, bool]:
    existing = db.session.scalar(select(Event).where(Event.slug == fields["slug"]))
    if existing:
        return existing, False
    event = Event(**fields)
    db.session.add(event)
    return event, True


def load() -> int:
    """Create whatever part of the demo content is missing; return how many items."""
    with transaction():
        return _load_missing()


def _load_missing() -> int:
    created = 0
    load_starting_list()  # the migration has it already; a database made otherwise may not
    past_day, new = _event(ENGAGEMENT_DAY_2026)
    created += new
    day, new = _event(ENGAGEMENT_DAY_2027)
    created += new
    if new:
        for position, (kind, title, start, end, room, capacity) in enumerate(PROGRAMME_2027):
            day.sessions.append(
                EventSession(
                    kind=kind,
                    title=title,
                    room=room,
                    capacity=capacity,
                    position=position,
                    starts_at=_at(2027, 1, 21, *start),
                    ends_at=_at(2027, 1, 21, *end),
                )
            )
        for position, question in enumerate(QUESTIONS_2027):
            day.questions.append(EventQuestion(position=position, **question))
    for fields in OTHER_EVENTS:
        created += _event(fields)[1]
    db.session.flush()
    # Who came last time: most chose their organisation from the list, some typed it (Other).
    created += add_demo_people(past_day, _at(2025, 11, 3, 10))
    for fields in NEWS:
        fields = dict(fields)
        event_slug = fields.pop("event_slug", None)
        if db.session.scalar(select(NewsItem.id).where(NewsItem.slug == fields["slug"])):
            continue
        item = NewsItem(**fields)
        if event_slug:
            item.event = db.session.scalar(select(Event).where(Event.slug == event_slug))
        db.session.add(item)
        created += 1
    return created
