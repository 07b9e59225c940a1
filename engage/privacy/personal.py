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

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import JSON, Column, Enum, MetaData, String, Table, Text, cast, func, or_

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
            if isinstance(column.type, String | Text | JSON) and not isinstance(
                column.type, Enum
            ):
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
