"""The certificate download (under the attendee's self-service link) and the public check page."""

from __future__ import annotations

from email.utils import parseaddr

from flask import Blueprint, Response, abort, current_app, render_template

from engage.certificates import services
from engage.certificates.documents import certificate_document
from engage.registrations import services as registrations
from engage.registrations.models import Registration
from engage.registrations.services import RegistrationNotFound

bp = Blueprint("certificates", __name__)


@bp.app_context_processor
def _template_helpers():
    # The self-service page shows the download link through this.
    return {"certificate_available": services.is_available}


def _private(response: Response) -> Response:
    # As every self-service page: personal data, never cached, no Referer to other sites.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _by_token(token: str) -> Registration:
    try:
        registration = registrations.get_by_token(token)
    except RegistrationNotFound:
        page = render_template("registrations/link_invalid.html")
        abort(_private(current_app.make_response((page, 404))))
    if registrations.link_expired(registration):
        contact = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        page = render_template(
            "registrations/link_expired.html", event=registration.event, contact=contact
        )
        abort(_private(current_app.make_response((page, 410))))
    return registration


@bp.get("/registrations/<token>/certificate.pdf")
def download(token: str):
    """The attendee's certificate of attendance; 404 unless checked in and the event is over."""
    registration = _by_token(token)
    try:
        certificate = services.issue(registration)
    except services.CertificateUnavailable:
        abort(404)
    response = Response(certificate_document(certificate), mimetype="application/pdf")
    filename = f"certificate-{registration.event.slug}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@bp.get("/certificates/<code>")
def verify(code: str):
    """Whether a certificate is genuine: the name, the event and its date, nothing else."""
    certificate = services.verify(code)
    status = 200 if certificate else 404
    page = render_template("certificates/verify.html", certificate=certificate)
    response = current_app.make_response((page, status))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
