"""Fixtures for the curated list: entries made through the service."""

from __future__ import annotations

import pytest

from engage.extensions import db
from engage.organisations import services
from engage.organisations.models import OrganisationKind


@pytest.fixture
def make_organisation(app):
    """make_organisation(name, kind=POLICE_FORCE, active=True): an entry, through the service."""

    def factory(name: str, kind=OrganisationKind.POLICE_FORCE, active: bool = True):
        with app.app_context():
            organisation = services.add(name, kind)
            if not active:
                services.set_active(organisation, False)
            db.session.refresh(organisation)
            db.session.expunge(organisation)
        return organisation

    return factory
