"""The rules for certificates: who may have one, issuing its code once, and verifying it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engage.certificates.models import Certificate, new_code
from engage.db import transaction
from engage.events.resources import has_ended
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus

ISSUE_ATTEMPTS = 5


class CertificateUnavailable(LookupError):
    """This registration has no certificate: not checked in, or the event has not ended."""


def is_available(registration: Registration, now: dt.datetime | None = None) -> bool:
    """Whether the attendee may download a certificate: checked in, and the event over."""
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.checked_in_at is not None
        and has_ended(registration.event, now)
    )


def _by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def issue(registration: Registration, now: dt.datetime | None = None) -> Certificate:
    """The registration's certificate, made (with a new random code) on its first download.

    Under the registration's lock, so two downloads at once make one row.
    """
    if not is_available(registration, now):
        raise CertificateUnavailable()
    registration_id = registration.id
    with transaction(lock=(Registration, registration_id)):
        certificate = db.session.scalar(
            select(Certificate).where(Certificate.registration_id == registration_id)
        )
        if certificate is None:
            code = new_code()
            for _ in range(ISSUE_ATTEMPTS):
                if _by_code(code) is None:
                    break
                code = new_code()
            certificate = Certificate(registration_id=registration_id, code=code)
            if now is not None:
                certificate.issued_at = now
            db.session.add(certificate)
    return certificate


def verify(code: str) -> Certificate | None:
    """The certificate with this code, or None (unknown, or deleted with the attendee's data)."""
    if not code or len(code) > 64:
        return None
    return _by_code(code.strip().lower())
