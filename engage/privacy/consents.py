"""/admin/consents: the consent wordings and the notice's opening words, each versioned.

Editing never changes a version: it publishes the next one (and is audited),
so everyone stays recorded against the words they agreed to.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from engage.access import admin_required
from engage.privacy.forms import WordingForm
from engage.registrations import consents
from engage.registrations.models import ConsentKind

bp = Blueprint("consents", __name__, url_prefix="/admin/consents")


def _kind(name: str) -> ConsentKind:
    try:
        return ConsentKind(name)
    except ValueError:
        abort(404)


@bp.get("/")
@admin_required
def index():
    """Each wording with its current version and when it was published."""
    rows = [(kind, consents.KIND_LABELS[kind], consents.current(kind)) for kind in ConsentKind]
    return render_template("privacy/consents.html", rows=rows)


@bp.route("/<kind>", methods=["GET", "POST"])
@admin_required
def edit(kind: str):
    """The current wording, to change (as a new version), and every earlier version."""
    kind = _kind(kind)
    current = consents.current_text(kind)
    form = WordingForm(current=current)
    if form.validate_on_submit():
        wording = consents.publish(kind, form.text.data, actor=current_user)
        flash(f"{consents.KIND_LABELS[kind]}: version {wording.version} published.", "success")
        return redirect(url_for(".index"))
    if not form.is_submitted():
        form.text.data = current
    return render_template(
        "privacy/consent_edit.html",
        form=form,
        kind=kind,
        label=consents.KIND_LABELS[kind],
        versions=consents.versions(kind),
    )
