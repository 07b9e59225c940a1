"""The organiser's forms for one attendee, built from the registration form's own fields."""

from __future__ import annotations

from wtforms import BooleanField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from engage.attendees.services import MAY_STAY_EMPTY, Details
from engage.events.models import Event
from engage.forms import EngageForm
from engage.registrations import consents
from engage.registrations.forms import (
    ConsentRule,
    EventFields,
    access_field,
    category_field,
    dietary_field,
    email_field,
    for_event,
    one_line,
)
from engage.registrations.models import AttendeeCategory, ConsentKind, Registration
from engage.registrations.organisation_fields import (
    OTHER,
    OrganisationChoice,
    organisation_choice_field,
    other_organisation_field,
)
from engage.registrations.services import RegistrationData

QUIET_LABEL = "Don't email them about this change"
QUIET_HINT = "For example, when you are correcting something at their request."


class DetailsForm(OrganisationChoice, EngageForm):
    """Who the person is, in the organiser's words; the public form's rules."""

    first_name = one_line("First name", 100, "Enter their first name")
    last_name = one_line("Last name", 100, "Enter their last name")
    email = email_field("Enter their email address")
    organisation_choice = organisation_choice_field()
    organisation = other_organisation_field("Their organisation")
    job_title = one_line("Job title or role", 200, "Enter their job title or role")
    category = category_field(
        "Which of these describes them?", "Choose which of these describes them"
    )
    dietary_requirements = dietary_field()
    access_requirements = access_field()

    def to_details(self) -> Details:
        """The corrections as the service takes them."""
        return Details(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.email.data,
            organisation=self.chosen_organisation[1],
            organisation_id=self.chosen_organisation[0],
            job_title=self.job_title.data,
            category=AttendeeCategory(self.category.data),
            dietary_requirements=self.dietary_requirements.data or "",
            access_requirements=self.access_requirements.data or "",
        )


class CorrectDetailsForm(DetailsForm):
    """Correct someone's details; they are emailed unless the organiser says not to."""

    quiet = BooleanField(QUIET_LABEL)

    def __init__(self, *args, registration: Registration, **kwargs):
        listed = registration.organisation_id
        choice = str(listed) if listed else (OTHER if registration.organisation else "")
        super().__init__(*args, obj=registration, organisation_choice=choice, **kwargs)
        # The entry they chose stays acceptable even if it has been retired since.
        self.offer_organisations(current=listed)
        if listed and not self.is_submitted():
            self.organisation.data = ""  # the box is for Other; the list says the name
        # A walk-in may have given no email (or job title): it may stay empty, for them only.
        for name in MAY_STAY_EMPTY:
            if not getattr(registration, name):
                field = self[name]
                field.validators = [Optional(), *field.validators[1:]]
                field.flags.required = False
                field.description = "They did not give one at the desk: leave it empty, or add it."


class WorkshopsForm(EventFields):
    """Move someone between workshops, knowingly into a full one if need be."""

    book_full = BooleanField("Book them in even though it is full")
    quiet = BooleanField(QUIET_LABEL)


class CancelForm(EngageForm):
    """Confirm cancelling on someone's behalf."""

    quiet = BooleanField("Don't email them that it is cancelled")


class AddRegistrationBase(ConsentRule, DetailsForm, EventFields):
    """Register someone by hand: the public form's fields, without the honeypot."""

    consent_message = (
        "Tick to confirm they agreed we may keep their {kind} requirements, "
        "or leave the requirements empty"
    )
    dietary_consent = BooleanField(
        "They agreed that we may keep their dietary requirements and share them with the caterers"
    )
    access_consent = BooleanField(
        "They agreed that we may keep their access requirements and share them with the venue"
    )
    privacy = BooleanField(
        "They have been told how we use their data (privacy notice)",
        validators=[DataRequired(message="Confirm they have been told how we use their data")],
    )
    notify = BooleanField("Email them a confirmation", default=True)

    def wording_hint(self, kind: str) -> str:
        """The current wording they agree to, recorded on their behalf with its version."""
        text = consents.current_text(ConsentKind(kind))
        return f"Recorded on their behalf as agreeing to: “{text}”"

    def to_data(self) -> RegistrationData:
        """The answers as the registration service takes them."""
        details = self.to_details()
        return RegistrationData(
            **vars(details),
            privacy_accepted=bool(self.privacy.data),
            dietary_consent=bool(self.dietary_consent.data),
            access_consent=bool(self.access_consent.data),
            workshop_ids=list(self.workshops.data or []),
            answers=self.answers(),
        )


def add_registration_form(event: Event, **kwargs) -> AddRegistrationBase:
    """The organiser's registration form for one event, with its workshops and questions."""
    form = for_event(AddRegistrationBase, event, **kwargs)
    form.offer_organisations()
    return form


def workshops_form(event: Event, **kwargs) -> WorkshopsForm:
    """The workshop form for one event (its questions are not asked here)."""
    form = WorkshopsForm(meta={"event": event}, **kwargs)
    form.workshops.choices = [SelectChoice(w.id, w.title) for w in event.workshops]
    return form
