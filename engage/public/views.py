"""The home page and fixed pages (privacy notice, accessibility statement)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from engage import pagecache
from engage.events import services as events
from engage.events.models import DEFAULT_NEEDS_RETENTION_DAYS, DEFAULT_RETENTION_DAYS
from engage.news import services as news
from engage.registrations import consents
from engage.registrations.models import ConsentKind
from engage.registrations.needs import CATERING_COLUMNS

bp = Blueprint("public", __name__)
HOME_EVENTS = 3
HOME_NEWS = 3


@bp.get("/")
@pagecache.for_visitors
def home():
    """Upcoming events and the latest news."""
    return render_template(
        "public/home.html",
        events=events.upcoming(limit=HOME_EVENTS),
        news=news.latest(HOME_NEWS),
    )


@bp.get("/privacy")
def privacy():
    """How we use the personal data people give us: every number here comes from the code."""
    history = consents.versions(ConsentKind.PRIVACY_NOTICE)
    return render_template(
        "public/privacy.html",
        opening=consents.current_text(ConsentKind.PRIVACY_NOTICE),
        notice=history[0] if history else None,
        history=history,
        needs_days=DEFAULT_NEEDS_RETENTION_DAYS,
        retention_days=DEFAULT_RETENTION_DAYS,
        catering_columns=CATERING_COLUMNS,
        contact=current_app.config["CONTACT_EMAIL"],
    )


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement."""
    return render_template("public/accessibility.html")
