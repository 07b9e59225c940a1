"""The news admin: list, write, preview, publish, schedule and unpublish news."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engage.access import news_editor_required
from engage.extensions import db
from engage.forms import ConfirmForm, options, show_field_error
from engage.markdown import render
from engage.news import services
from engage.news.forms import NEWS_FIELDS, NewsForm
from engage.news.models import NewsItem
from engage.news.services import NewsChangeRefused
from engage.timefmt import date_and_time

bp = Blueprint("manage_news", __name__, url_prefix="/admin/news")
PER_PAGE = 50
_DONE = {
    "save": "“{title}” has been saved.",
    "publish": "“{title}” has been published.",
    "schedule": "“{title}” is scheduled for {when}.",
}


@bp.get("/")
@news_editor_required
def index():
    """Every news item with its state: draft, scheduled or published."""
    number = max(request.args.get("page", 1, type=int), 1)
    pagination = services.all_items(number, PER_PAGE)
    return render_template(
        "news/manage/index.html", pagination=pagination, state=services.state, form=ConfirmForm()
    )


@bp.route("/new", methods=["GET", "POST"])
@news_editor_required
def create():
    """Write a new news item."""
    return _edit(None)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@news_editor_required
def edit(item_id: int):
    """Change a news item."""
    return _edit(db.get_or_404(NewsItem, item_id))


def _edit(item: NewsItem | None):
    form = NewsForm(obj=item)
    if request.method == "GET" and item and services.state(item) == "scheduled":
        form.publish_at.data = item.published_at
    events = services.linkable_events(current_user)
    if item and item.event and item.event not in events:
        events.append(item.event)  # keep a link made by someone who may see that event
    form.event_id.choices = options(
        [("", "No related event")]
        + [(event.id, f"{event.title} ({event.starts_at:%Y-%m-%d})") for event in events]
    )
    if form.validate_on_submit() and form.action() != "preview":
        action = form.action()
        try:
            item = services.save_news(
                item,
                {name: form[name].data for name in NEWS_FIELDS},
                action=action,
                author=current_user,
                publish_at=form.publish_at.data,
            )
        except NewsChangeRefused as refused:
            show_field_error(form, refused)
        else:
            when = item.published_at
            flash(_DONE[action].format(title=item.title, when=when and _when(when)), "success")
            return redirect(url_for(".index"))
    preview = render(form.body_md.data) if form.preview.data else None
    state = services.state(item) if item else "draft"
    return render_template(
        "news/manage/edit.html", form=form, item=item, preview=preview, state=state
    )


def _when(value) -> str:
    return date_and_time(value)


@bp.post("/<int:item_id>/unpublish")
@news_editor_required
def unpublish(item_id: int):
    """Take an item off the site: it becomes a draft again."""
    item = db.get_or_404(NewsItem, item_id)
    if ConfirmForm().validate_on_submit():
        services.unpublish_news(item)
        flash(f"“{item.title}” is now a draft and not on the site.", "success")
    return redirect(url_for(".index"))
