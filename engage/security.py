"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Only staff have accounts: everything under these is theirs.
STAFF_PATHS = ("/admin/", "/account/")


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("ENGAGE_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Flask adds "Vary: Cookie" when the session is read; a page that answers
    # differently for a signed-in user must say so even when it did not read it.
    if request.endpoint != "static" and (request.cookies or "Set-Cookie" in headers):
        response.vary.add("Cookie")
    if _for_staff():
        # Staff pages show people's names and email addresses: no browser or proxy keeps them.
        headers["Cache-Control"] = "no-store"
    return response


def _for_staff() -> bool:
    """Whether the answer is a back-office or account page, or goes to signed-in staff."""
    if request.endpoint == "static":
        return False
    return request.path.startswith(STAFF_PATHS) or current_user.is_authenticated


def init_app(app: Flask) -> None:
    """Register the headers hook."""
    app.after_request(_set_headers)
