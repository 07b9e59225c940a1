"""The registration form and the self-service change form, built for one event."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from engage.addresses import Email
from engage.events.models import Event, EventQuestion, QuestionKind
from engage.forms import EngageForm, NoControlCharacters, SingleLine, strip
from engage.registrations import consents
from engage.registrations.models import CATEGORY_LABELS, AttendeeCategory, ConsentKind
from engage.registrations.organisation_fields import (
    OrganisationChoice,
    organisation_choice_field,
    other_organisation_field,
)
from engage.registrations.services import (
    ChangeData,
    ConsentNeeded,
    Needs,
    RegistrationData,
    TooManyWorkshops,
    check_consent,
    check_workshop_limit,
)

TEXT_ANSWER_MAX = 1000
DIETARY_MAX = 500
ACCESS_MAX = 1000
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class Choice(RadioField):
    """Radio buttons that may be left empty when optional, and refuse forged values."""

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            return
        if self.data not in {value for value, *_ in self.iter_choices()}:
            raise ValidationError("Choose one of the options given")


class MultiCheckbox(SelectMultipleField):
    """A group of checkboxes that refuses values not offered."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        offered = {value for value, *_ in self.iter_choices()}
        if any(value not in offered for value in self.data or []):
            raise ValidationError("Choose from the options given")


def _required(message: str):
    return DataRequired(message=message)


def one_line(label: str, max_length: int, message: str, required: bool = True):
    """A one-line text field: trimmed, at most max_length, `message` when left empty."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            _required(message) if required else Optional(),
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
            SingleLine(),
        ],
    )


def long_text(label: str, max_length: int, description: str = ""):
    """An optional text area: trimmed, at most max_length, no control characters."""
    return TextAreaField(
        label,
        description=description,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
            NoControlCharacters(),
        ],
    )


def email_field(message: str, label: str = "Email address"):
    """An email address field, checked for syntax; `message` when left empty."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            _required(message),
            Length(max=254, message=f"{label} must be 254 characters or fewer"),
            SingleLine(),
            Email(),
        ],
    )


def category_field(label: str, message: str):
    """The attendee category, as radio buttons."""
    return Choice(
        label,
        choices=[SelectChoice(c.value, CATEGORY_LABELS[c]) for c in AttendeeCategory],
        validators=[InputRequired(message=message)],
    )


def dietary_field():
    """Dietary requirements (optional)."""
    return long_text(
        "Dietary requirements", DIETARY_MAX, "For example vegetarian, or a food allergy."
    )


def access_field():
    """Access requirements (optional)."""
    return long_text(
        "Access requirements", ACCESS_MAX, "Anything we can do to make the day work for you."
    )


# The boxes' labels are the current wordings, set per form (with_current_wordings).
DIETARY_CONSENT = consents.DEFAULT_TEXTS[ConsentKind.DIETARY]
ACCESS_CONSENT = consents.DEFAULT_TEXTS[ConsentKind.ACCESS]


class ConsentRule:
    """A form mixin: a requirement typed without its consent box ticked is an error on the box.

    The rule is the service's (check_consent); `consent_message`, when set, words
    it for someone other than the attendee ({kind} is "dietary" or "access").
    """

    consent_message: str | None = None

    def validate_dietary_consent(self, field) -> None:
        """Dietary requirements are kept only with their consent."""
        self._check_consent("dietary", field)

    def validate_access_consent(self, field) -> None:
        """Access requirements are kept only with their consent."""
        self._check_consent("access", field)

    def _check_consent(self, kind: str, field) -> None:
        try:
            check_consent(kind, self[f"{kind}_requirements"].data or "", bool(field.data))
        except ConsentNeeded as error:
            message = self.consent_message
            raise ValidationError(
                message.format(kind=kind) if message else error.message
            ) from error


class EventFields(EngageForm):
    """Fields shared by the registration and change forms: workshops and questions."""

    workshops = MultiCheckbox("Workshops", coerce=int, validators=[Optional()])
    question_fields: list[tuple[EventQuestion, str]] = []

    def validate_workshops(self, field) -> None:
        """No more workshops than the event allows (the service's own rule)."""
        try:
            check_workshop_limit(self.meta.event, field.data or [])
        except TooManyWorkshops as error:
            raise ValidationError(error.message) from error

    def answers(self) -> dict[int, str | list[str]]:
        """Answers to the event's questions, keyed by question id."""
        found: dict[int, str | list[str]] = {}
        for question, name in self.question_fields:
            value = self[name].data
            if value not in (None, "", []):
                found[question.id] = value
        return found


class RegistrationBase(OrganisationChoice, ConsentRule, EventFields):
    """The public registration form's own fields (workshops and questions come per event)."""

    first_name = one_line("First name", 100, "Enter your first name")
    last_name = one_line("Last name", 100, "Enter your last name")
    email = email_field("Enter your email address")
    organisation_choice = organisation_choice_field()
    organisation = other_organisation_field()
    job_title = one_line("Job title or role", 200, "Enter your job title or role")
    category = category_field(
        "Which of these describes you?", "Choose which of these describes you"
    )
    dietary_requirements = dietary_field()
    dietary_consent = BooleanField(DIETARY_CONSENT)
    access_requirements = access_field()
    access_consent = BooleanField(ACCESS_CONSENT)
    privacy = BooleanField(
        consents.DEFAULT_TEXTS[ConsentKind.PRIVACY],
        validators=[DataRequired(message="Agree to the privacy notice to register")],
    )
    # Honeypot: hidden from people, irresistible to form-filling bots.
    website = StringField("Leave this field empty", validators=[Optional(), Length(max=500)])

    def to_data(self) -> RegistrationData:
        """The answers as the registration service takes them."""
        return RegistrationData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.email.data,
            organisation=self.chosen_organisation[1],
            organisation_id=self.chosen_organisation[0],
            job_title=self.job_title.data,
            category=AttendeeCategory(self.category.data),
            privacy_accepted=bool(self.privacy.data),
            dietary_requirements=self.dietary_requirements.data or "",
            dietary_consent=bool(self.dietary_consent.data),
            access_requirements=self.access_requirements.data or "",
            access_consent=bool(self.access_consent.data),
            workshop_ids=list(self.workshops.data or []),
            answers=self.answers(),
        )


class _ChangeBase(ConsentRule, EventFields):
    dietary_requirements = dietary_field()
    dietary_consent = BooleanField(DIETARY_CONSENT)
    access_requirements = access_field()
    access_consent = BooleanField(ACCESS_CONSENT)

    def to_data(self) -> ChangeData:
        """The changes as the change service takes them."""
        needs = Needs(
            dietary_requirements=self.dietary_requirements.data or "",
            dietary_consent=bool(self.dietary_consent.data),
            access_requirements=self.access_requirements.data or "",
            access_consent=bool(self.access_consent.data),
        )
        return ChangeData(
            workshop_ids=list(self.workshops.data or []), answers=self.answers(), needs=needs
        )


def _question_field(question: EventQuestion):
    label = question.label
    description = question.help_text
    required = question.is_required
    if question.kind == QuestionKind.TEXT:
        message = f"Answer the question “{label}”"
        return TextAreaField(
            label,
            description=description,
            filters=[strip],
            validators=[
                _required(message) if required else Optional(),
                Length(
                    max=TEXT_ANSWER_MAX,
                    message=f"Keep your answer under {TEXT_ANSWER_MAX} characters",
                ),
                NoControlCharacters(),
            ],
        )
    choices = [SelectChoice(c, c) for c in question.choices]
    message = f"Answer the question “{label}”"
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return MultiCheckbox(
            label,
            description=description,
            choices=choices,
            validators=[_required(message) if required else Optional()],
        )
    if question.kind == QuestionKind.YES_NO:
        choices = YES_NO
    return Choice(
        label,
        description=description,
        choices=choices,
        validators=[InputRequired(message=message) if required else Optional()],
    )


def for_event(base: type[EventFields], event: Event, **kwargs) -> EventFields:
    """A form of class `base` for one event: its workshops to choose from, and its questions."""
    fields = {f"question_{q.id}": _question_field(q) for q in event.questions}
    attrs = dict(fields)
    attrs["question_fields"] = [(q, f"question_{q.id}") for q in event.questions]
    form_class = type(base.__name__.lstrip("_"), (base,), attrs)
    form = form_class(meta={"event": event}, **kwargs)
    form.workshops.choices = [SelectChoice(w.id, w.title) for w in event.workshops]
    return form


def with_current_wordings(form, kinds=(ConsentKind.DIETARY, ConsentKind.ACCESS)):
    """Label each consent box with its current wording (the version a booking records)."""
    for kind in kinds:
        name = "privacy" if kind == ConsentKind.PRIVACY else f"{kind.value}_consent"
        form[name].label.text = consents.current_text(kind)
    return form


def registration_form(event: Event, **kwargs) -> RegistrationBase:
    """The registration form for one event: workshops, questions, organisations, wordings."""
    form = for_event(RegistrationBase, event, **kwargs)
    form.offer_organisations()
    return with_current_wordings(form, (ConsentKind.PRIVACY, *consents.NEED_KINDS))


def change_form(event: Event, **kwargs) -> _ChangeBase:
    """The self-service change form: workshops, the event's questions, the current wordings."""
    return with_current_wordings(for_event(_ChangeBase, event, **kwargs))


class WithdrawForm(EngageForm):
    """The confirmation page's button: withdraw a consent (the token is checked by CSRF)."""

    confirm = HiddenField(validators=[AnyOf(["yes"], message="Use the button to confirm")])
