"""On-call changes made in the console: overrides, and test notifications to a person's contact methods."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from router.models.base import Base


class OverrideRecord(Base):
    """An override kept in the database: made in the console, or a configuration override removed there.

    The configuration's overrides stay seed data: each applies unless a row with its `config_key` says
    it was removed. Removed rows are kept (who removed what, when), never deleted.
    """

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    replaces: Mapped[str | None] = mapped_column(String(64))  # only this person's shifts are covered
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(64))  # a username, or "configuration"
    created_at: Mapped[dt.datetime]
    removed_at: Mapped[dt.datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(64))
    config_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class ContactTest(Base):
    """A test notification sent to one of a person's contact methods, with Twilio's delivery status."""

    __tablename__ = "contact_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # "sms" or "voice"
    to_number: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(24), default="pending")  # a paging.statuses.Delivery
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
