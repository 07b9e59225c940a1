"""Admins assign organisers to events, from a user's page in the back office."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from wtforms.fields.choices import SelectChoice

from engage.access import admin_required
from engage.accounts.manage import user_page
from engage.accounts.models import User
from engage.events import organisers
from engage.events.forms import AssignEventForm
from engage.events.models import Event
from engage.extensions import db
from engage.forms import ConfirmForm

bp = Blueprint("organisers", __name__, url_prefix="/admin/users/<int:user_id>/events")


def assign_form(user: User) -> AssignEventForm:
    """The form that assigns the user to one more event."""
    form = AssignEventForm()
    form.event_id.choices = [
        SelectChoice(event.id, event.title) for event in organisers.assignable_events(user)
    ]
    return form


@bp.app_context_processor
def _template_helpers():
    # The user page (an accounts page) shows this form through this.
    return {"organiser_assign_form": assign_form}


@bp.post("")
@admin_required
def assign(user_id: int):
    """Let the user manage one more event."""
    account = db.get_or_404(User, user_id)
    form = assign_form(account)
    if not form.validate_on_submit():
        return user_page(account, assign=form, status=400)
    event = db.session.get(Event, form.event_id.data)
    organisers.assign(account, event)
    flash(f"{account.name} can now manage {event.title}.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/<int:event_id>/remove")
@admin_required
def remove(user_id: int, event_id: int):
    """Stop the user managing an event."""
    account = db.get_or_404(User, user_id)
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    organisers.remove(account, event)
    flash(f"{account.name} no longer manages {event.title}.", "success")
    return redirect(url_for("admin.user", user_id=account.id))
