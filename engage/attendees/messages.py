"""“Email these people”: an organiser's message to the attendees a filter picks; its progress."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engage.access import staff_required
from engage.accounts.models import User
from engage.attendees import message_services as services
from engage.attendees.filters import AttendeeFilter
from engage.attendees.message_forms import MessageForm, new_message_key
from engage.attendees.placeholders import PLACEHOLDERS, unknown_placeholders
from engage.events.access import event_or_404
from engage.events.models import Event
from engage.extensions import db
from engage.forms import ConfirmForm, show_field_error, text_only
from engage.mail import mailings
from engage.mail.models import Mailing
from engage.registrations.hooks import EVENT_CANCELLED, EVENT_CHANGED

bp = Blueprint("attendee_messages", __name__, url_prefix="/admin/events/<int:event_id>/mailings")

PER_PAGE = 50
KIND_LABELS = {
    services.ORGANISER_MESSAGE: "Message from the organisers",
    EVENT_CHANGED: "Date, time or venue changed",
    EVENT_CANCELLED: "Event cancelled",
}


def mailing_or_404(event_id: int, mailing_id: int) -> tuple[Event, Mailing]:
    """The event and its mailing, if the signed-in user may manage the event."""
    event = event_or_404(event_id)
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or mailing.event_id != event.id:
        abort(404)
    return event, mailing


def _filter_args():
    # The filter rides along as hidden fields when the form is posted.
    if request.method == "GET":
        return request.args
    if request.is_json:
        return text_only(request.get_json(silent=True))[0]
    return request.form


@bp.get("/")
@staff_required
def index(event_id: int):
    """Every mailing about the event, newest first."""
    event = event_or_404(event_id)
    page = db.paginate(mailings.event_mailings(event.id), per_page=PER_PAGE)
    return render_template("attendees/mailings.html", event=event, page=page, labels=KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new(event_id: int):
    """Write to the people the list's filter picks: preview, send a test, or send."""
    event = event_or_404(event_id)
    chosen = AttendeeFilter.from_args(event, _filter_args())
    form = MessageForm()
    if request.method == "GET":
        form.key.data = new_message_key()
    shown = None
    if form.validate_on_submit():
        subject, body = form.subject.data, form.body_md.data
        if form.send.data:
            try:
                mailing, created = services.send_message(
                    chosen, subject, body, key=form.key.data, actor=current_user
                )
            except services.NoRecipients as refused:
                show_field_error(form, refused)
            else:
                count = mailing.recipient_count
                people = "1 person" if count == 1 else f"{count} people"
                if created:
                    flash(f"Your message is being sent to {people}.", "success")
                else:
                    flash("This message had already been sent: nothing was sent twice.", "success")
                return redirect(url_for(".show", event_id=event.id, mailing_id=mailing.id))
        elif form.test.data:
            services.send_test(chosen, subject, body, to=current_user)
            flash(f"A test has been sent to {current_user.email}.", "success")
        else:
            shown = services.preview(chosen, subject, body)
    return render_template(
        "attendees/mailing_new.html",
        event=event,
        form=form,
        chosen=chosen,
        count=services.count_recipients(chosen),
        who=services.filter_in_words(chosen),
        placeholders=PLACEHOLDERS,
        unknown=unknown_placeholders(form.subject.data or "", form.body_md.data or ""),
        preview=shown,
    )


@bp.get("/<int:mailing_id>")
@staff_required
def show(event_id: int, mailing_id: int):
    """One mailing: what it says, who sent it and when, and how far it has got."""
    event, mailing = mailing_or_404(event_id, mailing_id)
    sender = db.session.get(User, mailing.created_by) if mailing.created_by else None
    return render_template(
        "attendees/mailing_show.html",
        event=event,
        mailing=mailing,
        sender=sender,
        progress=mailings.progress(mailing),
        label=KIND_LABELS.get(mailing.kind, mailing.kind),
        retry_form=ConfirmForm(),
    )


@bp.post("/<int:mailing_id>/retry")
@staff_required
def retry(event_id: int, mailing_id: int):
    """Queue the mailing's failed emails again."""
    event, mailing = mailing_or_404(event_id, mailing_id)
    if ConfirmForm().validate_on_submit():
        count = mailings.retry_failed(mailing, actor=current_user)
        if count:
            flash(f"{count} failed email(s) will be sent again shortly.", "success")
        else:
            flash("No email of this message has failed, so none was sent again.", "success")
    return redirect(url_for(".show", event_id=event.id, mailing_id=mailing_id))
