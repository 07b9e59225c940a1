"""Absolute links, always on the configured SITE_URL, in a request or not."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def site_url_adapter() -> MapAdapter:
    """The app's URL map bound to SITE_URL, whatever the request's Host header says."""
    site = urlsplit(current_app.config["SITE_URL"])
    return current_app.url_map.bind(
        site.netloc, script_name=site.path.rstrip("/") or "/", url_scheme=site.scheme or "https"
    )


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint on SITE_URL, never on the request's Host header.

    Emails, calendar files and feeds are read far from the request that made
    them, so their links must not depend on who asked or how.
    """
    return site_url_adapter().build(endpoint, values, force_external=True)
