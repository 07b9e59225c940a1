"""The venue's paperwork: each PDF is opened and its text read back, names exactly as typed."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from sqlalchemy import event as sa_event
from sqlalchemy import select

from engage.attendees import paper
from engage.attendees import paper_services as services
from engage.audit.models import AuditEntry
from engage.events.models import Event, EventSession, SessionKind, event_organisers
from engage.extensions import db
from engage.registrations import services as registrations
from engage.registrations.models import Registration, RegistrationStatus
from tests.conftest import london
from tests.registrations.conftest import NOW, book, workshop

# (first name, surname, organisation, workshops by index, dietary requirement)
PEOPLE = [
    ("Siobhán", "Ó Súilleabháin", "An Garda Síochána", [0], ""),
    ("Zoë", "Ørsted", "Université de Lyon", [0, 1], "Vegan"),
    ("Łukasz", "Żółkiewski", "Policja", [1], "vegan "),
    ("An", "Nguyễn", "Công an Hà Nội", [], ""),
    ("Ólafur", "Arnalds", "Lögreglan", [0], ""),
    ("Дмитрий", "Иванов", "МВД России", [1], "Halal"),
    ("Σοφία", "Παπαδοπούλου", "Ελληνική Αστυνομία", [], ""),
    ("Ada", "Lovelace", "Northbridge Police", [0], "  Vegan"),
    ("Bob", "Brown", "Kent Police", [], ""),
]
# Case and accents aside (Ó files with O), then Greek before Cyrillic, as Unicode orders them.
BY_SURNAME = [
    "Arnalds",
    "Brown",
    "Lovelace",
    "Nguyễn",
    "Ó Súilleabháin",
    "Ørsted",
    "Żółkiewski",
    "Παπαδοπούλου",
    "Иванов",
]
NOT_CONFIRMED = ("Wendy", "Waiting", "Carl", "Cancelled")
PRINTED_AT = dt.datetime(2027, 1, 20, 18, tzinfo=dt.UTC)


@pytest.fixture
def day(app, workshop_event, make_user, make_event):
    """Nine confirmed people with names from seven alphabets, one waitlisted, one cancelled."""
    event = workshop_event(
        slug="engagement-day",
        title="Engagement Day 2027",
        questions=[],
        sessions=[
            workshop("Learning from failure", 11),
            workshop("Well-being", 14),
            EventSession(
                kind=SessionKind.PLENARY,
                title="Welcome",
                starts_at=london(2027, 1, 21, 9, 30),
                ends_at=london(2027, 1, 21, 10),
            ),
        ],
    )
    other = make_event(slug="other-day")
    organiser = make_user("org@example.org")
    with app.app_context():
        db.session.execute(
            event_organisers.insert().values(event_id=event.id, user_id=organiser.id)
        )
        db.session.commit()
        workshops = [w.id for w in db.session.get(Event, event.id).workshops]
        ids = {}
        for first, last, organisation, chosen, dietary in PEOPLE:
            ids[last] = book(
                event,
                email=f"{len(ids)}@example.org",
                first_name=first,
                last_name=last,
                organisation=organisation,
                workshop_ids=[workshops[i] for i in chosen],
                dietary_requirements=dietary,
                dietary_consent=bool(dietary),
                access_requirements="Step-free access" if last == "Lovelace" else "",
                access_consent=last == "Lovelace",
            ).registration.id
        cancelled = book(
            event,
            email="carl@example.org",
            first_name="Carl",
            last_name="Cancelled",
            workshop_ids=[workshops[0]],
        ).registration
        registrations.cancel(cancelled, now=NOW)
        waiting = book(
            event,
            email="wendy@example.org",
            first_name="Wendy",
            last_name="Waiting",
            workshop_ids=[workshops[0]],
            dietary_requirements="Kosher",
            dietary_consent=True,
        ).registration
        db.session.get(Registration, waiting.id).status = RegistrationStatus.WAITLISTED
        # Said without consent: the form drops it, but a row may still hold it.
        db.session.get(Registration, ids["Brown"]).dietary_requirements = "Nut allergy"
        elsewhere = book(other, email="x@example.org", first_name="Olga", last_name="Other")
        db.session.commit()
        plenary = next(
            s.id for s in db.session.get(Event, event.id).sessions if s.kind == "plenary"
        )
        other_session = EventSession(
            event_id=other.id,
            kind=SessionKind.WORKSHOP,
            title="Theirs",
            starts_at=other.starts_at,
            ends_at=other.ends_at,
        )
        db.session.add(other_session)
        db.session.commit()
        return {
            "event_id": event.id,
            "organiser": organiser,
            "ids": ids,
            "waiting_id": waiting.id,
            "workshops": workshops,
            "plenary": plenary,
            "other_registration": elsewhere.registration.id,
            "other_session": other_session.id,
        }


@pytest.fixture
def staff(app, day, login_as):
    """A client signed in as the event's own organiser."""
    client = app.test_client()
    login_as(client, day["organiser"])
    return client


def pages(content: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def in_order(text: str, names: list[str]) -> bool:
    """Whether every name is in the text, each after the one before."""
    positions = [text.find(name) for name in names]
    return -1 not in positions and positions == sorted(positions)


def download(client, url: str, filename: str, method: str = "GET") -> list[str]:
    """A PDF download's pages, after checking it is a PDF to save and never kept."""
    response = client.open(url, method=method)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")
    return pages(response.data)


def base(day) -> str:
    return f"/admin/events/{day['event_id']}/paper"


# --- badges ---------------------------------------------------------------------------


def test_badges_are_eight_to_a_page_by_surname_with_every_name_as_typed(staff, day):
    found = download(staff, f"{base(day)}/badges.pdf", "engagement-day-badges.pdf")
    assert len(found) == 2  # nine people: eight, then one
    assert in_order(found[0], BY_SURNAME[:8])
    assert in_order(found[1], BY_SURNAME[8:])
    assert "Σοφία" not in found[1]
    everything = "\n".join(found)
    for first, last, organisation, _, _ in PEOPLE:
        assert first in everything and last in everything and organisation in everything
    assert not any(name in everything for name in NOT_CONFIRMED)


def test_a_badge_shows_the_workshops_with_their_times(staff, day):
    found = "\n".join(download(staff, f"{base(day)}/badges.pdf", "engagement-day-badges.pdf"))
    zoe = found[found.index("Zoë") : found.index("Żółkiewski")]
    assert "11am  Learning from failure" in zoe and "2pm  Well-being" in zoe


def test_badges_for_a_filtered_list_hold_only_the_people_it_picks(staff, day):
    second = day["workshops"][1]
    url = f"{base(day)}/badges.pdf"
    on_second = "\n".join(download(staff, f"{url}?workshop={second}", "engagement-day-badges.pdf"))
    assert in_order(on_second, ["Ørsted", "Żółkiewski", "Иванов"])
    assert not any(name in on_second for name in ("Arnalds", "Lovelace", "Brown", "Wendy"))
    searched = "\n".join(download(staff, f"{url}?q=ZOE", "engagement-day-badges.pdf"))
    assert "Ørsted" in searched and "Lovelace" not in searched
    # The list's default status holds the waiting list too; badges only for places held...
    first = day["workshops"][0]
    assert "Wendy" not in "\n".join(pages(staff.get(f"{url}?workshop={first}").data))
    # ...unless the waiting list is asked for by name.
    waiting = "\n".join(pages(staff.get(f"{url}?workshop={first}&status=waitlisted").data))
    assert "Wendy" in waiting and "Arnalds" not in waiting


def test_one_badge_is_reprinted_on_its_own(staff, day):
    registration = day["ids"]["Ørsted"]
    found = download(
        staff,
        f"{base(day)}/badges/{registration}.pdf",
        f"engagement-day-badge-{registration}.pdf",
    )
    assert len(found) == 1
    assert "Zoë" in found[0] and "Ørsted" in found[0]
    assert not any(last in found[0] for last in BY_SURNAME if last != "Ørsted")


def test_a_badge_of_another_events_registration_is_404(staff, day):
    assert staff.get(f"{base(day)}/badges/{day['other_registration']}.pdf").status_code == 404
    assert staff.get(f"{base(day)}/badges/999999.pdf").status_code == 404


def test_five_hundred_badges_make_sixty_three_pages():
    start = london(2027, 1, 21, 9, 30)
    event = Event(
        slug="big-day", title="Big day", starts_at=start, ends_at=start, timezone="Europe/London"
    )
    talk = EventSession(
        kind=SessionKind.WORKSHOP, title="Talk", starts_at=start, ends_at=start, room="1"
    )
    people = []
    for number in range(500):
        person = Registration(
            id=number, first_name="Zoë", last_name=f"Person{number:03d}", organisation="Org"
        )
        person.workshops = [talk]
        people.append(person)
    found = pages(paper.badges_pdf(event, reversed(people), now=PRINTED_AT))
    assert len(found) == 63
    assert [page.count("Person") for page in found] == [8] * 62 + [4]
    assert in_order(found[0], [f"Person{n:03d}" for n in range(8)])
    assert "Person499" in found[62]


def test_a_long_name_is_shrunk_to_fit_the_badge_never_cut():
    pdf = paper._Sheet(PRINTED_AT, "test")
    name = "Maximiliana-Anastasia-Wilhelmina von Hohenzollern-Sigmaringen"
    width = paper.BADGE_WIDTH - 2 * paper.BADGE_PADDING
    size = paper.fitting_size(pdf, name, width, paper.FIRST_NAME_PT, "B")
    assert size < paper.FIRST_NAME_PT
    pdf.set_font(paper.FONT, "B", size)
    assert width * 0.98 < pdf.get_string_width(name) <= width  # as large as fits
    assert paper.fitting_size(pdf, "Bob", width, paper.FIRST_NAME_PT, "B") == paper.FIRST_NAME_PT


def test_badges_are_built_from_two_queries_however_many_people(app, day):
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        event = db.session.get(Event, day["event_id"])
        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            people = services.confirmed(event)
            loaded = len(statements)
            paper.badges_pdf(event, people, now=PRINTED_AT)
            assert (loaded, len(statements)) == (2, 2)  # nothing more while drawing
            # Control: people loaded without their workshops cost a query each.
            db.session.expire_all()
            plain = list(
                db.session.scalars(select(Registration).where(Registration.event_id == event.id))
            )
            before = len(statements)
            paper.badges_pdf(event, plain, now=PRINTED_AT)
            assert len(statements) - before >= len(plain)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)


# --- sign-in sheet and room lists -----------------------------------------------------


def test_the_sign_in_sheet_lists_everyone_confirmed_by_surname(staff, day):
    found = download(staff, f"{base(day)}/sign-in-sheet.pdf", "engagement-day-sign-in-sheet.pdf")
    assert len(found) == 1
    text = found[0]
    assert "Sign-in sheet" in text and "Engagement Day 2027" in text
    assert "Thursday 21 January 2027, 9:30am to 4:30pm (UK time)" in text
    assert "Name Organisation Signature" in text
    assert in_order(text, [f"{last}, " for last in BY_SURNAME])
    assert "Ó Súilleabháin, Siobhán" in text and "Иванов, Дмитрий" in text
    assert "Page 1 of 1" in text
    assert not any(name in text for name in NOT_CONFIRMED)


def test_a_long_sign_in_sheet_repeats_its_heading_and_numbers_its_pages():
    start = london(2027, 1, 21, 9, 30)
    event = Event(
        slug="d", title="Long day", starts_at=start, ends_at=start, timezone="Europe/London"
    )
    people = [
        Registration(id=n, first_name="Ann", last_name=f"Person{n:02d}", organisation="Org")
        for n in range(60)
    ]
    found = pages(paper.sign_in_sheet_pdf(event, people, now=PRINTED_AT))
    assert len(found) >= 3
    for number, text in enumerate(found, start=1):
        assert f"Page {number} of {len(found)}" in text
        assert "Name Organisation Signature" in text
        assert "Long day" in text and "Thursday 21 January 2027" in text
    assert in_order("\n".join(found), [f"Person{n:02d}, Ann" for n in range(60)])


def test_a_room_list_holds_only_that_workshops_confirmed_people(staff, day):
    first = day["workshops"][0]
    found = download(
        staff, f"{base(day)}/rooms/{first}.pdf", f"engagement-day-room-list-{first}.pdf"
    )
    text = "\n".join(found)
    assert text.startswith("Learning from failure")
    assert "Room 11, Thursday 21 January 2027, 11am to 12:15pm (UK time)" in text
    assert "4 booked" in text
    assert "Here Name Organisation" in text
    assert in_order(text, ["Arnalds, Ólafur", "Lovelace, Ada", "Ó Súilleabháin", "Ørsted, Zoë"])
    assert text.count(paper.TICK_BOX) == 4
    assert not any(name in text for name in ("Żółkiewski", "Иванов", "Brown", *NOT_CONFIRMED))


def test_every_room_list_starts_a_page_of_its_own(staff, day):
    found = download(staff, f"{base(day)}/rooms.pdf", "engagement-day-room-lists.pdf")
    assert len(found) == 2  # two workshops; the plenary has no room list
    assert found[0].startswith("Learning from failure") and "Żółkiewski" not in found[0]
    assert found[1].startswith("Well-being")
    assert in_order(found[1], ["Ørsted, Zoë", "Żółkiewski, Łukasz", "Иванов, Дмитрий"])
    assert "Lovelace" not in found[1]


def test_a_room_list_of_another_events_session_or_a_plenary_is_404(staff, day):
    assert staff.get(f"{base(day)}/rooms/{day['other_session']}.pdf").status_code == 404
    assert staff.get(f"{base(day)}/rooms/{day['plenary']}.pdf").status_code == 404
    assert staff.get(f"{base(day)}/rooms/999999.pdf").status_code == 404


# --- catering -------------------------------------------------------------------------


def test_the_catering_sheet_counts_requirements_of_those_who_consented(staff, day):
    found = download(
        staff, f"{base(day)}/catering.pdf", "engagement-day-catering.pdf", method="POST"
    )
    text = "\n".join(found)
    assert "Confirmed attendees: 9" in text
    assert "With a dietary requirement: 4" in text
    assert "No dietary requirement: 5" in text
    assert "Vegan 3" in text and "Halal 1" in text
    assert in_order(text, ["Lovelace, Ada Vegan", "Ørsted, Zoë Vegan", "Żółkiewski, Łukasz vegan"])
    assert "Иванов, Дмитрий Halal" in text
    # Said without consent, or by someone without a place; access needs never.
    for absent in ("Nut allergy", "Brown", "Kosher", "Wendy", "Step-free", "Arnalds"):
        assert absent not in text


def test_requirements_are_counted_as_one_whatever_their_case_and_spacing():
    people = [
        Registration(id=n, first_name="A", last_name=f"P{n}", dietary_consent=True, **fields)
        for n, fields in enumerate(
            [
                {"dietary_requirements": "Vegan"},
                {"dietary_requirements": " vegan  "},
                {"dietary_requirements": "VEGAN"},
                {"dietary_requirements": "Vegan"},
                {"dietary_requirements": "No  nuts,\nplease"},
                {"dietary_requirements": "no nuts, please"},
                {"dietary_requirements": ""},
                {"dietary_requirements": "   "},
            ]
        )
    ]
    people.append(Registration(id=99, first_name="B", last_name="Q", dietary_requirements="Halal"))
    summary = paper.dietary_summary(people)
    assert summary.counts == [("Vegan", 4), ("No nuts, please", 2)]  # most written, first
    assert (summary.confirmed, len(summary.people), summary.without) == (9, 6, 3)


def test_each_catering_download_is_audited_without_personal_data(app, staff, day):
    staff.post(f"{base(day)}/catering.pdf")
    staff.post(f"{base(day)}/catering.pdf")
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "attendees.catering_sheet_downloaded")
        ).all()
        assert len(entries) == 2
        entry = entries[0]
        assert (entry.actor_id, entry.actor_label) == (day["organiser"].id, "org@example.org")
        assert (entry.target_type, entry.target_id) == ("Event", day["event_id"])
        assert "4 people" in entry.summary
        assert not any(
            word in entry.summary for word in ("Vegan", "Halal", "Zoë", "Ørsted", "Lovelace")
        )
    # Reading the sheet is never a side effect of a GET (a link preview, a prefetch).
    assert staff.get(f"{base(day)}/catering.pdf").status_code == 405


def test_other_paper_is_not_audited(app, staff, day):
    for document in ("badges.pdf", "sign-in-sheet.pdf", "rooms.pdf"):
        assert staff.get(f"{base(day)}/{document}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id)) is None


# --- what a name cannot do ------------------------------------------------------------


HOSTILE_FIRST = '=HYPERLINK("http://evil.example/","Click")'
HOSTILE_LAST = "<script>alert(1)</script>"


def test_a_hostile_name_prints_as_literal_text(app, staff, day):
    with app.app_context():
        book(
            db.session.get(Event, day["event_id"]),
            email="evil@example.org",
            first_name=HOSTILE_FIRST,
            last_name=HOSTILE_LAST,
            organisation="{nb} Police",
        )
    for document in ("badges.pdf", "sign-in-sheet.pdf"):
        # A table cell wraps a long name over lines (even inside a word): read it unwrapped.
        text = "".join("\n".join(pages(staff.get(f"{base(day)}/{document}").data)).split())
        assert HOSTILE_FIRST.replace(" ", "") in text, document
        assert HOSTILE_LAST.replace(" ", "") in text, document
        assert "{nb}Police" in text, document


def test_fpdf_would_put_the_page_count_in_place_of_nb_by_default():
    """Control for the test above: the "{nb}" there would be lost without our setting."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 10, "{nb} Police")
    assert "1 Police" in pages(bytes(pdf.output()))[0]


def test_letters_the_font_lacks_never_reach_the_log(caplog, monkeypatch):
    start = london(2027, 1, 21, 9, 30)
    event = Event(slug="d", title="Day", starts_at=start, ends_at=start, timezone="Europe/London")
    person = Registration(id=1, first_name="美咲", last_name="Tanaka", organisation="Org")
    person.workshops = []
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        paper.badges_pdf(event, [person], now=PRINTED_AT)
    assert "美" not in caplog.text
    # Control: without the filter fpdf2 names the letters.
    monkeypatch.setattr(paper.GLYPH_FILTER, "filter", lambda record: True)
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        paper.badges_pdf(event, [person], now=PRINTED_AT)
    assert "美" in caplog.text


def test_the_font_is_shipped_with_its_licence_and_embedded():
    assert paper.FONT_DIR.parent.name == "static"
    assert (paper.FONT_DIR / "DejaVuSans.ttf").is_file()
    assert (paper.FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in (paper.FONT_DIR / "DejaVu-LICENSE.txt").read_text("utf-8")
    start = london(2027, 1, 21, 9, 30)
    event = Event(slug="d", title="Day", starts_at=start, ends_at=start, timezone="Europe/London")
    reader = PdfReader(io.BytesIO(paper.sign_in_sheet_pdf(event, [], now=PRINTED_AT)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()} == {
        "DejaVuSansBook",
        "DejaVuSansBold",
    }


def test_the_same_paper_printed_twice_is_the_same_file():
    start = london(2027, 1, 21, 9, 30)
    event = Event(slug="d", title="Day", starts_at=start, ends_at=start, timezone="Europe/London")
    person = Registration(id=1, first_name="Zoë", last_name="Ørsted", organisation="Org")
    person.workshops = []
    first = paper.badges_pdf(event, [person], now=PRINTED_AT)
    assert paper.badges_pdf(event, [person], now=PRINTED_AT) == first


# --- the page -------------------------------------------------------------------------


def test_the_paper_page_links_every_document(staff, day):
    page = staff.get(f"{base(day)}/").get_data(as_text=True)
    event_id, (first, second) = day["event_id"], day["workshops"]
    for link in (
        f'href="{base(day)}/badges.pdf"',
        f'href="{base(day)}/sign-in-sheet.pdf"',
        f'href="{base(day)}/rooms.pdf"',
        f'href="{base(day)}/rooms/{first}.pdf"',
        f'href="{base(day)}/rooms/{second}.pdf"',
        f'action="{base(day)}/catering.pdf"',
        f'href="/admin/events/{event_id}/"',
    ):
        assert link in page, link
    assert "For everyone confirmed (9 people)" in page
    assert "the room list for Learning from failure" in page


def test_the_paper_page_carries_the_lists_filter_to_the_badges(staff, day):
    second = day["workshops"][1]
    page = staff.get(f"{base(day)}/?workshop={second}").get_data(as_text=True)
    assert f'href="{base(day)}/badges.pdf?workshop={second}"' in page
    assert "For the list you chose (3 people)" in page
