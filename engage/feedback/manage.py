"""The organiser's survey pages: settings, questions, results and the export of responses."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from slugify import slugify

from engage.access import staff_required
from engage.attendees import exports
from engage.db import utcnow
from engage.errors import render_error
from engage.events.access import event_or_404
from engage.events.models import Event
from engage.extensions import db
from engage.feedback import setup
from engage.feedback.exports import responses_sheet
from engage.feedback.forms import SettingsForm, SurveyQuestionForm
from engage.feedback.models import SurveyQuestion
from engage.feedback.results import results as survey_results
from engage.forms import ConfirmForm
from engage.timefmt import local

bp = Blueprint("manage_feedback", __name__, url_prefix="/admin/events/<int:event_id>/feedback")


@bp.errorhandler(setup.SurveyItemGone)
def _gone(_error):
    """Someone else removed the question meanwhile: not found, as if never there."""
    return render_error(404)


def _question_or_404(event: Event, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey.event_id != event.id:
        abort(404)
    return question


def _back(event: Event, anchor: str = "questions"):
    return redirect(url_for(".index", event_id=event.id, _anchor=anchor))


@bp.route("/", methods=["GET", "POST"])
@staff_required
def index(event_id: int):
    """The survey's settings, and its questions."""
    event = event_or_404(event_id)
    survey = setup.survey_for(event)
    form = SettingsForm(obj=survey)
    if form.validate_on_submit():
        setup.save_settings(event, form.fields())
        flash("The survey settings have been saved.", "success")
        return redirect(url_for(".index", event_id=event.id))
    return render_template(
        "feedback/manage/index.html",
        event=event,
        survey=survey,
        form=form,
        action_form=ConfirmForm(),
    )


@bp.route("/questions/new", methods=["GET", "POST"])
@staff_required
def add_question(event_id: int):
    """Add a question to the survey."""
    event = event_or_404(event_id)
    form = SurveyQuestionForm()
    if form.validate_on_submit():
        setup.add_question(event, form.fields())
        flash(f"The question “{form.label.data}” has been added.", "success")
        return _back(event)
    return render_template("feedback/manage/question.html", event=event, form=form, question=None)


@bp.route("/questions/<int:survey_question_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_question(event_id: int, survey_question_id: int):
    """Change one of the survey's questions."""
    event = event_or_404(event_id)
    question = _question_or_404(event, survey_question_id)
    form = SurveyQuestionForm.for_question(question)
    if form.validate_on_submit():
        setup.update_question(question, form.fields())
        flash(f"The question “{form.label.data}” has been saved.", "success")
        return _back(event)
    return render_template(
        "feedback/manage/question.html", event=event, form=form, question=question
    )


@bp.route("/questions/<int:survey_question_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_question(event_id: int, survey_question_id: int):
    """Confirm removing a question (and its answers) from the survey."""
    event = event_or_404(event_id)
    question = _question_or_404(event, survey_question_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        setup.delete_question(question)
        flash("The question has been removed.", "success")
        return _back(event)
    return render_template("feedback/manage/delete.html", event=event, form=form, question=question)


@bp.post("/questions/<int:survey_question_id>/move")
@staff_required
def move_question(event_id: int, survey_question_id: int):
    """Move a question up or down the survey."""
    event = event_or_404(event_id)
    question = _question_or_404(event, survey_question_id)
    if ConfirmForm().validate_on_submit():
        setup.move_question(question, -1 if request.form.get("direction") == "up" else 1)
    return _back(event)


@bp.get("/results")
@staff_required
def results(event_id: int):
    """Counts, averages and charts per question and session; every free-text answer."""
    event = event_or_404(event_id)
    survey = setup.survey_for(event)
    found = survey_results(survey) if survey else None
    return render_template(
        "feedback/manage/results.html", event=event, survey=survey, results=found
    )


@bp.get("/export")
@staff_required
def export(event_id: int):
    """The responses as CSV (default) or Excel."""
    event = event_or_404(event_id)
    survey = setup.survey_for(event)
    if survey is None:
        return redirect(url_for(".index", event_id=event.id))
    file_format = exports.XLSX if request.args.get("format") == exports.XLSX else exports.CSV
    today = local(utcnow(), event.timezone).date().isoformat()
    filename = f"{slugify(event.slug)}-feedback-{today}"
    return exports.download([responses_sheet(survey)], file_format, filename)
