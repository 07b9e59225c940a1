"""The back office: its landing page, user accounts and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engage.access import admin_required, can_edit_news, staff_required
from engage.accounts import manage_services, services
from engage.accounts.forms import InviteForm, UserForm
from engage.accounts.models import Role, User
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.forms import ConfirmForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PER_PAGE = 50


@bp.get("/")
@staff_required
def dashboard():
    """The back office's landing page: links to what this person may use."""
    return render_template("admin/dashboard.html", may_edit_news=can_edit_news(current_user))


@bp.get("/users")
@admin_required
def users():
    """Every account, with its role and state."""
    return render_template("admin/users.html", users=manage_services.list_users())


@bp.route("/users/invite", methods=["GET", "POST"])
@admin_required
def invite():
    """Invite a new organiser or admin by email."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = services.invite(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                can_post_news=form.can_post_news.data,
                invited_by=current_user,
            )
        except (services.DuplicateEmail, services.InvalidEmail) as error:
            form.email.errors.append(str(error))
        else:
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


def user_page(user: User, form=None, *, assign=None, status: int = 200):
    """One account's page; `form` or `assign` carry a refused post's answers and errors."""
    form = form or UserForm(formdata=None, obj=user, role=user.role.value)
    return render_template(
        "admin/user.html", user=user, form=form, assign=assign, confirm=ConfirmForm()
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    """One account: edit its name, role and news permission."""
    account = db.get_or_404(User, user_id)
    if request.method == "GET":
        return user_page(account)
    form = UserForm()
    if form.validate_on_submit():
        try:
            manage_services.update_user(
                account,
                name=form.name.data,
                role=Role(form.role.data),
                can_post_news=form.can_post_news.data,
            )
        except manage_services.LastAdmin as error:
            form.role.errors.append(str(error))
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return user_page(account, form, status=400)


@bp.post("/users/<int:user_id>/disable")
@admin_required
def disable(user_id: int):
    """Disable an account: every session it has ends at once."""
    return _set_enabled(db.get_or_404(User, user_id), False)


@bp.post("/users/<int:user_id>/enable")
@admin_required
def enable(user_id: int):
    """Let a disabled account sign in again."""
    return _set_enabled(db.get_or_404(User, user_id), True)


def _set_enabled(account: User, enabled: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        manage_services.set_enabled(account, enabled)
    except manage_services.LastAdmin as error:
        flash(str(error), "error")
    else:
        flash(f"{account.name} can {'now' if enabled else 'no longer'} sign in.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/invitation")
@admin_required
def resend_invitation(user_id: int):
    """Send a new invitation link to someone who has not set a password."""
    account = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.resend_invitation(account, invited_by=current_user)
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        flash(f"A new invitation has been sent to {account.email}.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.get("/audit")
@admin_required
def audit():
    """The audit log, newest first, a page at a time."""
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        page=page,
        per_page=AUDIT_PER_PAGE,
        error_out=True,
    )
    return render_template("admin/audit.html", pagination=pagination)
