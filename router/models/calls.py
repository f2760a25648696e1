"""The call log: every call, and every step it took."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from router.models.base import Base


class Call(Base):
    """One phone call, inbound from a customer or outbound to page an engineer."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)  # Twilio's CallSid
    direction: Mapped[str] = mapped_column(String(16))  # "inbound" or "page"
    line_number: Mapped[str | None] = mapped_column(String(20), index=True)
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(24))
    duration_seconds: Mapped[int | None]
    decision: Mapped[str | None] = mapped_column(String(200))  # "open", "closed: holiday ..."
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )
    case: Mapped[Case | None] = relationship(foreign_keys=[case_id])  # noqa: F821


class CallEvent(Base):
    """One step of a call: when, what the caller did, what the line decided and answered."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    at: Mapped[dt.datetime]
    step: Mapped[str] = mapped_column(String(40))
    digits: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(300))
    # Twilio's idempotency token (or a digest of the signed request): a retry finds this row.
    request_key: Mapped[str] = mapped_column(String(100), unique=True)
    twiml: Mapped[str] = mapped_column(Text)

    call: Mapped[Call] = relationship(back_populates="events")
