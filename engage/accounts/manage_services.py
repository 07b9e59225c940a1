"""What admins do to other accounts: roles, news permission, enabling.

Which events an organiser runs is the events feature's (engage.events.organisers).
"""

from __future__ import annotations

from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.accounts.services import AccountError, end_sessions
from engage.audit.services import record
from engage.db import transaction
from engage.extensions import db


class LastAdmin(AccountError):
    """The change would leave the site without an enabled admin."""


def _other_enabled_admins(user: User) -> list[int]:
    # Locked, so two admins demoting each other at once cannot both succeed.
    ids = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.is_enabled.is_(True)).with_for_update()
    ).all()
    return [admin_id for admin_id in ids if admin_id != user.id]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def update_user(user: User, *, name: str, role: Role, can_post_news: bool) -> None:
    """Change a user's name, role and news permission; refuses to demote the last admin."""
    with transaction(lock=(User, user.id)):
        if user.is_admin and role != Role.ADMIN and not _other_enabled_admins(user):
            raise LastAdmin("You cannot remove the admin role from the only admin")
        changes = []
        if name != user.name:
            changes.append(f"name {user.name!r} to {name!r}")
        if role != user.role:
            changes.append(f"role {user.role.value} to {role.value}")
        if can_post_news != user.can_post_news:
            changes.append(
                f"may post news {_yes_no(user.can_post_news)} to {_yes_no(can_post_news)}"
            )
        user.name, user.role, user.can_post_news = name, role, can_post_news
        if changes:
            record("user.updated", target=user, summary=f"{user.email}: " + "; ".join(changes))


def set_enabled(user: User, enabled: bool) -> None:
    """Enable or disable an account; disabling ends every session at once."""
    with transaction(lock=(User, user.id)):
        if user.is_enabled == enabled:
            return
        if not enabled and user.is_admin and not _other_enabled_admins(user):
            raise LastAdmin("You cannot disable the only admin")
        user.is_enabled = enabled
        if not enabled:
            end_sessions(user)
        record("user.enabled" if enabled else "user.disabled", target=user, summary=user.email)


def list_users() -> list[User]:
    """Every account, admins first, then by name."""
    return list(db.session.scalars(select(User).order_by(User.role, User.name, User.id)))
