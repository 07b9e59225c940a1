"""Exports: the columns chosen, requirements only when ticked (and audited), safe cells, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tracemalloc

import openpyxl
import pytest
import time_machine
import xlsxwriter
from openpyxl.utils.escape import unescape
from sqlalchemy import select

from engage.attendees import export_data, exports
from engage.attendees.exports import BOM, safe_cell
from engage.attendees.filters import AttendeeFilter
from engage.audit.models import AuditEntry
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus
from tests.attendees.conftest import NOW, workshop_ids
from tests.attendees.pages import counting_queries
from tests.attendees.seeding import seed_registrations

HOSTILE = ['=HYPERLINK("http://x","y")', "  +1+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV download (which must start with a byte order mark)."""
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> dict[str, list[list]]:
    """Each sheet of an Excel download as rows of values; no cell may hold a formula."""
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheets = {}
    for sheet in book.worksheets:
        assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
        sheets[sheet.title] = [
            ["" if value is None else _unescaped(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    return sheets


def _unescaped(value):
    # Control characters are stored escaped (a carriage return as _x000D_), as Excel reads them;
    # openpyxl undoes that for shared strings only, not for the inline ones written here.
    return unescape(value) if isinstance(value, str) else value


def read(response, file_format: str) -> list[list]:
    """The rows of a one-table download, as text, in either format."""
    if file_format == "csv":
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        return read_csv(response)
    assert response.headers["Content-Type"] == XLSX_MIMETYPE
    [rows] = read_xlsx(response).values()
    return [[str(value) for value in row] for row in rows]


def _audits(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return entries


def _question_ids(app, event) -> list[int]:
    with app.app_context():
        return [q.id for q in db.session.get(Event, event.id).questions]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_columns_chosen_are_the_columns_you_get(app, small_event, staff_client, file_format):
    event, _ = small_event
    travel = _question_ids(app, event)[1]
    response = staff_client(event).post(
        f"/admin/events/{event.id}/attendees/export",
        data={
            "columns": ["workshops", "email", f"q{travel}", "name", "position"],
            "file_format": file_format,
            "status": "all",
            "sort": "-booked",
        },
    )
    assert response.status_code == 200
    rows = read(response, file_format)
    # The columns in the usual order, whatever order they were ticked in.
    assert rows[0] == [
        "Name",
        "Email",
        "Waiting list position",
        "Workshops",
        "How will you travel?",
    ]
    assert len(rows) == 7  # status=all: the cancelled one too
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ada Lovelace"] == [
        "Ada Lovelace",
        "ada@example.org",
        "",
        "Learning from failure",
        "Train",
    ]
    assert by_name["Zoë Ørsted"][2] == "2"
    assert "Fay Fox" in by_name
    assert [row[0] for row in rows[1:3]] == ["Zoë Ørsted", "Dan Dune"]  # newest first
    assert _audits(app) == []  # no requirements, nothing to record


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_requirements_only_when_ticked_and_then_audited(
    app, small_event, staff_client, file_format
):
    event, _ = small_event
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/export"
    base = {"columns": ["name"], "file_format": file_format, "needs": "1"}

    without = read(client.post(url, data=base), file_format)
    assert without == [["Name"], ["Ada Lovelace"]]
    assert _audits(app) == []

    dietary = read(client.post(url, data={**base, "dietary": "y"}), file_format)
    assert dietary == [["Name", "Dietary requirements"], ["Ada Lovelace", "Halal"]]
    both = read(client.post(url, data={**base, "dietary": "y", "access": "y"}), file_format)
    assert both[1] == ["Ada Lovelace", "Halal", "Step-free seat"]

    entries = _audits(app)
    assert [(e.action, e.target_type, e.target_id) for e in entries] == [
        ("attendees.requirements_exported", "Event", event.id)
    ] * 2
    assert entries[0].actor_label.startswith("organiser")
    assert entries[0].summary == f"1 row(s) with dietary requirements ({file_format.upper()})"
    assert entries[1].summary == (
        f"1 row(s) with dietary and access requirements ({file_format.upper()})"
    )
    for entry in entries:  # no one's details in the log
        assert not any(word in entry.summary for word in ("Ada", "ada@", "Halal", "Step"))


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        *[(hostile, "'" + hostile) for hostile in HOSTILE],
        ("Ada", "Ada"),
        ("O'Neil", "O'Neil"),
        ("a=b", "a=b"),
        ("", ""),
        (5, 5),
        (None, None),
    ],
)
def test_safe_cell_neutralises_what_could_start_a_formula(value, stored):
    assert safe_cell(value) == stored


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_hostile_names_come_back_as_inert_text(app, workshop_event, staff_client, file_format):
    event = workshop_event()
    with app.app_context():
        ids = seed_registrations(event.id, len(HOSTILE), names=[(h, "Smith") for h in HOSTILE])
        for rid, hostile in zip(ids, HOSTILE, strict=True):
            db.session.get(Registration, rid).organisation = hostile
        db.session.commit()
    response = staff_client(event).post(
        f"/admin/events/{event.id}/attendees/export",
        data={"columns": ["name", "organisation"], "file_format": file_format, "sort": "booked"},
    )
    rows = read(response, file_format)  # for Excel: no cell holds a formula
    assert rows[1:] == [["'" + hostile + " Smith", "'" + hostile] for hostile in HOSTILE]


def test_the_formula_check_can_fail(tmp_path):
    """Control: a cell written as a formula is seen as one by the reader the tests use."""
    path = tmp_path / "formula.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet().write(0, 0, HOSTILE[0])  # write() takes "=..." as a formula
    book.close()
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.data_type == "f"


def test_downloads_are_named_for_the_event_and_never_cached(app, small_event, staff_client):
    event, _ = small_event
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/export"
    # 11:30pm UTC is already the next day in Paris, the event's zone.
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        csv_response = client.post(url, data={"columns": ["name"], "file_format": "csv"})
        csv_body = csv_response.get_data()  # a streamed body is read before the next request
        xlsx_response = client.post(url, data={"columns": ["name"], "file_format": "xlsx"})
    slug = event.slug
    assert csv_response.headers["Content-Disposition"] == (
        f'attachment; filename="{slug}-attendees-2026-12-02.csv"'
    )
    assert xlsx_response.headers["Content-Disposition"] == (
        f'attachment; filename="{slug}-attendees-2026-12-02.xlsx"'
    )
    for response in (csv_response, xlsx_response):
        assert response.headers["Cache-Control"] == "no-store"
    assert csv_body.startswith(b"\xef\xbb\xbfName\r\n")
    assert xlsx_response.get_data().startswith(b"PK")  # a zip, as every .xlsx is


def test_the_export_form_carries_the_filter(app, small_event, staff_client):
    event, _ = small_event
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/export"
    page = client.get(url + "?q=zoe&status=all&needs=").get_data(as_text=True)
    assert '<input type="hidden" name="q" value="zoe">' in page
    assert '<input type="hidden" name="status" value="all">' in page
    assert 'name="needs"' not in page  # only what differs from the whole list
    assert "The file will hold the 1 registration in" in page
    ticked = re.findall(r'<input checked [^>]*value="([^"]+)"', page)
    assert ticked == [
        "name",
        "email",
        "organisation",
        "organisation_listed",
        "category",
        "status",
        "workshops",
        "csv",
    ]

    refused = client.post(url, data={"q": "zoe", "status": "all", "file_format": "csv"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "<title>Error: Export attendees" in page
    assert '<a href="#columns-0">Choose at least one column to export</a>' in page
    assert '<input type="hidden" name="q" value="zoe">' in page
    assert _audits(app) == []


def test_another_events_organiser_gets_404_on_every_export_url(
    app, small_event, workshop_event, staff_client
):
    event, _ = small_event
    other_event = workshop_event()
    outsider = staff_client(other_event)
    workshop = workshop_ids(app, event)[0]
    base = f"/admin/events/{event.id}/attendees/export"
    answers = [
        outsider.get(base).status_code,
        outsider.post(base, data={"columns": ["name"], "dietary": "y", "file_format": "csv"}),
        outsider.post(base + "/catering", data={"file_format": "csv"}),
        outsider.get(f"{base}/workshops/{workshop}?format=xlsx"),
    ]
    assert [getattr(a, "status_code", a) for a in answers] == [404] * 4
    assert _audits(app) == []
    # Their own export page cannot reach this event's workshop either.
    theirs = f"/admin/events/{other_event.id}/attendees/export/workshops/{workshop}"
    assert outsider.get(theirs).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [("", {"columns": ["name"], "dietary": "y", "file_format": "csv"}), ("/catering", {})],
)
def test_downloads_that_can_hold_requirements_need_the_csrf_token(
    make_app, small_event, organiser_of, login_as, path, data
):
    event, _ = small_event
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    login_as(client, organiser_of(event))
    response = client.post(
        f"/admin/events/{event.id}/attendees/export{path}", data={**data, "file_format": "csv"}
    )
    assert response.status_code == 400
    assert _audits(csrf_app) == []


def _catering_event(app, workshop_event):
    event = workshop_event(capacity=4)
    rows = [
        ("Ann", RegistrationStatus.CONFIRMED, "Vegan", True),
        ("Bea", RegistrationStatus.CONFIRMED, " vegan ", True),
        ("Cid", RegistrationStatus.CONFIRMED, "Halal", True),
        ("Dee", RegistrationStatus.CONFIRMED, "Kosher", False),  # no consent: not listed
        ("Eve", RegistrationStatus.WAITLISTED, "Vegan", True),  # no place: not listed
        ("Fin", RegistrationStatus.CANCELLED, "Vegan", True),
    ]
    with app.app_context():
        ids = seed_registrations(event.id, len(rows), names=[(n, "Smith") for n, *_ in rows])
        for rid, (_, status, text, consent) in zip(ids, rows, strict=True):
            registration = db.session.get(Registration, rid)
            registration.status = status
            registration.dietary_requirements = text
            registration.dietary_consent = consent
        db.session.commit()
    return event


def test_the_catering_list_counts_consented_requirements_of_confirmed_people(
    app, workshop_event, staff_client
):
    event = _catering_event(app, workshop_event)
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/export/catering"

    rows = read_csv(client.post(url, data={"file_format": "csv"}))
    assert rows == [
        ["Summary"],
        ["Dietary requirement", "People"],
        ["Vegan", "2"],
        ["Halal", "1"],
        [],
        ["People"],
        ["Name", "Organisation", "Dietary requirement"],
        ["Ann Smith", "Force 0", "Vegan"],
        ["Bea Smith", "Force 1", "vegan"],
        ["Cid Smith", "Force 2", "Halal"],
    ]
    response = client.post(url, data={"file_format": "xlsx"})
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{event.slug}-catering-'
    )
    sheets = read_xlsx(response)
    assert sheets["Summary"] == [["Dietary requirement", "People"], ["Vegan", 2], ["Halal", 1]]
    assert [row[0] for row in sheets["People"]] == ["Name", "Ann Smith", "Bea Smith", "Cid Smith"]

    entries = _audits(app)
    assert [(e.action, e.target_id, e.summary) for e in entries] == [
        ("attendees.catering_exported", event.id, "3 row(s) with dietary requirements (CSV)"),
        ("attendees.catering_exported", event.id, "3 row(s) with dietary requirements (XLSX)"),
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_room_list_holds_the_workshops_confirmed_people(
    app, small_event, staff_client, file_format
):
    event, _ = small_event
    first, second, _ = workshop_ids(app, event)
    client = staff_client(event)
    base = f"/admin/events/{event.id}/attendees/export/workshops"
    response = client.get(f"{base}/{first}?format={file_format}")
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{event.slug}-room-list-learning-from-failure-'
    )
    assert read(response, file_format) == [
        ["Name", "Organisation", "Checked in"],
        ["Ada Lovelace", "Northbridge Police", "Yes"],
    ]
    with app.app_context():
        bob = db.session.scalar(select(Registration).where(Registration.first_name == "Bob"))
        bob.workshops.append(db.session.get(EventSession, second))
        db.session.commit()
    assert read(client.get(f"{base}/{second}?format={file_format}"), file_format)[1:] == [
        ["Bob Brown", "Northbridge Police", "☐"]
    ]
    assert _audits(app) == []


@pytest.mark.parametrize("sort", ["name", "organisation", "booked", "-booked"])
def test_rows_are_read_in_chunks_with_no_transaction_held_between(
    app, workshop_event, monkeypatch, sort
):
    event = workshop_event()
    # Ties on every sort's leading columns, so each page must resume by the whole key.
    names = [("Ann", "Lee"), ("Bob", "Lee"), ("Ann", "Lee")] * 3 + [("Cy", "Ash")]
    with app.app_context():
        ids = seed_registrations(event.id, len(names), names=names)
        db.session.execute(
            Registration.__table__.update()
            .where(Registration.id.in_(ids[:6]))
            .values(organisation="Same", created_at=NOW)
        )
        db.session.commit()
    monkeypatch.setattr(export_data, "CHUNK", 3)
    with app.app_context():
        chosen = AttendeeFilter.from_args(db.session.get(Event, event.id), {"sort": sort})
        expected = [r.email for r in db.session.scalars(chosen.statement())]
        with counting_queries(app) as statements:
            sheet, count = export_data.attendee_sheet(chosen, ["email", "workshops"])
            rows, held = [], []
            for row in sheet.rows:
                rows.append(row[0])
                held.append(db.session().in_transaction())
    assert count == 10
    assert rows == expected  # every row once, in the list's order
    assert held == [False] * 10
    pages = [s for s in statements if "FROM registrations" in s and "LIMIT" in s]
    assert len(pages) == 4  # 3 + 3 + 3 + 1


def test_the_transaction_check_can_fail(app, workshop_event, monkeypatch):
    """Control: with the read left open, the check above sees a transaction held."""
    event = workshop_event()
    with app.app_context():
        seed_registrations(event.id, 4)
    monkeypatch.setattr(export_data, "end_read", lambda: None)
    with app.app_context():
        chosen = AttendeeFilter.from_args(db.session.get(Event, event.id), {})
        sheet, _ = export_data.attendee_sheet(chosen, ["name"])
        assert any(db.session().in_transaction() for _row in sheet.rows)


def _download(client, url: str, data: dict) -> tuple[int, int]:
    """Post an export and read its body piece by piece: (bytes sent, peak memory traced)."""
    tracemalloc.start()
    try:
        response = client.post(url, data=data, buffered=False)
        size = sum(len(piece) for piece in response.response)
        response.close()
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _ten_thousand(app, workshop_event, staff_client, file_format):
    """An event with 10,000 registrations; measure(filter) exports it: (bytes, peak memory)."""
    event = workshop_event(capacity=None)
    with app.app_context():
        seed_registrations(
            event.id, 10_000, workshop_ids=workshop_ids(app, event), waitlisted_every=10
        )
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/export"
    keys = ["name", "email", "organisation", "job_title", "category", "status", "position"]
    data = {
        "columns": [*keys, "workshops", "booked_at", f"q{_question_ids(app, event)[1]}"],
        "dietary": "y",
        "file_format": file_format,
    }
    _download(client, url, {**data, "q": "person1"})  # statements compiled, caches filled
    return lambda **chosen: _download(client, url, {**data, **chosen})


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_ten_thousand_rows_export_in_bounded_memory(app, workshop_event, staff_client, file_format):
    measure = _ten_thousand(app, workshop_event, staff_client, file_format)
    small_size, small_peak = measure(status="waitlisted")
    size, peak = measure()
    print(f"\n{file_format}: 1,000 rows {small_size:,} bytes, peak {small_peak:,}; "
          f"10,000 rows {size:,} bytes, peak {peak:,}")  # fmt: skip
    # Ten times the rows: the memory used grows by far less than the file does.
    assert peak - small_peak < (size - small_size) / 2
    if file_format == "csv":
        assert size > 1_000_000 and peak < size  # never the whole file in memory
    [entry] = [e for e in _audits(app) if e.summary.startswith("10000 row(s)")]
    assert entry.action == "attendees.requirements_exported"


def test_the_memory_check_catches_a_file_built_whole(
    app, workshop_event, staff_client, monkeypatch
):
    """Control: read in one go and joined before sending, the same export fails both checks."""
    whole = exports.csv_text
    monkeypatch.setattr(export_data, "CHUNK", 20_000)
    monkeypatch.setattr(exports, "csv_text", lambda sheets: iter(["".join(whole(sheets))]))
    measure = _ten_thousand(app, workshop_event, staff_client, "csv")
    small_size, small_peak = measure(status="waitlisted")
    size, peak = measure()
    assert peak - small_peak > (size - small_size) / 2
    assert peak > size


def test_the_export_page_gives_its_forms_their_csrf_token(
    make_app, small_event, organiser_of, login_as
):
    event, _ = small_event
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    login_as(client, organiser_of(event))
    url = f"/admin/events/{event.id}/attendees/export"
    page = client.get(url + "?needs=1").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert len(tokens) >= 3  # sign out, the export, the catering list
    data = {"csrf_token": tokens[1], "columns": "name", "needs": "1", "file_format": "csv"}
    assert read_csv(client.post(url, data=data)) == [["Name"], ["Ada Lovelace"]]
    catering = client.post(url + "/catering", data={"csrf_token": tokens[2], "file_format": "csv"})
    assert read_csv(catering)[2] == ["Halal", "1"]
