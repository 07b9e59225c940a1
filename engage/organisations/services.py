"""The rules of the curated list: one entry per name (whatever its case), retire and restore.

Registrations choose from it through offered() and resolve(); nothing here reads
what attendees typed, so the public form never shows who has booked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from engage.audit.services import record
from engage.db import transaction
from engage.extensions import db
from engage.forms import FieldError
from engage.organisations import starting_list
from engage.organisations.models import KIND_LABELS, Organisation, OrganisationKind
from engage.search import LIKE_ESCAPE, contains_pattern, fold

OTHER = "other"  # the choice that means "not in the list": the typed name is kept


class NameTaken(FieldError):
    """Another entry has that name already (names are compared folded)."""

    field = "name"
    message = "An organisation with that name is in the list already"


class OrganisationNeeded(FieldError):
    """Nothing was chosen from the list and no name was typed."""

    field = "organisation_choice"
    message = "Choose an organisation from the list, or choose Other and type its name"


class OtherNameNeeded(FieldError):
    """'Other' was chosen but no name was typed."""

    field = "organisation_choice"
    message = "Type the organisation's name in the box below the list, as Other is chosen"


class NotOffered(FieldError):
    """The chosen entry is not in the list (or has been retired)."""

    field = "organisation_choice"
    message = "Choose an organisation from the list, or choose Other"


def name_key(name: str) -> str:
    """The folded form of a name that the unique index holds."""
    return fold(name)


def find_by_name(name: str) -> Organisation | None:
    """The entry whose name folds to the same as `name`, retired or not."""
    return db.session.scalar(select(Organisation).where(Organisation.name_key == name_key(name)))


def _check_free(name: str, keep: Organisation | None = None) -> None:
    found = find_by_name(name)
    if found is not None and found is not keep:
        raise NameTaken()


def add(name: str, kind: OrganisationKind) -> Organisation:
    """Add an entry to the list; refuses a name the list has already, in any case."""
    with transaction():
        _check_free(name)
        organisation = Organisation(name=name, name_key=name_key(name), kind=kind)
        db.session.add(organisation)
        db.session.flush()
        record("organisation.added", target=organisation, summary=f"{name} ({kind.value})")
    return organisation


def rename(organisation: Organisation, name: str, kind: OrganisationKind) -> None:
    """Change an entry's name or kind; registrations that chose it keep the name they chose."""
    with transaction(lock=(Organisation, organisation.id)):
        _check_free(name, keep=organisation)
        changes = []
        if name != organisation.name:
            changes.append(f"name {organisation.name!r} to {name!r}")
        if kind != organisation.kind:
            changes.append(f"kind {organisation.kind.value} to {kind.value}")
        organisation.name, organisation.name_key, organisation.kind = name, name_key(name), kind
        if changes:
            record("organisation.updated", target=organisation, summary="; ".join(changes))


def set_active(organisation: Organisation, active: bool) -> None:
    """Retire an entry (no longer offered; kept for old registrations) or restore it."""
    with transaction(lock=(Organisation, organisation.id)):
        if organisation.is_active == active:
            return
        organisation.is_active = active
        action = "organisation.restored" if active else "organisation.retired"
        record(action, target=organisation, summary=organisation.name)


def load_starting_list(entries=None) -> int:
    """Add each shipped entry the list lacks (by folded name); returns how many were added."""
    entries = starting_list.entries() if entries is None else entries
    with transaction():
        known = set(db.session.scalars(select(Organisation.name_key)))
        added = 0
        for name, kind in entries:
            if name_key(name) in known:
                continue
            known.add(name_key(name))
            db.session.add(Organisation(name=name, name_key=name_key(name), kind=kind))
            added += 1
        if added:
            record("organisation.loaded", summary=f"{added} shipped organisation(s) added")
    return added


@dataclass(frozen=True)
class Listing:
    """The admin list: the entries found, and how many of each kind the whole list holds."""

    organisations: list[Organisation]
    counts: dict[OrganisationKind, int]
    retired: int


def listing(query: str = "") -> Listing:
    """Entries whose name holds `query` (all when empty), by kind then name; and the counts."""
    found = select(Organisation).order_by(Organisation.name_key)
    if query.strip():
        found = found.where(Organisation.name_key.like(contains_pattern(query), escape=LIKE_ESCAPE))
    by_kind = db.session.execute(
        select(Organisation.kind, func.count())
        .where(Organisation.is_active.is_(True))
        .group_by(Organisation.kind)
    )
    counts = {kind: 0 for kind in KIND_LABELS} | {kind: count for kind, count in by_kind}
    retired = db.session.scalar(select(func.count()).where(Organisation.is_active.is_(False)))
    return Listing(list(db.session.scalars(found)), counts, retired or 0)


def offered(also: int | None = None) -> list[Organisation]:
    """The active entries, grouped by kind in the list's order; `also` even if retired."""
    order = {kind: index for index, kind in enumerate(KIND_LABELS)}
    shown = Organisation.is_active.is_(True)
    if also is not None:
        shown = shown | (Organisation.id == also)
    entries = db.session.scalars(select(Organisation).where(shown).order_by(Organisation.name_key))
    return sorted(entries, key=lambda o: order[o.kind])


def _is_id(choice: str) -> bool:
    # Digits only, and small enough for the column: a forged value is "not offered", not a 500.
    return choice.isascii() and choice.isdigit() and len(choice) <= 9


def resolve(choice: str, typed: str, also: int | None = None) -> tuple[int | None, str]:
    """What a registration records: (the entry's id or None for Other, the name to show).

    A listed entry chosen: its id and name (anything typed is ignored). Other, or
    nothing chosen with a name typed: the typed name, matched to the list if it is
    an active entry's name in another case. `also` is an entry that stays
    acceptable though retired (the one a registration already names).
    """
    typed = (typed or "").strip()
    if choice not in ("", OTHER):
        organisation = db.session.get(Organisation, int(choice)) if _is_id(choice) else None
        if organisation is None or not (organisation.is_active or organisation.id == also):
            raise NotOffered()
        return organisation.id, organisation.name
    if not typed:
        raise OtherNameNeeded() if choice == OTHER else OrganisationNeeded()
    listed = find_by_name(typed)
    if listed is not None and (listed.is_active or listed.id == also):
        return listed.id, listed.name
    return None, typed
