"""The admin's pages for the list of organisations: find, add, rename, retire and restore."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engage.access import admin_required
from engage.extensions import db
from engage.forms import ConfirmForm, show_field_error
from engage.organisations import services
from engage.organisations.forms import OrganisationForm, SearchForm
from engage.organisations.models import KIND_LABELS, Organisation, OrganisationKind

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


@bp.get("/")
@admin_required
def index():
    """The whole list (or what the search finds), with how many of each kind."""
    search = SearchForm(request.args)
    query = search.q.data if search.validate() else ""
    return render_template(
        "organisations/index.html",
        search=search,
        query=query,
        listing=services.listing(query or ""),
        kinds=KIND_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Add an organisation to the list."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            added = services.add(form.name.data, OrganisationKind(form.kind.data))
        except services.NameTaken as error:
            show_field_error(form, error)
        else:
            flash(f"{added.name} added to the list.", "success")
            return redirect(url_for(".index"))
    status = 400 if form.errors else 200
    return render_template("organisations/new.html", form=form), status


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
@admin_required
def edit(organisation_id: int):
    """One entry: rename it or change its kind; retire or restore it."""
    organisation = db.get_or_404(Organisation, organisation_id)
    if request.method == "GET":
        form = OrganisationForm(formdata=None, obj=organisation, kind=organisation.kind.value)
    else:
        form = OrganisationForm()
    if form.validate_on_submit():
        try:
            services.rename(organisation, form.name.data, OrganisationKind(form.kind.data))
        except services.NameTaken as error:
            show_field_error(form, error)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for(".edit", organisation_id=organisation.id))
    status = 400 if form.errors else 200
    page = render_template(
        "organisations/edit.html", organisation=organisation, form=form, confirm=ConfirmForm()
    )
    return page, status


@bp.post("/<int:organisation_id>/retire")
@admin_required
def retire(organisation_id: int):
    """Stop offering an entry; registrations that chose it keep it."""
    return _set_active(organisation_id, False)


@bp.post("/<int:organisation_id>/restore")
@admin_required
def restore(organisation_id: int):
    """Offer a retired entry again."""
    return _set_active(organisation_id, True)


def _set_active(organisation_id: int, active: bool):
    organisation = db.get_or_404(Organisation, organisation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_active(organisation, active)
    state = "offered again" if active else "retired: it is no longer offered"
    flash(f"{organisation.name} is {state}.", "success")
    return redirect(url_for(".edit", organisation_id=organisation.id))
