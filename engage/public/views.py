"""The home page and fixed pages (privacy notice, accessibility statement)."""

from __future__ import annotations

from flask import Blueprint, render_template

from engage import pagecache
from engage.events import services as events
from engage.news import services as news

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
    """How we use the personal data people give us."""
    return render_template("public/privacy.html")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement."""
    return render_template("public/accessibility.html")
