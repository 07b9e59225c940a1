"""The export writers: CSV streamed as it is written, Excel written in constant memory.

Both neutralise every cell with safe_cell, so a name typed as a formula is
shown as text by any spreadsheet, and stays text if the file is saved again
as CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

import xlsxwriter
from flask import Response, stream_with_context

CSV = "csv"
XLSX = "xlsx"
FORMATS = {CSV: "CSV", XLSX: "Excel"}
CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet reads as the start of a formula (OWASP's "CSV injection" list).
FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
BOM = "\ufeff"  # so that Excel reads the CSV as UTF-8
FLUSH_AT = 16 * 1024
BLOCK = 64 * 1024
SHEET_NAME_MAX = 31
_SHEET_NAME_REFUSED = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclasses.dataclass
class Sheet:
    """One table of an export: a title, a header row and its rows (read as written)."""

    title: str
    header: list[str]
    rows: Iterable[Sequence[str | int | None]]


def safe_cell(value):
    """The value as a spreadsheet should hold it: text that could start a formula gets a quote.

    A cell whose first non-space character is = + - @, or that starts with a
    tab or carriage return, is prefixed with ' (OWASP's advice). Numbers and
    empty cells are left as they are.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- CSV ---------------------------------------------------------------------------------


def csv_text(sheets: Sequence[Sheet]) -> Iterator[str]:
    """The sheets as CSV text, in pieces of about FLUSH_AT characters.

    Several sheets follow one another, each after a blank line and its title.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    for index, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                writer.writerow([])
            writer.writerow([safe_cell(sheet.title)])
        writer.writerow([safe_cell(label) for label in sheet.header])
        for row in sheet.rows:
            writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
            if buffer.tell() >= FLUSH_AT:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


# --- Excel -------------------------------------------------------------------------------


def _sheet_name(title: str, taken: set[str]) -> str:
    name = title.translate(_SHEET_NAME_REFUSED).strip("' ")[:SHEET_NAME_MAX] or "Sheet"
    number = 2
    while name.casefold() in taken:
        suffix = f" {number}"
        name = name[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name.casefold())
    return name


def _write(worksheet, row: int, column: int, value, style=None) -> None:
    if value is None or value == "":
        return
    if not isinstance(value, int | float):
        # Text is always written as text: never read as a formula, number or link.
        worksheet.write_string(row, column, str(safe_cell(value)), style)
    else:
        worksheet.write_number(row, column, value, style)


def xlsx_file(sheets: Sequence[Sheet]) -> IO[bytes]:
    """The sheets as an Excel workbook in a temporary file (deleted when closed), at its start.

    xlsxwriter's constant-memory mode writes each row out as it comes, so a
    long list never sits in memory whole.
    """
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response streaming it
    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        taken: set[str] = set()
        for sheet in sheets:
            worksheet = workbook.add_worksheet(_sheet_name(sheet.title, taken))
            for column, label in enumerate(sheet.header):
                _write(worksheet, 0, column, label, bold)
            for number, row in enumerate(sheet.rows, 1):
                for column, value in enumerate(row):
                    _write(worksheet, number, column, value)
        workbook.close()
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def _blocks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := handle.read(BLOCK):
            yield block
    finally:
        handle.close()


# --- the download ------------------------------------------------------------------------


def download(sheets: Sequence[Sheet], file_format: str, filename: str) -> Response:
    """A file download of the sheets: `filename` plus .csv or .xlsx, never cached.

    CSV is written as it is sent (reading rows as it goes, when they are not
    read yet); Excel is written to a temporary file first, then sent and deleted.
    """
    if file_format == XLSX:
        handle = xlsx_file(sheets)
        response = Response(_blocks(handle), mimetype=XLSX_MIMETYPE)
        response.call_on_close(handle.close)  # even if the download never starts
    elif all(isinstance(sheet.rows, list) for sheet in sheets):
        # Rows already read (a venue list): sent in one piece, with nothing left to read.
        response = Response("".join(csv_text(sheets)), mimetype=CSV_MIMETYPE)
    else:
        # Rows still to be read from the database, as the download goes.
        response = Response(stream_with_context(csv_text(sheets)), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    response.headers["Cache-Control"] = "no-store"
    return response
