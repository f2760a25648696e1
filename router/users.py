"""Console accounts, kept in the database: add, list, change a password, remove (no Flask here)."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from router.config import SupportConfig
from router.models import LoginFailure, Role, User

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
SHORTEST_PASSWORD = 10
# Werkzeug's scrypt at its default cost (about 0.1 s a hash, here). The test suite lowers it, as Django's
# documentation advises for tests: each of its hundreds of log-ins would otherwise spend that much.
HASH_METHOD = "scrypt"
# The log-in rate limit: failures counted over the window, per name tried and per address.
FAILURE_WINDOW = dt.timedelta(minutes=15)
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20
# A password check costs the same whether or not the name exists, so timing tells no names apart.
_NOBODY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why."""


def add_user(session: Session, support: SupportConfig, username: str, name: str, role: str,
             password: str, at: dt.datetime, person_id: str | None = None) -> User:
    """A new account. Engineers name the configured person they are (their pages and shifts)."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(f"username {username!r}: lower-case letters, digits, '.', '_' or '-', at most 64")
    if role not in set(Role):
        raise AccountError(f"role {role!r} is not one of {', '.join(Role)}")
    if person_id is not None and person_id not in {p.id for p in support.people}:
        known = ", ".join(p.id for p in support.people)
        raise AccountError(f"person {person_id!r} is not one of the configured people ({known})")
    if role == Role.ENGINEER and person_id is None:
        raise AccountError("an engineer's account names the person they are (--person)")
    if find_user(session, username) is not None:
        raise AccountError(f"there is already an account {username!r}")
    user = User(username=username, name=name.strip()[:120] or username, role=role, person_id=person_id,
                password_hash=_hashed(password), created_at=at, session_token=secrets.token_hex(16))
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.strip().lower())).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def set_password(user: User, password: str) -> None:
    """A new password; sessions logged in with the old one end."""
    user.password_hash = _hashed(password)
    user.session_token = secrets.token_hex(16)


def remove_user(session: Session, user: User) -> None:
    session.delete(user)


def check_login(session: Session, username: str, password: str, address: str, at: dt.datetime) -> User | None:
    """The account, if the password is right; a failure is recorded for the rate limit."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_NOBODY_HASH, password)
    elif check_password_hash(user.password_hash, password):
        user.last_login_at = at
        session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
        return user
    session.add(LoginFailure(at=at, username=username.strip().lower()[:64], address=address[:64]))
    session.execute(delete(LoginFailure).where(LoginFailure.at < at - dt.timedelta(days=1)))
    return None


def throttled(session: Session, username: str, address: str, at: dt.datetime) -> dt.timedelta | None:
    """How long until this name or address may try again, or None when it may now."""
    since = at - FAILURE_WINDOW
    waits = []
    for column, value, most in ((LoginFailure.username, username.strip().lower()[:64], FAILURES_PER_NAME),
                                (LoginFailure.address, address[:64], FAILURES_PER_ADDRESS)):
        failures = session.execute(select(func.count(), func.min(LoginFailure.at))
                                   .where(column == value, LoginFailure.at >= since)).one()
        if failures[0] >= most:
            oldest = _aware(failures[1])
            waits.append(oldest + FAILURE_WINDOW - at)
    return max(waits) if waits else None


def _aware(value: dt.datetime) -> dt.datetime:
    # min() over a column comes back without the column's type on SQLite: a naive UTC time.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _hashed(password: str) -> str:
    if len(password) < SHORTEST_PASSWORD:
        raise AccountError(f"a password has at least {SHORTEST_PASSWORD} characters")
    return generate_password_hash(password, method=HASH_METHOD)
