"""`flask engage organisations load`: add the shipped list's missing entries."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engage.organisations.services import load_starting_list

organisations_cli = AppGroup("organisations", help="The curated list of organisations.")


@organisations_cli.command("load")
def load_command() -> None:
    """Add the shipped police forces, policing bodies and universities the list lacks."""
    added = load_starting_list()
    click.echo(f"Organisations: {added} added; names already in the list were skipped.")
