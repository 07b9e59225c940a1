"""Forms for signing in, passwords, invitations and managing users."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from engage.accounts import passwords
from engage.accounts.models import Role
from engage.addresses import InvalidEmail, normalise_email
from engage.forms import EngageForm, SingleLine, strip

ROLE_CHOICES = [
    SelectChoice(Role.ORGANISER.value, "Organiser: runs the events they are assigned to"),
    SelectChoice(Role.ADMIN.value, "Admin: runs everything, including accounts"),
]


def _policy(form, field) -> None:
    try:
        passwords.check_policy(field.data or "")
    except passwords.PasswordRejected as error:
        raise ValidationError(str(error)) from error


def _email_format(form, field) -> None:
    try:
        normalise_email(field.data or "")
    except InvalidEmail as error:
        raise ValidationError(str(error)) from error


def _email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired(
                "Enter your email address" if "your" in label.lower() else "Enter an email address"
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            SingleLine(),
        ],
    )


def _new_password_fields():
    new = PasswordField(
        "New password",
        validators=[InputRequired("Enter a new password"), _policy],
        description=(
            f"At least {passwords.MIN_LENGTH} characters. A few unrelated words make a "
            "strong password that is easy to remember."
        ),
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired("Confirm your new password"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )
    return new, confirm


class SignInForm(EngageForm):
    email = _email_field("Your email address")
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Enter your password"),
            Length(max=passwords.MAX_LENGTH, message="Enter a correct email address and password"),
        ],
    )


class ResetRequestForm(EngageForm):
    email = _email_field("Your email address")


class SetPasswordForm(EngageForm):
    password, confirm_password = _new_password_fields()


class ChangePasswordForm(EngageForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            InputRequired("Enter your current password"),
            Length(max=passwords.MAX_LENGTH, message="Your current password is not correct"),
        ],
    )
    password, confirm_password = _new_password_fields()


class InviteForm(EngageForm):
    email = _email_field()
    name = StringField(
        "Full name",
        filters=[strip],
        validators=[
            DataRequired("Enter their full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
            SingleLine(),
        ],
    )
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        default=Role.ORGANISER.value,
        validators=[InputRequired("Choose a role")],
    )
    can_post_news = BooleanField("May write and publish news")

    def validate_email(self, field) -> None:
        """The address must look like an email address."""
        _email_format(self, field)


class UserForm(EngageForm):
    name = StringField(
        "Full name",
        filters=[strip],
        validators=[
            DataRequired("Enter their full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
            SingleLine(),
        ],
    )
    role = RadioField("Role", choices=ROLE_CHOICES, validators=[InputRequired("Choose a role")])
    can_post_news = BooleanField("May write and publish news")
