"""Every email to a staff member, one function each, named by purpose.

Each only queues an outbox row in the caller's transaction; templates live
in templates/emails/accounts/.
"""

from __future__ import annotations

from flask import current_app

from engage.accounts.models import User
from engage.mail.services import external_url, queue_email


def password_reset(user: User, token: str):
    """Send a staff member a link to choose a new password."""
    return queue_email(
        kind="password_reset",
        to=user.email,
        subject=f"Reset your {current_app.config['SITE_NAME']} password",
        template="accounts/password_reset",
        context={"user": user, "reset_url": external_url("accounts.reset_password", token=token)},
    )


def invitation(user: User, token: str, invited_by: User):
    """Invite a new organiser to set a password and sign in."""
    return queue_email(
        kind="organiser_invitation",
        to=user.email,
        subject=f"You have been invited to run events on {current_app.config['SITE_NAME']}",
        template="accounts/invitation",
        context={
            "user": user,
            "invite_url": external_url("accounts.accept_invitation", token=token),
            "invited_by": invited_by,
        },
    )
