"""Back-office pages for an event's programme sessions and registration questions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from engage.access import staff_required
from engage.errors import render_error
from engage.events import programme_services as services
from engage.events.access import event_or_404
from engage.events.forms import SESSION_FIELDS, QuestionForm, SessionForm
from engage.events.manage import bp
from engage.events.manage_services import EventChangeRefused
from engage.events.models import Event, EventQuestion, EventSession
from engage.extensions import db
from engage.forms import ConfirmForm, show_field_error


@bp.errorhandler(services.ProgrammeItemGone)
def _gone(_error: services.ProgrammeItemGone):
    """Someone else removed the session or question meanwhile: not found, as if never there."""
    return render_error(404)


def _session_or_404(event: Event, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    return session


def _question_or_404(event: Event, question_id: int) -> EventQuestion:
    question = db.session.get(EventQuestion, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


def _back(event: Event, anchor: str):
    return redirect(url_for(".show", event_id=event.id, _anchor=anchor))


@bp.route("/<int:event_id>/sessions/new", methods=["GET", "POST"])
@staff_required
def add_session(event_id: int):
    """Add a session to the programme."""
    event = event_or_404(event_id)
    form = SessionForm()
    if request.method == "GET":
        form.starts_at.data, form.ends_at.data = event.starts_at, event.ends_at
    if form.validate_on_submit():
        try:
            services.add_session(event, {name: form[name].data for name in SESSION_FIELDS})
        except EventChangeRefused as refused:
            show_field_error(form, refused)
        else:
            flash(f"“{form.title.data}” has been added to the programme.", "success")
            return _back(event, "programme")
    return render_template("events/manage/session.html", event=event, form=form, session=None)


@bp.route("/<int:event_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_session(event_id: int, session_id: int):
    """Change a programme session."""
    event = event_or_404(event_id)
    session = _session_or_404(event, session_id)
    form = SessionForm(obj=session)
    if form.validate_on_submit():
        try:
            told = services.update_session(
                session, {name: form[name].data for name in SESSION_FIELDS}
            )
        except EventChangeRefused as refused:
            show_field_error(form, refused)
        else:
            message = f"“{form.title.data}” has been saved."
            if told:
                message += f" {told} people booked on it have been told of the change."
            flash(message, "success")
            return _back(event, "programme")
    return render_template("events/manage/session.html", event=event, form=form, session=session)


@bp.route("/<int:event_id>/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_session(event_id: int, session_id: int):
    """Confirm removing a session from the programme."""
    event = event_or_404(event_id)
    session = _session_or_404(event, session_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = session.title
        told = services.delete_session(session)
        message = f"“{title}” has been removed from the programme."
        if told:
            message += f" {told} people booked on it have been told."
        flash(message, "success")
        return _back(event, "programme")
    return render_template(
        "events/manage/delete.html", event=event, form=form, thing=session.title, kind="session"
    )


@bp.route("/<int:event_id>/questions/new", methods=["GET", "POST"])
@staff_required
def add_question(event_id: int):
    """Add a question to the event's registration form."""
    event = event_or_404(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        services.add_question(event, form.fields())
        flash(f"The question “{form.label.data}” has been added.", "success")
        return _back(event, "questions")
    return render_template("events/manage/question.html", event=event, form=form, question=None)


@bp.route("/<int:event_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_question(event_id: int, question_id: int):
    """Change one of the event's registration questions."""
    event = event_or_404(event_id)
    question = _question_or_404(event, question_id)
    form = QuestionForm.for_question(question)
    if form.validate_on_submit():
        services.update_question(question, form.fields())
        flash(f"The question “{question.label}” has been saved.", "success")
        return _back(event, "questions")
    return render_template("events/manage/question.html", event=event, form=form, question=question)


@bp.route("/<int:event_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_question(event_id: int, question_id: int):
    """Confirm removing a question from the registration form."""
    event = event_or_404(event_id)
    question = _question_or_404(event, question_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_question(question)
        flash("The question has been removed.", "success")
        return _back(event, "questions")
    return render_template(
        "events/manage/delete.html", event=event, form=form, thing=question.label, kind="question"
    )


@bp.post("/<int:event_id>/questions/<int:question_id>/move")
@staff_required
def move_question(event_id: int, question_id: int):
    """Move a question up or down the registration form."""
    event = event_or_404(event_id)
    question = _question_or_404(event, question_id)
    if ConfirmForm().validate_on_submit():
        step = -1 if request.form.get("direction") == "up" else 1
        services.move_question(question, step)
    return _back(event, "questions")
