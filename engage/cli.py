"""The `flask --app wsgi engage ...` command group."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engage.accounts.cli import create_user_command

engage_cli = AppGroup("engage", help="Engage's own commands.")


@engage_cli.command("demo")
def demo_command() -> None:
    """Load the demo centre: events, a programme and news (safe to run again)."""
    from engage.demo import load

    created = load()
    click.echo(f"Demo content ready ({created} new item{'s' if created != 1 else ''}).")


engage_cli.add_command(create_user_command)
