"""Pages to on-call engineers, each notification attempt, and SMS replies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from router.models.base import Base


class Page(Base):
    """A request that the on-call engineer take a critical case, open until acknowledged."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    line_number: Mapped[str] = mapped_column(String(20))
    rotation_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), default="open")  # open, acknowledged, no one on call
    opened_at: Mapped[dt.datetime]
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))  # person id
    acknowledged_via: Mapped[str | None] = mapped_column(String(8))  # "voice" or "sms"

    notifications: Mapped[list[Notification]] = relationship(
        back_populates="page", order_by="Notification.id", cascade="all, delete-orphan"
    )


class Notification(Base):
    """One attempt to reach one person on one channel, with Twilio's latest status."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("page_id", "person_id", "channel", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # "sms" or "voice"
    round: Mapped[int] = mapped_column(default=0)  # escalation round, for the paging engine
    to_number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), default="pending", index=True)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]

    page: Mapped[Page] = relationship(back_populates="notifications")


class InboundSms(Base):
    """An SMS someone sent to one of our numbers, and what we made of it."""

    __tablename__ = "inbound_sms"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)  # MessageSid: a retry is found, not redone
    at: Mapped[dt.datetime]
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    person_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(200))
    reply: Mapped[str | None] = mapped_column(Text)
