"""The message log for staff: each event's messages, and every message for admins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engage.accounts.access import admin_required, event_or_404, staff_required
from engage.extensions import db
from engage.mail import services
from engage.mail.models import MessageStatus

bp = Blueprint("mail", __name__)

PER_PAGE = 50


def _status_filter() -> MessageStatus | None:
    value = request.args.get("status", "")
    if not value:
        return None
    try:
        return MessageStatus(value)
    except ValueError:
        abort(404)


@bp.get("/admin/events/<int:event_id>/messages")
@staff_required
def event_messages(event_id: int):
    """The emails sent, or waiting to be sent, about one event."""
    event = event_or_404(event_id)
    status = _status_filter()
    page = db.paginate(services.messages_query(event_id=event.id, status=status), per_page=PER_PAGE)
    return render_template("mail/event_messages.html", event=event, page=page, status=status)


@bp.get("/admin/messages")
@admin_required
def messages():
    """Every email the site has sent or will send, with a retry for failed ones."""
    status = _status_filter()
    page = db.paginate(services.messages_query(status=status), per_page=PER_PAGE)
    return render_template("mail/messages.html", page=page, status=status)


@bp.post("/admin/messages/<int:message_id>/retry")
@admin_required
def retry_message(message_id: int):
    """Send a failed message again as soon as the worker next looks."""
    try:
        services.retry_now(message_id, actor=current_user)
    except services.NotRetryable:
        flash("That message has not failed, so it was not queued again.", "error")
    else:
        flash(f"Message {message_id} will be sent again shortly.", "success")
    status = request.args.get("status") or None
    return redirect(url_for("mail.messages", status=status))
