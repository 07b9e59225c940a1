"""The `flask --app wsgi engage ...` command group."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from engage.accounts.cli import create_user_command
from engage.demo import load
from engage.feedback.sending import send_due
from engage.mail.worker import run
from engage.organisations.cli import organisations_cli
from engage.registrations.reminders import queue_due_reminders
from engage.registrations.retention import purge

engage_cli = AppGroup("engage", help="Engage's own commands.")


@engage_cli.command("demo")
def demo_command() -> None:
    """Load the demo centre: events, a programme and news (safe to run again)."""
    created = load()
    click.echo(f"Demo content ready ({created} new item{'s' if created != 1 else ''}).")


@engage_cli.command("purge")
def purge_command() -> None:
    """Erase answers and delete attendees' data whose retention period is over (run daily)."""
    for line in purge().lines():
        click.echo(line)


engage_cli.add_command(create_user_command)
engage_cli.add_command(organisations_cli)


@engage_cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between polls of the outbox (default: MAIL_POLL_SECONDS).",
)
def worker_command(once: bool, interval: float | None) -> None:
    """Deliver queued email until stopped (SIGTERM or Ctrl+C), or once with --once."""
    if not logging.getLogger().handlers:
        # Ids and states only (see engage.mail.worker), so safe for any log store.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    tally = run(once=once, interval=interval)
    if once:
        click.echo(
            f"Mail: {tally.sent} sent, {tally.retrying} to retry, {tally.failed} failed; "
            f"{tally.written} mailing recipient(s) written."
        )


@engage_cli.command("reminders")
def reminders_command() -> None:
    """Queue the reminders that are due now (safe to run as often as you like, e.g. from cron)."""
    queued = queue_due_reminders()
    click.echo(f"Reminders: {queued} queued.")


@engage_cli.group("feedback")
def feedback_cli() -> None:
    """The feedback survey after an event."""


@feedback_cli.command("send")
def feedback_send_command() -> None:
    """Queue the survey invitations and reminders that are due now (safe to run from cron)."""
    invited, reminded = send_due()
    click.echo(f"Feedback: {invited} invitations and {reminded} reminders queued.")
