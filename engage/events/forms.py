"""Back-office forms for an event, its programme and its registration questions."""

from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from engage.addresses import MAX_LENGTH as EMAIL_MAX
from engage.addresses import Email
from engage.events.models import DEFAULT_NEEDS_RETENTION_DAYS, QuestionKind, SessionKind
from engage.forms import EngageForm, NoControlCharacters, SingleLine, options, strip
from engage.slugs import SLUG_MAX, slug_filter
from engage.timefields import EndsAfterStart, LocalDateTimeField, Required

MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 60 * 24
MAX_CHOICES = 30
_OFFSET = re.compile(r"^(\d{1,4})\s*([wdh])$")
_UNIT_HOURS = {"w": 7 * 24, "d": 24, "h": 1}


class WholeNumberField(IntegerField):
    """An integer field whose message names the field."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not re.fullmatch(r"-?\d{1,9}", text):
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number, like 40")
        self.data = int(text)


def parse_offsets(text: str) -> list[int]:
    """'7d, 1d, 2h' as hours before the start, largest first; ValueError if malformed."""
    hours: set[int] = set()
    for token in (t.strip().lower() for t in text.split(",")):
        if not token:
            continue
        match = _OFFSET.match(token)
        if not match:
            raise ValueError(
                "Reminders must be a list like 7d, 1d, 2h (days or hours before the start)"
            )
        value = int(match.group(1)) * _UNIT_HOURS[match.group(2)]
        if not 1 <= value <= MAX_REMINDER_HOURS:
            raise ValueError("Each reminder must be between 1 hour and 60 days before the start")
        hours.add(value)
    if len(hours) > MAX_REMINDERS:
        raise ValueError(f"Set at most {MAX_REMINDERS} reminders")
    return sorted(hours, reverse=True)


def format_offsets(hours: list[int]) -> str:
    """Hours before the start as '7d, 1d, 2h'."""
    return ", ".join(f"{h // 24}d" if h % 24 == 0 else f"{h}h" for h in hours)


class ReminderOffsetsField(Field):
    """Reminder times typed as a comma list; `data` is a list of hours."""

    widget = StringField.widget

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0][:200]
        return format_offsets(self.data or [])

    def process_formdata(self, valuelist):
        self.data = []
        if valuelist and valuelist[0].strip():
            if len(valuelist[0]) > 200:
                raise ValueError("Reminders must be a short list like 7d, 1d, 2h")
            self.data = parse_offsets(valuelist[0])


class EventForm(EngageForm):
    """Every field of an event an organiser can set."""

    title = StringField(
        "Title", [DataRequired("Enter a title"), Length(max=200), SingleLine()], filters=[strip]
    )
    slug = StringField(
        "Web address name",
        [Optional(), Length(max=SLUG_MAX)],
        filters=[slug_filter],
        description="Used in the event's web address. Leave blank to make one from the title.",
    )
    summary = TextAreaField("Summary", [Length(max=500), NoControlCharacters()], filters=[strip])
    description_md = TextAreaField(
        "Description",
        [Length(max=20_000), NoControlCharacters()],
        description="Markdown: **bold**, *italic*, [links](https://example.org), lists.",
    )
    starts_at = LocalDateTimeField("Starts", [Required("Enter when the event starts")])
    ends_at = LocalDateTimeField("Ends", [Required("Enter when the event ends"), EndsAfterStart()])
    is_online = BooleanField("This event is online")
    online_join_details = TextAreaField(
        "Online joining details",
        [Length(max=2_000), NoControlCharacters()],
        description="Sent to confirmed attendees only; never shown on the public page.",
    )
    venue_name = StringField("Venue", [Length(max=200), SingleLine()], filters=[strip])
    venue_address = TextAreaField(
        "Venue address", [Length(max=500), NoControlCharacters()], filters=[strip]
    )
    travel_info_md = TextAreaField(
        "Travel information", [Length(max=10_000), NoControlCharacters()]
    )
    access_info_md = TextAreaField(
        "Access information", [Length(max=10_000), NoControlCharacters()]
    )
    attendee_note_md = TextAreaField("For attendees", [Length(max=10_000), NoControlCharacters()])
    contact_email = StringField(
        "Contact email",
        [Optional(), Length(max=EMAIL_MAX), Email()],
        filters=[strip],
    )
    capacity = WholeNumberField(
        "Places",
        [
            Optional(),
            NumberRange(min=1, max=100_000, message="Places must be between 1 and 100000"),
        ],
        description="Leave blank for no limit.",
    )
    waitlist_enabled = BooleanField("Offer a waiting list when the event is full", default=True)
    registration_opens_at = LocalDateTimeField("Registration opens", [Optional()])
    registration_closes_at = LocalDateTimeField("Registration closes", [Optional()])
    max_workshops = WholeNumberField(
        "Workshops each attendee may choose",
        [
            InputRequired("Enter how many workshops each attendee may choose"),
            NumberRange(min=0, max=20, message="Workshops per attendee must be between 0 and 20"),
        ],
        default=1,
    )
    reminder_offsets_hours = ReminderOffsetsField(
        "Reminders", description="Before the start, for example: 7d, 1d, 2h. Blank for none."
    )
    retention_days = WholeNumberField(
        "Keep attendees' details for (days after the event)",
        [
            InputRequired("Enter how many days to keep attendees' details"),
            NumberRange(min=1, max=3650, message="Keep details for between 1 and 3650 days"),
        ],
        default=180,
    )
    needs_retention_days = WholeNumberField(
        "Keep dietary and access answers for (days after the event)",
        [
            InputRequired("Enter how many days to keep dietary and access answers"),
            NumberRange(min=0, max=365, message="Keep answers for between 0 and 365 days"),
        ],
        default=DEFAULT_NEEDS_RETENTION_DAYS,
    )
    preview = SubmitField("Preview")
    save = SubmitField("Save event")

    def validate_registration_opens_at(self, field):
        """Registration opens before the event starts."""
        if field.data and self.starts_at.data and field.data >= self.starts_at.data:
            raise ValidationError("Registration must open before the event starts")

    def validate_needs_retention_days(self, field):
        """Sensitive answers go no later than the rest of the attendee's details."""
        kept = self.retention_days.data
        if field.data is not None and kept is not None and field.data > kept:
            raise ValidationError(
                f"Keep answers for no longer than attendees' details ({kept} days)"
            )

    def validate_registration_closes_at(self, field):
        """Registration closes after it opens, and no later than the event ends."""
        opens, closes = self.registration_opens_at.data, field.data
        if closes and opens and closes <= opens:
            raise ValidationError("Registration must close after it opens")
        if closes and self.ends_at.data and closes > self.ends_at.data:
            raise ValidationError("Registration must close before the event ends")


def event_fields(form: EventForm) -> dict:
    """The event's values from a validated form."""
    return {name: form[name].data for name in EDITABLE_EVENT_FIELDS}


EDITABLE_EVENT_FIELDS = (
    "title",
    "slug",
    "summary",
    "description_md",
    "starts_at",
    "ends_at",
    "is_online",
    "online_join_details",
    "venue_name",
    "venue_address",
    "travel_info_md",
    "access_info_md",
    "attendee_note_md",
    "contact_email",
    "capacity",
    "waitlist_enabled",
    "registration_opens_at",
    "registration_closes_at",
    "max_workshops",
    "reminder_offsets_hours",
    "retention_days",
    "needs_retention_days",
)


class SessionForm(EngageForm):
    """One item of the programme."""

    kind = SelectField(
        "Kind",
        choices=options((k.value, k.value.title()) for k in SessionKind),
        validators=[InputRequired("Choose the kind of session")],
    )
    title = StringField(
        "Title", [DataRequired("Enter a title"), Length(max=200), SingleLine()], filters=[strip]
    )
    description_md = TextAreaField("Description", [Length(max=10_000), NoControlCharacters()])
    starts_at = LocalDateTimeField("Starts", [Required("Enter when the session starts")])
    ends_at = LocalDateTimeField(
        "Ends", [Required("Enter when the session ends"), EndsAfterStart()]
    )
    room = StringField("Room", [Length(max=120), SingleLine()], filters=[strip])
    capacity = WholeNumberField(
        "Places (workshops only)",
        [Optional(), NumberRange(min=1, max=10_000, message="Places must be between 1 and 10000")],
        description="Leave blank to limit only by the event's places.",
    )
    save = SubmitField("Save session")

    def validate_capacity(self, field):
        """Only workshops have their own places."""
        if field.data is not None and self.kind.data != SessionKind.WORKSHOP.value:
            raise ValidationError("Only workshops have their own number of places")


SESSION_FIELDS = ("kind", "title", "description_md", "starts_at", "ends_at", "room", "capacity")


class QuestionFormBase(EngageForm):
    """A question staff write for a form of theirs: the kind of answer, its words, its choices.

    Each form of questions names its kinds (KINDS, as (value, label) pairs) and which of
    them are answered from a list (LIST_KINDS): the event's registration questions below,
    the feedback survey's in engage/feedback/forms.py.
    """

    KINDS: tuple[tuple[str, str], ...] = ()
    LIST_KINDS: tuple[str, ...] = ()

    kind = SelectField("Kind of answer", validators=[InputRequired("Choose the kind of answer")])
    label = StringField(
        "Question",
        [DataRequired("Enter the question"), Length(max=300), SingleLine()],
        filters=[strip],
    )
    help_text = StringField("Hint", [Length(max=500), SingleLine()], filters=[strip])
    choices = TextAreaField(
        "Choices",
        [Length(max=6_000), NoControlCharacters()],
        description="For list answers: one choice per line.",
    )
    is_required = BooleanField("An answer is required")
    save = SubmitField("Save question")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options(self.KINDS)

    @classmethod
    def for_question(cls, question):
        """The form filled in with a stored question, to change it."""
        return cls(
            data={
                "kind": question.kind.value,
                "label": question.label,
                "help_text": question.help_text,
                "choices": "\n".join(question.choices or []),
                "is_required": question.is_required,
            }
        )

    def fields(self) -> dict:
        """The question as the services take it."""
        return {
            "kind": self.kind.data,
            "label": self.label.data,
            "help_text": self.help_text.data or "",
            "choices": self.choice_list(),
            "is_required": bool(self.is_required.data),
        }

    def choice_list(self) -> list[str]:
        """The typed choices, one per line, blanks and repeats dropped."""
        seen: list[str] = []
        for line in (self.choices.data or "").splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.append(line)
        return seen

    def validate_choices(self, field):
        """List answers need two to thirty short choices; other kinds need none."""
        choices = self.choice_list()
        if self.kind.data in self.LIST_KINDS:
            if len(choices) < 2:
                raise ValidationError("Enter at least two choices, one per line")
            if len(choices) > MAX_CHOICES:
                raise ValidationError(f"Enter at most {MAX_CHOICES} choices")
            if any(len(c) > 200 for c in choices):
                raise ValidationError("Each choice must be 200 characters or fewer")
        elif choices:
            raise ValidationError("Only list answers have choices; clear this box")


class QuestionForm(QuestionFormBase):
    """One of the event's own registration questions."""

    KINDS = (
        (QuestionKind.TEXT.value, "Text"),
        (QuestionKind.SINGLE_CHOICE.value, "One choice from a list"),
        (QuestionKind.MULTIPLE_CHOICE.value, "Several choices from a list"),
        (QuestionKind.YES_NO.value, "Yes or no"),
    )
    LIST_KINDS = (QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value)


class CancelEventForm(EngageForm):
    """Confirm that an event is called off, and say why."""

    reason = TextAreaField(
        "Reason for cancelling",
        [DataRequired("Enter the reason, for attendees"), Length(max=2_000), NoControlCharacters()],
        filters=[strip],
        description="Attendees see this in their email and on the event page.",
    )
    confirm = SubmitField("Cancel the event and tell attendees")


class AssignEventForm(EngageForm):
    """Choose one more event for an organiser to run."""

    event_id = SelectField(
        "Event", coerce=int, validate_choice=True, validators=[InputRequired("Choose an event")]
    )
