"""`flask --app wsgi engage create-user`: the only way the first account comes to exist."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from engage.accounts import services
from engage.accounts.models import Role


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
    help="admin (everything) or organiser (assigned events only).",
)
@click.option("--name", default=None, help="Full name (defaults to the email's local part).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
def create_user_command(email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create a staff account with a password."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password"
        )
    try:
        user = services.create_user(email, role=Role(role), password=password, name=name)
    except (services.AccountError, services.InvalidEmail, services.PasswordRejected) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role.value} account for {user.email}.")
