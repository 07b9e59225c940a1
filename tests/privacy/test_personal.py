"""Every column that can hold text has a decision: personal (marked in the model) or not.

Subject access and erasure search the columns the models mark as personal, so a
new text column with no decision would be a place they never look: this fails,
naming it, until it is marked with info={"personal": ...} or listed below.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from engage.extensions import db
from engage.privacy.personal import email_columns, personal_kind, text_columns

# Text columns that hold no personal data, each with the reason.
NOT_PERSONAL = {
    # The event and its programme: written by staff for the public.
    "events.slug",
    "events.title",
    "events.summary",
    "events.description_md",
    "events.timezone",
    "events.venue_name",
    "events.venue_address",
    "events.travel_info_md",
    "events.access_info_md",
    "events.online_join_details",
    "events.reminder_offsets_hours",
    "events.cancellation_reason",
    "events.attendee_note_md",
    # Counts kept after a purge: by category, by organisation name, by workshop; never a person.
    "event_aggregates.metric",
    "event_aggregates.key",
    # The survey as the organiser wrote it; responses' random ids.
    "surveys.intro",
    "survey_questions.label",
    "survey_questions.help_text",
    "survey_questions.choices",
    "survey_responses.id",
    "survey_answers.id",
    "survey_answers.response_id",
    # The curated list of organisations: reference data admins keep, no person's.
    "organisations.name",
    "organisations.name_key",
    # Links the organisers put up after the event.
    "event_resources.title",
    "event_resources.url",
    "event_resources.description",
    # Consent wordings and the notice's opening words: written by admins for everyone to read.
    "consent_wordings.text",
    "event_questions.label",
    "event_questions.help_text",
    "event_questions.choices",
    "event_sessions.title",
    "event_sessions.description_md",
    "event_sessions.room",
    "news_items.slug",
    "news_items.title",
    "news_items.summary",
    "news_items.body_md",
    # Machinery: job names, worker ids (host:pid), message kinds, mailing keys.
    "job_runs.name",
    "job_runs.started_by",
    "outbox_messages.kind",
    "outbox_messages.claimed_by",
    "mailings.kind",
    "mailings.key",
    "account_tokens.purpose",
    "audit_entries.action",
    "audit_entries.target_type",
}


def undecided(metadata: MetaData, allowed: set[str]) -> list[str]:
    """Text columns neither marked personal nor listed as not personal."""
    return sorted(
        f"{column.table.name}.{column.name}"
        for column in text_columns(metadata)
        if personal_kind(column) is None and f"{column.table.name}.{column.name}" not in allowed
    )


def test_every_text_column_is_marked_personal_or_listed_as_not():
    assert undecided(db.metadata, NOT_PERSONAL) == []


def test_the_list_names_only_columns_that_exist_and_are_not_marked():
    known = {f"{c.table.name}.{c.name}": c for c in text_columns(db.metadata)}
    assert sorted(NOT_PERSONAL - set(known)) == []
    assert sorted(name for name in NOT_PERSONAL if personal_kind(known[name])) == []


def test_a_new_text_column_without_a_decision_fails_by_name():
    """Control: a table added with an unmarked text column is reported."""
    metadata = MetaData()
    Table("newcomers", metadata, Column("id", Integer, primary_key=True), Column("name", Text))
    assert undecided(metadata, NOT_PERSONAL) == ["newcomers.name"]


def test_the_columns_searched_for_an_address_include_the_obvious_ones():
    searched = {f"{t.table.name}.{c.name}" for t in email_columns() for c in t.columns}
    for name in (
        "registrations.email",
        "registrations.first_name",
        "registrations.dietary_requirements",
        "registrations.search_text",
        "registration_answers.value",
        "registration_history.note",
        "outbox_messages.to_address",
        "outbox_messages.body_text",
        "outbox_messages.body_html",
        "outbox_messages.subject",
        "audit_entries.summary",
        "audit_entries.actor_label",
        "users.email",
        "mailings.params",
    ):
        assert name in searched
    # Hashes and random codes are personal, but never hold an address as typed.
    for name in ("throttle_hits.key", "registration_tokens.token_hash", "users.password_hash"):
        assert name not in searched


def test_a_marked_column_is_searched():
    metadata = MetaData()
    Table(
        "organisations",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("contact", String(254), info={"personal": "email"}),
    )
    assert [c.name for t in email_columns(metadata) for c in t.columns] == ["contact"]
