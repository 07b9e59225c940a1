"""Every response carries the security headers."""

import pytest

from engage.security import CONTENT_SECURITY_POLICY

PAGES = [
    "/",
    "/news/",
    "/events/",
    "/privacy",
    "/news/feed.atom",
    "/events/calendar.ics",
    "/does-not-exist",
]


@pytest.mark.parametrize("path", PAGES)
def test_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # not in development


def test_pages_that_use_the_session_vary_on_cookie(client):
    assert "Cookie" in client.get("/").headers.get("Vary", "")


def test_hsts_in_production(make_app, monkeypatch, recommended_password_hashing):
    site = "https://events.example.org"
    app = make_app(
        ENGAGE_ENV="production", SECRET_KEY="not-the-development-one-" * 2, SITE_URL=site
    )
    response = app.test_client().get("/", base_url=site)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_no_inline_script_in_pages(client, make_event):
    make_event(slug="day")
    for path in ("/", "/events/", "/events/day", "/news/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onclick" not in html and " style=" not in html


def test_atom_feed_is_advertised_in_the_head(client):
    html = client.get("/").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in html
