"""Public news pages and the Atom feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from engage import pagecache
from engage.news import services
from engage.news.feed import atom
from engage.news.services import NewsNotFound

bp = Blueprint("news", __name__, url_prefix="/news")
FEED_LENGTH = 20


@bp.get("/")
@pagecache.for_visitors
def index():
    """Published news, newest first, a page at a time."""
    number = request.args.get("page", 1, type=int)
    pagination = services.page(max(number, 1), current_app.config["NEWS_PER_PAGE"])
    if number > 1 and not pagination.items:
        abort(404)
    return render_template("news/index.html", pagination=pagination)


@bp.get("/<slug>")
@pagecache.for_visitors
def detail(slug: str):
    """One published news item."""
    try:
        item = services.get_published(slug)
    except NewsNotFound:
        abort(404)
    return render_template("news/detail.html", item=item)


@bp.get("/feed.atom")
def feed():
    """The Atom feed of the latest news."""
    body = atom(services.latest(FEED_LENGTH))
    return Response(body, mimetype="application/atom+xml")
