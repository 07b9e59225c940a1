"""A certificate's PDF from the database: what it says, worked out from the registration."""

from __future__ import annotations

from engage.certificates.hours import attended_sessions, cpd_minutes, hours_text
from engage.certificates.models import Certificate
from engage.certificates.pdf import CertificateText, certificate_pdf, event_date, session_line
from engage.urls import external_url


def verify_url(certificate: Certificate) -> str:
    """The short public address that confirms the certificate is genuine."""
    return external_url("certificates.verify", code=certificate.code)


def certificate_text(certificate: Certificate) -> CertificateText:
    """Everything the certificate says, from its registration and the event's programme."""
    registration = certificate.registration
    event = registration.event
    attended = attended_sessions(registration)
    return CertificateText(
        name=registration.full_name,
        event_title=event.title,
        date=event_date(event.starts_at, event.ends_at, event.timezone),
        location=event.location,
        sessions=[session_line(s, event.timezone) for s in attended],
        hours=hours_text(cpd_minutes(event, attended)),
        verify_url=verify_url(certificate),
        issued_at=certificate.issued_at,
    )


def certificate_document(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes."""
    return certificate_pdf(certificate_text(certificate))
