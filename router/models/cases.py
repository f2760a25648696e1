"""Support cases: what a call opened, when its first response is due."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from router.models.base import MAX_ID, Base

# Case numbers start at 1001 so that every number read back has four digits or more.
CASE_NUMBER_OFFSET = 1000


class Case(Base):
    """A support case, opened by a call (or later by other channels)."""

    __tablename__ = "cases"
    # The case list walks an index in each of its orders (router/case_list.py): newest first within a
    # status or a customer, and the cases still waiting for a first response (then the answered ones)
    # soonest due first.
    __table_args__ = (
        Index("ix_cases_status_due", "status", "first_response_due"),
        Index("ix_cases_status_opened", "status", "opened_at", "id"),
        Index("ix_cases_customer_opened", "customer_id", "opened_at", "id"),
        Index("ix_cases_waiting_due", "first_answered_at", "first_response_due", "id"),
        Index("ix_cases_due_id", "first_response_due", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_number: Mapped[str] = mapped_column(String(20), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))  # "critical" or "normal"
    tier: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="open")
    needs_review: Mapped[bool] = mapped_column(default=False)  # the caller could not be identified
    opened_at: Mapped[dt.datetime] = mapped_column(index=True)
    first_response_due: Mapped[dt.datetime]
    first_answered_at: Mapped[dt.datetime | None]
    first_answered_by: Mapped[str | None] = mapped_column(String(64))  # person id, or "live call"
    # The page that asked an engineer to take this case, and who took it (each case keeps its own record
    # even when one page carries several cases).
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), index=True)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_via: Mapped[str | None] = mapped_column(String(8))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)  # the transcription of what the caller recorded
    recording_seconds: Mapped[int | None]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))

    page: Mapped[Page | None] = relationship(back_populates="cases")  # noqa: F821
    tier_changes: Mapped[list[CaseTierChange]] = relationship(
        back_populates="case", order_by="CaseTierChange.id", cascade="all, delete-orphan")

    @property
    def number(self) -> int:
        """The case number customers and engineers use."""
        return self.id + CASE_NUMBER_OFFSET

    @staticmethod
    def id_for(number: int) -> int | None:
        """The row id of the case with this number; None for a number no case can have."""
        row = number - CASE_NUMBER_OFFSET
        return row if 0 < row <= MAX_ID else None


class CaseTierChange(Base):
    """A case moving between tiers: who moved it, when and why."""

    __tablename__ = "case_tier_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime]
    from_tier: Mapped[int]
    to_tier: Mapped[int]
    by: Mapped[str] = mapped_column(String(64))  # person id
    reason: Mapped[str] = mapped_column(String(500))

    case: Mapped[Case] = relationship(back_populates="tier_changes")
