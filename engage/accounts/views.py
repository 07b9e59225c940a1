"""Signing in and out, and looking after one's own password."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from engage.access import staff_required
from engage.accounts import devices, services
from engage.accounts.forms import ChangePasswordForm, ResetRequestForm, SetPasswordForm, SignInForm
from engage.accounts.models import TokenPurpose, User
from engage.accounts.redirects import safe_next
from engage.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/account")

WRONG_DETAILS = "Enter a correct email address and password"
THROTTLED = (
    "Too many failed attempts to sign in. Wait 15 minutes and try again, or reset your password."
)
TOKEN_MAX_LENGTH = 100


def _start_session(user: User) -> None:
    # A fresh session at every sign-in: nothing planted before it survives.
    session.clear()
    login_user(user)


def _after_sign_in():
    return redirect(safe_next(request.args.get("next")) or url_for("admin.dashboard"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The staff sign-in page."""
    if current_user.is_authenticated and request.method == "GET":
        return _after_sign_in()
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data,
                form.password.data,
                address=request.remote_addr,
                device=devices.read(request.cookies.get(devices.cookie_name())),
            )
        except services.SignInThrottled:
            form.email.errors.append(THROTTLED)
            status = 429
        except services.InvalidCredentials:
            form.email.errors.append(WRONG_DETAILS)
            status = 400
        else:
            _start_session(user)
            return devices.remember(_after_sign_in(), user)
    next_path = safe_next(request.args.get("next"))
    return render_template("accounts/sign_in.html", form=form, next_path=next_path), status


@bp.post("/sign-out")
def sign_out():
    """Sign out: this session, and any copy of its cookie, stops working."""
    if current_user.is_authenticated:
        services.sign_out(db.session.get(User, current_user.id))
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("public.home"))


@bp.route("/password", methods=["GET", "POST"])
@staff_required
def change_password():
    """Change one's own password (signs out every other device)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        except services.PasswordRejected as error:
            form.password.errors.append(str(error))
        else:
            _start_session(user)  # this device stays signed in, with the new version
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("admin.dashboard"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a password reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form)


def _set_password_page(token: str, purpose: TokenPurpose, template: str):
    if len(token) > TOKEN_MAX_LENGTH:
        return render_template("accounts/link_invalid.html", purpose=purpose.value), 404
    try:
        found = services.find_token(token, purpose)
    except services.InvalidToken:
        return render_template("accounts/link_invalid.html", purpose=purpose.value), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.set_password_with_token(token, purpose, form.password.data)
        except services.InvalidToken:
            return render_template("accounts/link_invalid.html", purpose=purpose.value), 404
        except services.PasswordRejected as error:
            form.password.errors.append(str(error))
        else:
            return user
    return render_template(template, form=form, user=found.user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    result = _set_password_page(token, TokenPurpose.PASSWORD_RESET, "accounts/reset_password.html")
    if not isinstance(result, User):
        return result
    logout_user()
    session.clear()
    flash("Your password has been changed. Sign in with your new password.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Set a password from an invitation link, and start working."""
    result = _set_password_page(token, TokenPurpose.INVITATION, "accounts/accept_invitation.html")
    if not isinstance(result, User):
        return result
    _start_session(result)
    flash("Your password is set and you are signed in.", "success")
    return redirect(url_for("admin.dashboard"))
