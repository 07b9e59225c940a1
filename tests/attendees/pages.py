"""Reading the attendee pages back in tests: the results table, the SQL a request runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser

from sqlalchemy import event

from engage.extensions import db


class _Table(HTMLParser):
    """The cells of every row in the body of the table with class "data" after id="results"."""

    def __init__(self):
        super().__init__()
        self.after_results = self.in_body = self.in_cell = False
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "results":
            self.after_results = True
        elif self.after_results and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "tbody" and self.in_body:
            self.in_body = self.after_results = False
        elif tag == "td":
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1][-1] += data


def result_rows(html: str) -> list[list[str]]:
    """The attendee list's rows, each as its cells' text (white space tidied)."""
    parser = _Table()
    parser.feed(html)
    return [[" ".join(cell.split()) for cell in row] for row in parser.rows]


@contextmanager
def counting_queries(app) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block, in order."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
