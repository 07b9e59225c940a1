"""The self-service page's withdrawal of the dietary or access consent: confirm, then erase."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from engage.db import LockUnavailable
from engage.registrations import consents
from engage.registrations.forms import WithdrawForm
from engage.registrations.models import ConsentKind
from engage.registrations.public import BUSY_MESSAGE, _by_token, _private, bp

WITHDRAWN = "You have withdrawn your consent. Your {kind} requirements have been erased."


@bp.route("/registrations/<token>/withdraw/<kind>", methods=["GET", "POST"])
def withdraw(token: str, kind: str):
    """Confirm, then withdraw consent for dietary or access requirements and erase them."""
    registration = _by_token(token)
    if kind not in {k.value for k in consents.NEED_KINDS}:
        abort(404)
    form = WithdrawForm()
    problem, status = None, 200
    if request.method == "POST" and not form.validate():
        status = 400  # the error summary says what was wrong
    elif not consents.can_withdraw(registration, kind):
        return _private(redirect(url_for(".manage", token=token)))
    elif request.method == "POST":
        try:
            consents.withdraw(registration, ConsentKind(kind))
        except consents.NothingToWithdraw:
            pass  # withdrawn already, in another tab: the page says where things stand
        except LockUnavailable:
            problem, status = BUSY_MESSAGE, 503
        else:
            flash(WITHDRAWN.format(kind=kind), "success")
        if problem is None:
            return _private(redirect(url_for(".manage", token=token)))
    page = render_template(
        "registrations/withdraw.html",
        registration=registration,
        event=registration.event,
        token=token,
        kind=kind,
        form=form,
        problem=problem,
    )
    return _private(current_app.make_response((page, status)))
