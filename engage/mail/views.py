"""The message log for admins: every message, with a retry for failed ones.

Each event's own log is one of the event's back-office pages (engage.events.manage).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engage.access import admin_required
from engage.extensions import db
from engage.mail import services
from engage.mail.models import MessageStatus

bp = Blueprint("mail", __name__)

PER_PAGE = 50


def status_filter() -> MessageStatus | None:
    """The ?status= filter of a message log page (404 for an unknown status)."""
    value = request.args.get("status", "")
    if not value:
        return None
    try:
        return MessageStatus(value)
    except ValueError:
        abort(404)


@bp.get("/admin/messages")
@admin_required
def messages():
    """Every email the site has sent or will send, with a retry for failed ones."""
    status = status_filter()
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
