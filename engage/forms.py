"""Form pieces shared by every feature."""

from __future__ import annotations

import re
import unicodedata

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from wtforms import Field, Form
from wtforms.fields import SelectFieldBase, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, RadioInput

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


def one_newline(value):
    """A filter that turns the CR LF (or lone CR) line breaks browsers send into LF."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def anchor_id(field: Field) -> str:
    """The id an error summary links to: the field itself, or a group's first radio or box.

    A link to a fieldset's wrapper lands on something that cannot take focus;
    GOV.UK links a radio or checkbox group to its first input.
    """
    if isinstance(field, SelectFieldBase) and isinstance(
        field.option_widget, (RadioInput, CheckboxInput)
    ):
        first = next(iter(field), None)
        if first is not None:
            return first.id
    return field.id


def form_errors(form: Form) -> list[tuple[str, str]]:
    """Each field's first error as (anchor id, message), in the form's order.

    The page may show fields in another order: base.html puts the summary in
    page order with in_page_order().
    """
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
            found.append((anchor_id(field), message if isinstance(message, str) else str(message)))
    return found


_SUMMARY_LIST = re.compile(r'(<ul class="error-summary__list">)(.*?)(\s*</ul>)', re.S)
_SUMMARY_ITEM = re.compile(r'\s*<li><a href="#([^"]*)">.*?</a></li>', re.S)


def in_page_order(html: Markup) -> Markup:
    """The page with its error summary listed in the order the fields appear on it.

    A form's field order is not always the page's: event questions are added
    per event, and templates lay fields out as reads best. Only the rendered
    page knows, so the summary (from _macros.html) is sorted once it is built,
    by where each linked id first appears; an id the page lacks goes last.
    """
    found = _SUMMARY_LIST.search(html) if isinstance(html, Markup) else None
    if found is None:
        return html
    start = found.start(2)
    items = [
        (html[start + m.start() : start + m.end()], m.group(1))
        for m in _SUMMARY_ITEM.finditer(found.group(2))
    ]

    def position(item: tuple[Markup, str]) -> int:
        at = html.find(f' id="{item[1]}"', found.end())
        return at if at >= 0 else len(html)

    ordered = Markup("").join(text for text, _ in sorted(items, key=position))
    return html[:start] + ordered + html[found.end(2) :]


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
    Every text area keeps its line breaks as LF (see Meta.bind_field).
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            """Bind a field; a text area's first filter makes its line breaks LF.

            Browsers send a text area's line breaks as CR LF: saved as sent, an
            unchanged description would differ from the stored one and log a change.
            """
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, TextAreaField):
                field.filters = (one_newline, *field.filters)
            return field

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
