"""The certificate of attendance as an A4 PDF, in the shipped DejaVu fonts.

A pure function: it takes what to print and returns the PDF's bytes. Names
and titles are drawn as typed (see engage.attendees.paper: no markup is read).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from engage.attendees.paper import FONT, FONT_DIR, fitting_size
from engage.events.models import EventSession, SessionKind
from engage.timefmt import clock_time, long_date

WIDTH, HEIGHT, MARGIN = 210, 297, 20
INNER = WIDTH - 2 * MARGIN
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


@dataclasses.dataclass(frozen=True)
class CertificateText:
    """Everything a certificate says, ready to print."""

    name: str
    event_title: str
    date: str  # "Thursday 21 January 2027"
    location: str
    sessions: list[str]  # "9:30am  Opening plenary"
    hours: str  # "5.75 hours"
    verify_url: str
    issued_at: dt.datetime


def session_line(session: EventSession, tz: str) -> str:
    """One attended session as the certificate lists it."""
    kind = " (workshop)" if session.kind == SessionKind.WORKSHOP else ""
    when = f"{clock_time(session.starts_at, tz)} to {clock_time(session.ends_at, tz)}"
    return f"{when}  {session.title}{kind}"


def event_date(starts_at: dt.datetime, ends_at: dt.datetime, tz: str) -> str:
    """The day (or days) of the event, in its own time zone."""
    first, last = long_date(starts_at, tz), long_date(ends_at, tz)
    return first if first == last else f"{first} to {last}"


def certificate_pdf(text: CertificateText) -> bytes:
    """The certificate: a bordered A4 page with the name, the event, the sessions and the hours."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(text.issued_at)
    pdf.set_title(f"Certificate of attendance: {text.event_title}")
    pdf.set_creator("Engage")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN + 10)
    pdf.add_page()
    pdf.set_draw_color(30, 70, 120)
    pdf.set_line_width(1)
    pdf.rect(10, 10, WIDTH - 20, HEIGHT - 20)
    pdf.set_line_width(0.2)

    pdf.set_y(35)
    pdf.set_font(FONT, "", 14)
    pdf.cell(0, 10, "Certificate of attendance", align="C", **NEXT_LINE)
    pdf.ln(8)
    pdf.set_font(FONT, "", 11)
    pdf.cell(0, 7, "This is to certify that", align="C", **NEXT_LINE)
    pdf.ln(2)
    pdf.set_font(FONT, "B", fitting_size(pdf, text.name, INNER, 26, "B"))
    pdf.cell(0, 14, text.name, align="C", **NEXT_LINE)
    pdf.ln(2)
    pdf.set_font(FONT, "", 11)
    pdf.cell(0, 7, "attended", align="C", **NEXT_LINE)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, text.event_title, align="C", **NEXT_LINE)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 6, text.date, align="C", **NEXT_LINE)
    if text.location:
        pdf.multi_cell(0, 6, text.location, align="C", **NEXT_LINE)
    pdf.ln(6)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, f"Continuing professional development: {text.hours}", align="C", **NEXT_LINE)
    if text.sessions:
        pdf.ln(6)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, "Sessions attended", **NEXT_LINE)
        pdf.set_font(FONT, "", 10)
        for line in text.sessions:
            pdf.multi_cell(0, 5.5, line, **NEXT_LINE)
    pdf.set_auto_page_break(False)
    pdf.set_xy(MARGIN, HEIGHT - 38)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(60)
    pdf.multi_cell(0, 5, f"Check this certificate is genuine at {text.verify_url}", align="C")
    return bytes(pdf.output())
