"""Account rules: creating users, signing in and out, passwords, reset and invitation links."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engage.accounts import emails, passwords
from engage.accounts.devices import DeviceCookie
from engage.accounts.models import AccountToken, Role, TokenPurpose, User
from engage.accounts.passwords import PasswordRejected
from engage.accounts.throttle import (
    RESET_REQUESTS,
    SIGN_IN_FAILURES,
    account_key,
    address_key,
    device_key,
    throttle,
)
from engage.addresses import InvalidEmail, lookup_key, normalise_email
from engage.audit.services import record, record_repeated
from engage.db import transaction, utcnow
from engage.extensions import db
from engage.tokens import digest

RESET_LIFETIME = dt.timedelta(hours=1)
INVITATION_LIFETIME = dt.timedelta(days=7)
TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG
AUDIT_WINDOW = dt.timedelta(minutes=15)  # repeated failures share one audit entry this long

__all__ = [
    "AccountError",
    "DuplicateEmail",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidToken",
    "PasswordRejected",
    "SignInThrottled",
    "WrongPassword",
]


class AccountError(Exception):
    """Base class for account rule failures."""


class DuplicateEmail(AccountError):
    """Another account already uses that email address."""


class InvalidCredentials(AccountError):
    """The email address or password is wrong (which one is never said)."""


class SignInThrottled(AccountError):
    """Too many failed sign-ins from this address or for this account."""


class WrongPassword(AccountError):
    """The current password given is not the account's password."""


class InvalidToken(AccountError):
    """The link is unknown, used already or expired."""


def find_by_email(email: str) -> User | None:
    """The account with that email address, in any case."""
    return db.session.scalar(select(User).where(User.email == lookup_key(email)))


def create_user(
    email: str,
    *,
    role: Role,
    password: str,
    name: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Create an enabled account with a password (the command-line way in)."""
    address = normalise_email(email)
    passwords.check_policy(password)
    if find_by_email(address) is not None:
        raise DuplicateEmail(f"An account for {address} already exists")
    summary = f"Created {address} as {role.value} from the CLI"
    with _new_account(address):
        user = User(
            email=address,
            name=(name or address.split("@")[0]).strip()[:120],
            role=role,
            password_hash=passwords.hash_password(password),
            created_at=now or utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        record("user.created", target=user, summary=summary)
    return user


@contextmanager
def _new_account(address: str) -> Iterator[None]:
    # One transaction; the unique email index settles two requests racing.
    try:
        with transaction():
            yield
    except IntegrityError as error:
        raise DuplicateEmail(f"An account for {address} already exists") from error


# --- signing in and out --------------------------------------------------------


def authenticate(
    email: str,
    password: str,
    *,
    address: str | None,
    device: DeviceCookie | None = None,
    now: dt.datetime | None = None,
) -> User:
    """The account, if the password is right and the attempt's counter is not used up.

    An attempt from a browser whose device cookie names this very account is
    counted against that cookie alone; any other against the client's address
    and the typed account. So strangers' guesses lock out strangers, never the
    owner's own browser. An attempt must first reserve a counted slot on
    every key, in one atomic step, or its password is never verified: so
    however many guesses arrive at once, no more than the limit are tested.
    A failure keeps its slot; a success gives it back, so that successful
    sign-ins never count against a shared office address. Raises
    SignInThrottled or InvalidCredentials.
    """
    now = now or utcnow()
    typed = email.strip().lower()
    user = find_by_email(typed)
    trusted = device is not None and user is not None and device.vouches_for(user)
    if trusted:
        keys: tuple[str, ...] = (device_key(device.nonce),)
    else:  # no cookie, or a forged, expired or other account's one
        keys = (address_key(address), account_key(typed))
    counters = throttle()
    # Committed before argon2 works, so that every concurrent attempt sees it.
    reservation = counters.reserve(SIGN_IN_FAILURES, *keys)
    if reservation is None:
        with transaction():
            _audit_refused(user, trusted=trusted, now=now)
        raise SignInThrottled()
    matches = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not matches or not user.is_enabled:
        with transaction():  # the reservation stays: it is this failure's count
            _audit_failure(user, typed, now=now)
        raise InvalidCredentials()
    # Hashed before the transaction: SQLite's write lock is not held while argon2 works.
    rehashed = (
        passwords.hash_password(password) if passwords.needs_rehash(user.password_hash) else None
    )
    with transaction():
        if rehashed:
            user.password_hash = rehashed
        user.last_sign_in_at = now
        record("account.signed_in", target=user, actor=user)
        # A trusted browser clears only its own count: the account's may be a
        # stranger's guesses still running, and must keep them locked out.
        # The address keeps its other counts: only this attempt's is given back.
        counters.give_back(reservation)
        counters.clear(SIGN_IN_FAILURES, keys[0] if trusted else account_key(typed))
    return user


def _audit_failure(user: User | None, typed: str, *, now: dt.datetime) -> None:
    # Never what was typed: it may be a password put in the email box.
    if user is not None:
        summary = f"Failed sign-in for {user.email}"
    else:
        summary = f"Failed sign-in for an address with no account (keyed hash {_keyed(typed)})"
    record_repeated(
        "account.sign_in_failed", window=AUDIT_WINDOW, target=user, summary=summary, now=now
    )


def _audit_refused(user: User | None, *, trusted: bool, now: dt.datetime) -> None:
    if user is None:
        summary = "Sign-in refused while throttled, for addresses with no account"
    elif trusted:
        summary = f"Sign-in refused: a browser's device cookie for {user.email} is locked out"
    else:
        summary = f"Sign-in refused while throttled: {user.email}"
    record_repeated(
        "account.sign_in_throttled", window=AUDIT_WINDOW, target=user, summary=summary, now=now
    )


def _keyed(typed: str) -> str:
    # Keyed, so that nobody without SECRET_KEY can test guesses against it; short,
    # as it only has to tell one unknown address from another in the log.
    key = current_app.config["SECRET_KEY"]
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, b"audit:" + typed.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def end_sessions(user: User) -> None:
    """Make every session of this user invalid (in the current transaction)."""
    user.session_version = (user.session_version or 0) + 1


def sign_out(user: User) -> None:
    """End the user's sessions on the server side, so a copied cookie stops working."""
    with transaction():
        user = db.session.get(User, user.id)
        end_sessions(user)
        record("account.signed_out", target=user, actor=user)


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session ends."""
    if not passwords.verify_password(user.password_hash, current):
        raise WrongPassword("Your current password is not correct")
    passwords.check_policy(new)
    new_hash = passwords.hash_password(new)
    with transaction():
        user = db.session.get(User, user.id)
        user.password_hash = new_hash
        end_sessions(user)
        record("account.password_changed", target=user, actor=user)


# --- links sent by email -------------------------------------------------------


def _issue_token(user: User, purpose: TokenPurpose, lifetime: dt.timedelta, now) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        AccountToken(
            user=user,
            purpose=purpose.value,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def find_token(token: str, purpose: TokenPurpose, now: dt.datetime | None = None) -> AccountToken:
    """The usable token record for a link; InvalidToken if unknown, used or expired."""
    found = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == digest(token), AccountToken.purpose == purpose.value
        )
    )
    if found is None or not found.is_usable(now or utcnow()) or not found.user.is_enabled:
        raise InvalidToken()
    return found


def request_password_reset(email: str, now: dt.datetime | None = None) -> None:
    """Email a reset link if the account exists; the caller answers the same either way.

    The typed address is counted before the account is looked up, so that known
    and unknown addresses do the same work and fail alike if the counts cannot
    be reached.
    """
    now = now or utcnow()
    typed = lookup_key(email)
    key = account_key(typed, purpose="reset")
    counters = throttle()
    with transaction():
        # Check and count in one atomic step, so a burst cannot all pass the check.
        if counters.reserve(RESET_REQUESTS, key) is None:
            return  # no flood of emails to one inbox
        user = find_by_email(typed)
        if user is None or not user.is_enabled:
            return
        token = _issue_token(user, TokenPurpose.PASSWORD_RESET, RESET_LIFETIME, now)
        emails.password_reset(user, token)
        record("account.password_reset_requested", target=user)


def set_password_with_token(
    token: str, purpose: TokenPurpose, password: str, now: dt.datetime | None = None
) -> User:
    """Use a reset or invitation link once to set the password; every old session ends."""
    now = now or utcnow()
    passwords.check_policy(password)
    new_hash = passwords.hash_password(password)
    with transaction():
        return _use_token(find_token(token, purpose, now), purpose, new_hash, now)


def _use_token(found: AccountToken, purpose: TokenPurpose, new_hash: str, now) -> User:
    # A conditional update, so two requests racing with one link cannot both win.
    claimed = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == found.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise InvalidToken()
    user = found.user
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose.value,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    user.password_hash = new_hash
    end_sessions(user)
    if purpose is TokenPurpose.INVITATION:
        user.last_sign_in_at = now
        record("account.invitation_accepted", target=user, actor=user)
    else:
        record("account.password_reset", target=user, actor=user)
    return user


def invite(
    *,
    email: str,
    name: str,
    role: Role,
    can_post_news: bool,
    invited_by: User,
    now: dt.datetime | None = None,
) -> User:
    """Create an account without a password and email its holder a link to set one."""
    now = now or utcnow()
    address = normalise_email(email)
    if find_by_email(address) is not None:
        raise DuplicateEmail("An account with that email address already exists")
    news = "may post news" if can_post_news else "may not post news"
    with _new_account(address):
        user = User(
            email=address, name=name, role=role, can_post_news=can_post_news, created_at=now
        )
        db.session.add(user)
        db.session.flush()
        token = _issue_token(user, TokenPurpose.INVITATION, INVITATION_LIFETIME, now)
        emails.invitation(user, token, db.session.get(User, invited_by.id))
        record("user.invited", target=user, summary=f"Invited {address} as {role.value}; {news}")
    return user


def resend_invitation(user: User, *, invited_by: User, now: dt.datetime | None = None) -> None:
    """Send a fresh invitation link to someone who has not set a password yet."""
    now = now or utcnow()
    if user.password_hash is not None:
        raise AccountError("This person has already set a password")
    with transaction():
        _replace_invitation(db.session.get(User, user.id), db.session.get(User, invited_by.id), now)


def _replace_invitation(user: User, invited_by: User, now: dt.datetime) -> None:
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.INVITATION.value,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = _issue_token(user, TokenPurpose.INVITATION, INVITATION_LIFETIME, now)
    emails.invitation(user, token, invited_by)
    record("user.invitation_resent", target=user, summary=f"Invitation sent again to {user.email}")
