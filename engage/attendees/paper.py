"""The venue's paperwork as A4 PDFs: name badges, a sign-in sheet, room lists, a catering sheet.

Pure functions: each takes the event and registrations already loaded (with
their workshops) and returns the PDF's bytes; nothing here reads the database.
Text is drawn exactly as typed: no markup is read from it, and a name never
decides anything about the page (even "{nb}", which fpdf2 would otherwise
replace with the page count, prints as typed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from engage.events.models import Event, EventSession
from engage.registrations.models import Registration
from engage.search import fold
from engage.timefmt import clock_time, span

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVuSans"
MARGIN = 15  # mm, for the lists
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

# Badges: 2 columns by 4 rows of 90 x 65 mm on A4 (210 x 297 mm), with gaps to cut along.
BADGE_WIDTH, BADGE_HEIGHT = 90, 65
BADGE_COLUMNS, BADGE_ROWS = 2, 4
BADGES_PER_PAGE = BADGE_COLUMNS * BADGE_ROWS
BADGE_GAP_X, BADGE_GAP_Y = 10, 6
BADGE_LEFT = (210 - BADGE_COLUMNS * BADGE_WIDTH - (BADGE_COLUMNS - 1) * BADGE_GAP_X) / 2
BADGE_TOP = (297 - BADGE_ROWS * BADGE_HEIGHT - (BADGE_ROWS - 1) * BADGE_GAP_Y) / 2
BADGE_PADDING = 6
FIRST_NAME_PT, LAST_NAME_PT, ORGANISATION_PT, WORKSHOP_PT = 28, 18, 11, 8
# Below this size a workshop line drops its time rather than shrink further.
WORKSHOP_MIN_PT = 6.5
TICK_BOX = "\u2610"  # ☐


class _HideGlyphNames(logging.Filter):
    """Drop fpdf2's warning about letters the font lacks: it quotes letters of the names."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing the following glyphs" not in str(record.msg)


GLYPH_FILTER = _HideGlyphNames()
logging.getLogger("fpdf.output").addFilter(GLYPH_FILTER)


def by_surname(registrations: Iterable[Registration]) -> list[Registration]:
    """Alphabetical by surname, then first name, ignoring case and accents (Ó with O)."""
    return sorted(
        registrations,
        key=lambda r: (fold(r.last_name), fold(r.first_name), r.last_name, r.first_name, r.id),
    )


class _Sheet(FPDF):
    """An A4 document in the shipped font; a list's heading is repeated on every page."""

    def __init__(self, now: dt.datetime, title: str):
        super().__init__(format="A4", unit="mm")
        self.alias_nb_pages(None)  # page totals are stamped at the end (see number_pages)
        self.set_creation_date(now)
        self.set_title(title)
        self.set_creator("Engage")
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 5)
        self.heading: tuple[str, ...] = ()

    def header(self) -> None:
        """The heading lines (first in bold), when the document has them."""
        if not self.heading:
            return
        first, *rest = self.heading
        self.set_font(FONT, "B", 14)
        self.multi_cell(0, 7, first, **NEXT_LINE)
        self.set_font(FONT, "", 9)
        for line in rest:
            self.multi_cell(0, 5, line, **NEXT_LINE)
        self.ln(3)
        self.set_font(FONT, "", 10)

    def number_pages(self) -> None:
        """'Page 1 of 3' at the foot of every page, once the total is known."""
        total = self.pages_count
        self.set_auto_page_break(False)
        self.set_font(FONT, "", 8)
        for number in range(1, total + 1):
            self.page = number
            self.set_xy(MARGIN, -MARGIN)
            self.cell(0, 5, f"Page {number} of {total}", align="C")

    def bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())


def _event_lines(event: Event) -> list[str]:
    """The event's title, when and where, in its own time zone."""
    when = span(event.starts_at, event.ends_at, event.timezone)
    return [line for line in (event.title, when, event.location) if line]


def fitting_size(pdf: FPDF, text: str, width: float, preferred: float, style: str = "") -> float:
    """The font size (at most `preferred`) at which text fits the width on one line.

    Width grows in proportion to size, so one measurement finds it: a long name
    is printed smaller, never cut.
    """
    pdf.set_font(FONT, style, preferred)
    measured = pdf.get_string_width(text)
    if measured <= width:
        return preferred
    return preferred * width / measured * 0.999


def _fitted_line(pdf, x, y, width, height, text, preferred, style="") -> None:
    """One line of text centred in the box, shrunk to fit it."""
    inside = width - 2 * pdf.c_margin
    pdf.set_font(FONT, style, fitting_size(pdf, text, inside, preferred, style))
    pdf.set_xy(x, y)
    pdf.cell(width, height, text, align="C")


# --- name badges ----------------------------------------------------------------------


def badges_pdf(event: Event, registrations: Iterable[Registration], *, now: dt.datetime) -> bytes:
    """Name badges, 8 to an A4 page (2 x 4, cut along the dashed lines), by surname."""
    pdf = _Sheet(now, f"Name badges: {event.title}")
    pdf.set_auto_page_break(False)
    for index, registration in enumerate(by_surname(registrations)):
        slot = index % BADGES_PER_PAGE
        if slot == 0:
            pdf.add_page()
        column, row = slot % BADGE_COLUMNS, slot // BADGE_COLUMNS
        x = BADGE_LEFT + column * (BADGE_WIDTH + BADGE_GAP_X)
        y = BADGE_TOP + row * (BADGE_HEIGHT + BADGE_GAP_Y)
        _badge(pdf, event, registration, x, y)
    if not pdf.pages_count:
        pdf.add_page()
        pdf.set_font(FONT, "", 12)
        pdf.cell(0, 10, "Nobody to print a badge for.")
    return pdf.bytes()


def _badge(pdf: FPDF, event: Event, registration: Registration, x: float, y: float) -> None:
    """One badge: the event, the name large, the organisation, the workshops."""
    pdf.set_draw_color(170)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT)
    pdf.set_dash_pattern()
    inner_x, width = x + BADGE_PADDING, BADGE_WIDTH - 2 * BADGE_PADDING
    pdf.set_text_color(90)
    _fitted_line(pdf, inner_x, y + 4, width, 5, event.title, 8)
    pdf.set_text_color(0)
    _fitted_line(pdf, inner_x, y + 11, width, 12, registration.first_name, FIRST_NAME_PT, "B")
    _fitted_line(pdf, inner_x, y + 23, width, 8, registration.last_name, LAST_NAME_PT)
    if registration.organisation:
        _fitted_line(pdf, inner_x, y + 32, width, 6, registration.organisation, ORGANISATION_PT)
    _badge_workshops(pdf, event, registration.workshops, inner_x, y + 40, width, y + 61)


def _badge_workshops(pdf, event, workshops: list[EventSession], x, top, width, bottom) -> None:
    """Each workshop on a line, with its start time where the line has room for it."""
    if not workshops:
        return
    pdf.set_draw_color(200)
    pdf.line(x + width / 4, top - 1, x + 3 * width / 4, top - 1)
    line_height = min(4.0, (bottom - top) / len(workshops))
    preferred = min(WORKSHOP_PT, line_height / 0.45)
    for number, workshop in enumerate(workshops):
        text = f"{clock_time(workshop.starts_at, event.timezone)}  {workshop.title}"
        if fitting_size(pdf, text, width - 2 * pdf.c_margin, preferred) < min(
            WORKSHOP_MIN_PT, preferred
        ):
            text = workshop.title
        _fitted_line(pdf, x, top + number * line_height, width, line_height, text, preferred)


# --- sign-in sheet --------------------------------------------------------------------


def sign_in_sheet_pdf(
    event: Event, registrations: Iterable[Registration], *, now: dt.datetime
) -> bytes:
    """Everyone by surname, with their organisation and a wide column to sign in."""
    people = by_surname(registrations)
    pdf = _Sheet(now, f"Sign-in sheet: {event.title}")
    pdf.heading = ("Sign-in sheet", *_event_lines(event), _people(len(people)))
    pdf.add_page()
    with pdf.table(
        col_widths=(60, 60, 60),
        line_height=5,
        padding=(3, 2),
        text_align="LEFT",
        first_row_as_headings=True,
    ) as table:
        table.row(("Name", "Organisation", "Signature"))
        for registration in people:
            table.row((_surname_first(registration), registration.organisation, ""))
    pdf.number_pages()
    return pdf.bytes()


def _people(count: int) -> str:
    return f"{count} attendee" if count == 1 else f"{count} attendees"


def _surname_first(registration: Registration) -> str:
    return f"{registration.last_name}, {registration.first_name}"


# --- room lists -----------------------------------------------------------------------


def room_lists_pdf(
    event: Event,
    workshops: Iterable[EventSession],
    registrations: Iterable[Registration],
    *,
    now: dt.datetime,
) -> bytes:
    """For each workshop, on a page of its own: room, time and the people booked on it."""
    booked: dict[int, list[Registration]] = defaultdict(list)
    for registration in registrations:
        for workshop in registration.workshops:
            booked[workshop.id].append(registration)
    pdf = _Sheet(now, f"Room lists: {event.title}")
    workshops = list(workshops)
    for workshop in workshops:
        _room_list(pdf, event, workshop, by_surname(booked[workshop.id]))
    if not workshops:
        pdf.heading = ("Room lists", *_event_lines(event))
        pdf.add_page()
        pdf.cell(0, 8, "This event has no workshops.")
    pdf.number_pages()
    return pdf.bytes()


def _room_list(pdf: _Sheet, event: Event, workshop: EventSession, people: list) -> None:
    """One workshop's section, starting a new page."""
    places = f" of {workshop.capacity} places" if workshop.capacity is not None else ""
    when = span(workshop.starts_at, workshop.ends_at, event.timezone)
    pdf.heading = (
        workshop.title,
        f"{workshop.room or 'Room not set'}, {when}",
        event.title,
        f"{len(people)} booked{places}",
    )
    pdf.add_page()
    if not people:
        pdf.cell(0, 8, "Nobody is booked on this workshop.")
        return
    with pdf.table(
        col_widths=(14, 83, 83),
        line_height=5,
        padding=(2, 2),
        text_align=("CENTER", "LEFT", "LEFT"),
        first_row_as_headings=True,
    ) as table:
        table.row(("Here", "Name", "Organisation"))
        for registration in people:
            row = table.row()
            row.cell(TICK_BOX, style=FontFace(size_pt=14))
            row.cell(_surname_first(registration))
            row.cell(registration.organisation)


# --- catering sheet -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DietarySummary:
    """What the caterers need: how many of each requirement, and whose it is."""

    confirmed: int
    counts: list[tuple[str, int]]
    people: list[tuple[Registration, str]]

    @property
    def without(self) -> int:
        """Confirmed attendees with no dietary requirement to cater for."""
        return self.confirmed - len(self.people)


def _requirement_key(text: str) -> str:
    """'Vegan' and ' vegan ' are one requirement."""
    return " ".join(text.split()).casefold()


def dietary_summary(registrations: Iterable[Registration]) -> DietarySummary:
    """Requirements of those who consented to share them; access requirements never."""
    everyone = list(registrations)
    people = [
        (registration, " ".join(registration.dietary_requirements.split()))
        for registration in by_surname(everyone)
        if registration.dietary_consent and registration.dietary_requirements.strip()
    ]
    spellings: dict[str, Counter] = defaultdict(Counter)
    for _registration, requirement in people:
        spellings[_requirement_key(requirement)][requirement] += 1
    counts = []
    for spelled in spellings.values():
        # Shown as most people wrote it (then alphabetically, so it is the same every time).
        label = min(spelled, key=lambda s: (-spelled[s], s))
        counts.append((label, sum(spelled.values())))
    counts.sort(key=lambda item: (-item[1], item[0].casefold()))
    return DietarySummary(confirmed=len(everyone), counts=counts, people=people)


def catering_pdf(event: Event, registrations: Iterable[Registration], *, now: dt.datetime) -> bytes:
    """The counts of each dietary requirement, then who has which (see dietary_summary)."""
    summary = dietary_summary(registrations)
    pdf = _Sheet(now, f"Catering: {event.title}")
    pdf.heading = ("Catering sheet: dietary requirements", *_event_lines(event))
    pdf.add_page()
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        "Health information, given with consent to share it with the caterers. "
        "Keep it safe and destroy it after the event.",
        **NEXT_LINE,
    )
    pdf.ln(2)
    pdf.set_font(FONT, "", 11)
    for line in (
        f"Confirmed attendees: {summary.confirmed}",
        f"With a dietary requirement: {len(summary.people)}",
        f"No dietary requirement: {summary.without}",
    ):
        pdf.cell(0, 6, line, **NEXT_LINE)
    pdf.ln(4)
    if summary.people:
        _catering_tables(pdf, summary)
    pdf.number_pages()
    return pdf.bytes()


def _catering_tables(pdf: _Sheet, summary: DietarySummary) -> None:
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "Requirements", **NEXT_LINE)
    pdf.set_font(FONT, "", 10)
    with pdf.table(col_widths=(150, 30), line_height=5, first_row_as_headings=True) as table:
        table.row(("Requirement", "Number"))
        for label, count in summary.counts:
            table.row((label, str(count)))
    pdf.ln(6)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "Who", **NEXT_LINE)
    pdf.set_font(FONT, "", 10)
    with pdf.table(col_widths=(70, 110), line_height=5, first_row_as_headings=True) as table:
        table.row(("Name", "Dietary requirement"))
        for registration, requirement in summary.people:
            table.row((_surname_first(registration), requirement))
