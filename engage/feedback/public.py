"""The attendee's survey page, reached from the personal link in the email: no account needed."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for

from engage.db import LockUnavailable
from engage.feedback import services
from engage.feedback.forms import answer_form
from engage.feedback.services import AlreadyAnswered, InvitationNotFound, SurveyClosed
from engage.registrations import consents
from engage.registrations.models import ConsentKind

bp = Blueprint("feedback", __name__)
BUSY_MESSAGE = "Your answers could not be saved just now. Please try again in a moment."


def _private(response):
    # A secret link and personal answers: never cached, no Referer to another site
    # (same-origin, as the self-service pages, so that the CSRF check still sees one).
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _page(template: str, status: int = 200, **context):
    return _private(current_app.make_response((render_template(template, **context), status)))


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def answer(token: str):
    """The survey form; once answered, a thank-you; after it closes, a closed page."""
    try:
        invitation = services.invitation_by_token(token)
    except InvitationNotFound:
        abort(_page("feedback/link_invalid.html", 404))
    survey = invitation.survey
    event = survey.event
    if invitation.answered_at is not None:
        return _page("feedback/thanks.html", event=event)
    if not services.is_open(survey):
        return _page("feedback/closed.html", event=event, survey=survey)
    form = answer_form(survey, services.sessions_to_rate(survey, invitation.registration))
    problem = None
    if form.validate_on_submit():
        try:
            services.submit(invitation, form.answers())
        except AlreadyAnswered:
            return _page("feedback/thanks.html", event=event)
        except SurveyClosed:
            return _page("feedback/closed.html", event=event, survey=survey)
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            flash("Your answers have been sent.", "success")
            return _private(redirect(url_for(".answer", token=token)))
    return _page(
        "feedback/answer.html",
        event=event,
        survey=survey,
        form=form,
        token=token,
        problem=problem,
        # What the survey is for, in the words admins keep versioned at /admin/consents.
        notice=consents.current_text(ConsentKind.FEEDBACK),
    )
