"""Where personal data lives, read from the models' own column marks.

A column that holds personal data says so: `mapped_column(..., info={"personal": kind})`.
The kinds: "email", "name", "free_text" (anything typed, which may hold an address or a
name), "derived" (built from those, such as the search text), and three that can never
hold an address as typed: "token" (random codes and hashes of secrets), "hash" (a SHA-256
of an address) and "attachment" (base64 files). Subject access and erasure search every
column that can hold an address, so a new table is covered the moment its columns are
marked (tests/privacy/test_personal.py fails on a text column with no decision).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, Enum, MetaData, String, Table, Text, cast, func, or_, select

from engage.extensions import db

# Kinds whose values are never an address as typed (random, hashed or encoded).
NOT_SEARCHABLE = frozenset({"token", "hash", "attachment"})


def personal_kind(column: Column) -> str | None:
    """The column's personal-data kind, or None if it is not marked."""
    return column.info.get("personal")


def text_columns(metadata: MetaData | None = None) -> Iterator[Column]:
    """Every column that can hold text: String, Text and JSON (enums hold fixed names only)."""
    for table in (metadata or db.metadata).sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON) and not isinstance(column.type, Enum):
                yield column


@dataclass(frozen=True)
class TableColumns:
    """One table and its columns that can hold an email address."""

    table: Table
    columns: tuple[Column, ...]


def email_columns(metadata: MetaData | None = None) -> list[TableColumns]:
    """Every table with columns that can hold an email address, and those columns."""
    found: dict[str, list[Column]] = {}
    tables: dict[str, Table] = {}
    for column in text_columns(metadata):
        kind = personal_kind(column)
        if kind and kind not in NOT_SEARCHABLE:
            found.setdefault(column.table.name, []).append(column)
            tables[column.table.name] = column.table
    return [TableColumns(tables[name], tuple(columns)) for name, columns in found.items()]


def as_text(column: Column):
    """The column as lower-case text in SQL, whatever its type (JSON is cast)."""
    value = cast(column, Text) if isinstance(column.type, JSON) else column
    return func.lower(value)


def mentions(column: Column, address: str):
    """A SQL condition: the column holds `address`, in any case, anywhere in its text."""
    if "@" not in address:
        # Never search for an empty or partial address: "" is in every row.
        raise ValueError("an email address is needed")
    return as_text(column).contains(address.lower(), autoescape=True)


def any_mention(columns: tuple[Column, ...], address: str):
    """A SQL condition: any of the columns holds `address`."""
    return or_(*(mentions(column, address) for column in columns))


# Characters that may stand next to an address without being part of it: so that
# "ada@example.org" is not found inside "nada@example.org" or "ada@example.org.uk".
_LOCAL_PART = r"A-Za-z0-9.!#$%&'*+/=?^_`{|}~-"


def address_pattern(address: str) -> re.Pattern:
    """A regular expression finding the address as a whole address, in any case."""
    return re.compile(
        rf"(?<![{_LOCAL_PART}]){re.escape(address)}(?![A-Za-z0-9-]|\.[A-Za-z0-9])",
        re.IGNORECASE,
    )


def holds(value: Any, pattern: re.Pattern) -> bool:
    """Whether a column's value (text, or JSON of any shape) holds the address."""
    if isinstance(value, str):
        return bool(pattern.search(value))
    if isinstance(value, list | tuple):
        return any(holds(item, pattern) for item in value)
    if isinstance(value, dict):
        return any(holds(k, pattern) or holds(v, pattern) for k, v in value.items())
    return False


def search_everywhere(address: str) -> list[tuple[str, str, tuple]]:
    """Every (table, column, primary key) whose value holds the address: the model walk.

    SQL narrows the rows down (one query a table), then each value is checked for
    the whole address.
    """
    pattern = address_pattern(address)
    hits = []
    for entry in email_columns():
        keys = list(entry.table.primary_key.columns)
        query = select(*keys, *entry.columns).where(any_mention(entry.columns, address))
        for row in db.session.execute(query):
            for column, value in zip(entry.columns, row[len(keys) :], strict=True):
                if holds(value, pattern):
                    hits.append((entry.table.name, column.name, tuple(row[: len(keys)])))
    return hits
