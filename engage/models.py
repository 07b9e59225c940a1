"""Imports every model so that metadata, Alembic and the shell see all tables."""

from engage.accounts.models import AccountToken, Role, ThrottleHit, TokenPurpose, User
from engage.audit.models import AuditEntry
from engage.certificates.models import Certificate
from engage.events.models import (
    Event,
    EventQuestion,
    EventResource,
    EventSession,
    event_organisers,
)
from engage.feedback.models import (
    ResponseAnswer,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
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
    ConsentRecord,
    ConsentWording,
    EventAggregate,
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
    "Certificate",
    "CheckIn",
    "ConsentRecord",
    "ConsentWording",
    "Event",
    "EventAggregate",
    "EventQuestion",
    "EventResource",
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
    "ResponseAnswer",
    "Role",
    "Survey",
    "SurveyInvitation",
    "SurveyQuestion",
    "SurveyResponse",
    "ThrottleHit",
    "TokenPurpose",
    "User",
    "event_organisers",
]
