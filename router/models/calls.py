"""The call log: every call, and every step it took."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from router.models.base import Base

HOLIDAY_DECISIONS = "closed: holiday %"  # the decisions of calls that came on a holiday or a closure
HOLIDAY_CALLS = f"decision LIKE '{HOLIDAY_DECISIONS}'"


class Call(Base):
    """One phone call, inbound from a customer or outbound to page an engineer."""

    __tablename__ = "calls"
    # The call log pages newest first, within a filter: each filter's column leads an index on the time,
    # and each sortable column leads one in the log's order (column, time, id), which its keyset pages
    # walk (router/calllog_query.py). Any holiday is several decisions: a partial index keeps them in order.
    __table_args__ = (
        Index("ix_calls_started_at_id", "started_at", "id"),
        Index("ix_calls_line_started", "line_number", "started_at", "id"),
        Index("ix_calls_outcome_started", "outcome", "started_at", "id"),
        Index("ix_calls_customer_started", "customer_id", "started_at", "id"),
        Index("ix_calls_from_started", "from_number", "started_at", "id"),
        Index("ix_calls_decision_started", "decision", "started_at", "id"),
        Index("ix_calls_duration_started", "duration_seconds", "started_at", "id"),
        Index("ix_calls_holiday_started", "started_at", "id", postgresql_where=text(HOLIDAY_CALLS),
              sqlite_where=text(HOLIDAY_CALLS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)  # Twilio's CallSid
    direction: Mapped[str] = mapped_column(String(16))  # "inbound" or "page"
    line_number: Mapped[str | None] = mapped_column(String(20))
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(24))
    duration_seconds: Mapped[int | None]
    decision: Mapped[str | None] = mapped_column(String(200))  # "open", "closed: holiday ..."
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # What came of the call (a callflows.decision.CallOutcome), and the keys pressed on the way: kept with
    # the call as its steps decide, so the call log filters on them without reading every event.
    outcome: Mapped[str | None] = mapped_column(String(16))
    path: Mapped[str | None] = mapped_column(String(80))
    announced: Mapped[str | None] = mapped_column(String(200))  # the incident the caller first heard of

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
