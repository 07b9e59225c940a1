"""Imports every model so that metadata, Alembic and the shell see all tables."""

from engage.accounts.models import AccountToken, Role, ThrottleHit, TokenPurpose, User
from engage.audit.models import AuditEntry
from engage.events.models import Event, EventQuestion, EventSession, event_organisers
from engage.mail.models import (
    JobRun,
    Mailing,
    MailingRecipient,
    MailingStatus,
    MessageStatus,
    OutboxMessage,
)
from engage.news.models import NewsItem
from engage.organisations.models import Organisation, OrganisationKind
from engage.registrations.models import (
    CheckIn,
    ManageToken,
    Registration,
    RegistrationAnswer,
    RegistrationHistory,
    RegistrationStatus,
    ReminderSend,
)

__all__ = [
    "AccountToken",
    "AuditEntry",
    "CheckIn",
    "Event",
    "EventQuestion",
    "EventSession",
    "JobRun",
    "Mailing",
    "MailingRecipient",
    "MailingStatus",
    "ManageToken",
    "MessageStatus",
    "NewsItem",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Registration",
    "RegistrationAnswer",
    "RegistrationHistory",
    "RegistrationStatus",
    "ReminderSend",
    "Role",
    "ThrottleHit",
    "TokenPurpose",
    "User",
    "event_organisers",
]
