"""Back-office pages for an event's resources: list, add, edit, delete and reorder."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from engage.access import staff_required
from engage.errors import render_error
from engage.events import resources as services
from engage.events.access import event_or_404
from engage.events.manage import bp
from engage.events.models import Event, EventResource
from engage.events.resource_forms import resource_form
from engage.extensions import db
from engage.forms import ConfirmForm, show_field_error


@bp.errorhandler(services.ResourceGone)
def _gone(_error: services.ResourceGone):
    """Someone else removed the resource meanwhile: not found, as if never there."""
    return render_error(404)


def _resource_or_404(event: Event, resource_id: int) -> EventResource:
    resource = db.session.get(EventResource, resource_id)
    if resource is None or resource.event_id != event.id:
        abort(404)
    return resource


def _back(event: Event):
    return redirect(url_for(".resources", event_id=event.id))


@bp.get("/<int:event_id>/resources")
@staff_required
def resources(event_id: int):
    """The event's resources, in the order attendees see them."""
    event = event_or_404(event_id)
    return render_template(
        "events/manage/resources.html",
        event=event,
        action_form=ConfirmForm(),
        ended=services.has_ended(event),
        host_of=services.host_of,
    )


@bp.route("/<int:event_id>/resources/new", methods=["GET", "POST"])
@staff_required
def add_resource(event_id: int):
    """Add a link for attendees (to the event, or to one session)."""
    event = event_or_404(event_id)
    form = resource_form(event)
    if form.validate_on_submit():
        try:
            services.add_resource(event, form.fields())
        except services.ResourceRefused as refused:
            show_field_error(form, refused)
        else:
            flash(f"“{form.title.data}” has been added to the resources.", "success")
            return _back(event)
    return render_template("events/manage/resource.html", event=event, form=form, resource=None)


@bp.route("/<int:event_id>/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_resource(event_id: int, resource_id: int):
    """Change a resource."""
    event = event_or_404(event_id)
    resource = _resource_or_404(event, resource_id)
    form = resource_form(event, resource if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_resource(resource, form.fields())
        except services.ResourceRefused as refused:
            show_field_error(form, refused)
        else:
            flash(f"“{form.title.data}” has been saved.", "success")
            return _back(event)
    return render_template("events/manage/resource.html", event=event, form=form, resource=resource)


@bp.route("/<int:event_id>/resources/<int:resource_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_resource(event_id: int, resource_id: int):
    """Confirm removing a resource."""
    event = event_or_404(event_id)
    resource = _resource_or_404(event, resource_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = resource.title
        services.delete_resource(resource)
        flash(f"“{title}” has been removed from the resources.", "success")
        return _back(event)
    return render_template(
        "events/manage/delete.html",
        event=event,
        form=form,
        thing=resource.title,
        kind="resource",
        back_url=url_for(".resources", event_id=event.id),
    )


@bp.post("/<int:event_id>/resources/<int:resource_id>/move")
@staff_required
def move_resource(event_id: int, resource_id: int):
    """Move a resource up or down the list."""
    event = event_or_404(event_id)
    resource = _resource_or_404(event, resource_id)
    if ConfirmForm().validate_on_submit():
        step = -1 if request.form.get("direction") == "up" else 1
        services.move_resource(resource, step)
    return _back(event)
