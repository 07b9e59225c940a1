"""The organisations table: the curated list offered on registration forms."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import UTCDateTime, utcnow, value_enum
from engage.extensions import db

NAME_MAX = 200


class OrganisationKind(enum.StrEnum):
    POLICE_FORCE = "police_force"
    UNIVERSITY = "university"
    OTHER_PUBLIC = "other_public"
    CHARITY = "charity"
    COMPANY = "company"
    OTHER = "other"


# Also the order of the groups in the registration form's list.
KIND_LABELS = {
    OrganisationKind.POLICE_FORCE: "Police forces",
    OrganisationKind.UNIVERSITY: "Universities",
    OrganisationKind.OTHER_PUBLIC: "Other public bodies",
    OrganisationKind.CHARITY: "Charities",
    OrganisationKind.COMPANY: "Companies",
    OrganisationKind.OTHER: "Other organisations",
}


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # The name folded (engage.search.fold): "Northbridge police" and "Northbridge Police"
    # are one organisation, held to it by this unique index.
    name_key: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        value_enum(OrganisationKind, "organisation_kind")
    )
    # Retired entries stay for the registrations that name them, but are not offered.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        """The kind as the list groups it, e.g. "Police forces"."""
        return KIND_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"
