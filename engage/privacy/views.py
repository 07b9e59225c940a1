"""/admin/privacy: an admin answers a subject access or erasure request for one address.

The address travels only in POST bodies, never in a URL, so it stays out of
server logs and browser history.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from engage.access import admin_required
from engage.attendees.exports import CSV, Sheet, download
from engage.db import utcnow
from engage.privacy import access, services
from engage.privacy.forms import JSON, DownloadForm, EraseForm, LookupForm

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")


def _filename() -> str:
    return f"subject-access-{utcnow():%Y-%m-%d}"


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    """Ask for an address; posted, show what is held about it."""
    form = LookupForm()
    if form.validate_on_submit():
        document = services.look_up(form.email.data, "shown on screen", actor=current_user)
        return render_template("privacy/results.html", document=document, address=form.email.data)
    return render_template("privacy/index.html", form=form)


@bp.post("/download")
@admin_required
def download_file():
    """Everything held about the address, as a JSON or CSV file."""
    form = DownloadForm()
    if not form.validate_on_submit():
        return render_template("privacy/index.html", form=form), 400
    how = "downloaded as " + form.format.data.upper()
    document = services.look_up(form.email.data, how, actor=current_user)
    if form.format.data == JSON:
        response = Response(
            json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json"
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{_filename()}.json"'
        response.headers["Cache-Control"] = "no-store"
        return response
    sheet = Sheet("Subject access", ["section", "field", "value"], access.csv_rows(document))
    return download([sheet], CSV, _filename())


@bp.post("/erase")
@admin_required
def erase():
    """Show what erasing the address would remove; confirmed, erase it."""
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("privacy/index.html", form=form), 400
    try:
        if not form.confirmed:
            preview = services.preview_erasure(form.email.data)
            return render_template("privacy/erase.html", preview=preview, address=form.email.data)
        erased = services.erase_for(form.email.data, actor=current_user)
    except services.StaffAccount as error:
        form.email.errors.append(str(error))
        return render_template("privacy/index.html", form=form), 409
    flash(f"Erased. {erased.sentence()[0].upper()}{erased.sentence()[1:]}.", "success")
    return redirect(url_for("privacy.index"))
