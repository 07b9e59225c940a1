"""Form pieces shared by every feature."""

from __future__ import annotations

import re
import unicodedata

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from wtforms import Field, Form
from wtforms.fields import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

# C0 and C1 controls, plus the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates: they reorder the text shown after them.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Zero-width non-joiner and joiner: Persian, Sinhala, Indic scripts and emoji need them.
_JOINERS = frozenset("\u200c\u200d")


def _invisible(field: Field) -> str:
    return (
        f"{field.label.text} must not contain invisible formatting characters; "
        "try typing it rather than pasting it"
    )


def _visible(char: str) -> bool:
    return bool(char) and not char.isspace() and unicodedata.category(char)[0] != "C"


# Not format characters, but they draw nothing: a name made of them looks empty.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_format_characters(text: str) -> bool:
    """Whether text holds an invisible format character (Unicode category Cf).

    Those are direction overrides, zero-width spaces, byte order marks, soft
    hyphens and the like: a name can look like another, or turn the text after
    it round. Letters with combining accents (category Mn) are not among them,
    and a joiner is allowed between two visible characters, where it belongs.
    """
    if text.isascii():
        return False
    for index, char in enumerate(text):
        if char in _BLANK_LOOKING:
            return True
        if unicodedata.category(char) != "Cf":
            continue
        if (
            char in _JOINERS
            and _visible(text[index - 1 : index])
            and _visible(text[index + 1 : index + 2])
        ):
            continue
        return True
    return False


class SingleLine:
    """Refuse line breaks, control and invisible format characters in a one-line answer."""

    def __init__(self, message: str | None = None):
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        text = str(field.data)
        if _CONTROL.search(text):
            raise ValidationError(
                self.message
                or f"{field.label.text} must be on one line, without special characters"
            )
        if has_format_characters(text):
            raise ValidationError(self.message or _invisible(field))


class NoControlCharacters:
    """Refuse control characters (not line breaks) and direction overrides in a longer answer."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        text = str(field.data)
        if _CONTROL_MULTILINE.search(text):
            raise ValidationError(f"{field.label.text} must not contain special characters")
        if _BIDI_CONTROLS.search(text):
            raise ValidationError(_invisible(field))


def options(pairs) -> list:
    """Select options from (value, label) pairs, as WTForms 3.3 wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def option_values(choices) -> set:
    """The values of a select field's options."""
    return {c.value if hasattr(c, "value") else c[0] for c in choices}


def strip(value):
    """A filter that trims surrounding white space from text answers."""
    return value.strip() if isinstance(value, str) else value


def form_errors(form: Form) -> list[tuple[str, str]]:
    """Each field's first error as (field id, message), in the form's order."""
    found: list[tuple[str, str]] = []
    for field in form:
        if field.type == "FormField":
            found.extend(form_errors(field.form))
        elif field.type == "FieldList":
            for entry in field.entries:
                if entry.type == "FormField":
                    found.extend(form_errors(entry.form))
                elif entry.errors:
                    found.append((entry.id, entry.errors[0]))
        elif field.errors:
            message = field.errors[0]
            found.append((field.id, message if isinstance(message, str) else str(message)))
    return found


class FieldError(ValueError):
    """A rule refused what was typed into one field; `field` names it, the message says why.

    Services raise subclasses (SlugTaken, EndsBeforeStart, WorkshopFull...);
    views show them beside the field with show_field_error().
    """

    field = "title"
    message = "That answer cannot be used."

    def __init__(self, message: str | None = None, field: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message
        if field:
            self.field = field


def show_field_error(form: Form, error: FieldError) -> None:
    """Put a service's refusal beside its field (or the form's first field, if it has none)."""
    target = form[error.field] if error.field in form else next(iter(form))
    target.errors = [*target.errors, str(error)]


NOT_TEXT = "Enter text"
_FROM_REQUEST = object()


def text_only(body) -> tuple[ImmutableMultiDict, set[str]]:
    """A JSON body as form data holding only text; and the names whose values were not text.

    A browser posts strings only. A JSON body may hold numbers, null, booleans, objects or
    nested lists, which would reach filters, validators and services written for text.
    A list of strings stands for a field posted several times, as a browser does.
    """
    if not isinstance(body, dict):
        return ImmutableMultiDict(), set()
    kept: list[tuple[str, str]] = []
    refused: set[str] = set()
    for name, value in body.items():
        values = value if isinstance(value, list) else [value]
        if all(isinstance(item, str) for item in values):
            kept.extend((name, item) for item in values)
        else:
            refused.add(name)
    return ImmutableMultiDict(kept), refused


class EngageForm(FlaskForm):
    """The base of every form: a JSON body is read as text, or refused field by field.

    Flask-WTF reads a JSON request body as the form's data. A value that is not a string
    (or a list of strings) is left out, and its field fails validation with "Enter text".
    """

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        self._not_text: set[str] = set()
        if formdata is _FROM_REQUEST:
            if not (self.is_submitted() and request.is_json):
                super().__init__(**kwargs)  # Flask-WTF reads the request itself
                return
            try:
                body = request.get_json()
            except RecursionError as error:  # nested too deep for the JSON parser
                raise BadRequest() from error
            formdata, self._not_text = text_only(body)
        super().__init__(formdata=formdata, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        """Every field's checks; a field the JSON body gave as something other than text fails."""
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in self._not_text:
                field.errors = [NOT_TEXT]
                valid = False
        return valid


class ConfirmForm(EngageForm):
    """A button that confirms a change: it carries only the CSRF token (and a Confirm button)."""

    submit = SubmitField("Confirm")
