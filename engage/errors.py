"""Friendly error pages, with no stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from engage.db import LockUnavailable
from engage.extensions import db
from engage.urls import site_url_adapter

_TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that action is not allowed here",
    413: "That upload is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is busy",
}


def render_error(status: int, description: str | None = None):
    """The friendly page for an HTTP status."""
    title = _TITLES.get(status, "Sorry, something went wrong")
    if request_ctx.url_adapter is None:
        # Flask refused the Host header (TRUSTED_HOSTS) before routing, so the
        # request has no URLs of its own: the page links to SITE_URL's instead.
        request_ctx.url_adapter = site_url_adapter()
    return render_template(
        "errors/error.html", status=status, title=title, description=description
    ), status


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors and unexpected exceptions."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(LockUnavailable)
    def busy(_error: LockUnavailable):
        db.session.rollback()
        return render_error(503, "Lots of people are using the site right now. Please try again.")

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render_error(500)
