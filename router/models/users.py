"""Console accounts: who may log in, with which role, and the failed log-ins that slow a guesser down."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from router.models.base import Base


class Role(enum.StrEnum):
    """What a console account may see: managers everything, engineers their on-call, agents cases."""

    MANAGER = "manager"
    ENGINEER = "engineer"
    AGENT = "agent"


class User(Base):
    """A console account. Engineers name the configured person they are, so they see their own pages."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # a Role
    person_id: Mapped[str | None] = mapped_column(String(64))  # a person of the configuration
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]
    # Changed with the password: a session cookie issued before the change no longer logs anyone in.
    session_token: Mapped[str] = mapped_column(String(64))


class LoginFailure(Base):
    """One failed log-in, by the name tried and the address it came from (the rate limit counts them)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
