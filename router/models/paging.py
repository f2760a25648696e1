"""Pages to on-call engineers: escalation state, each notification attempt, the page's history, SMS replies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from router.models.base import Base


class Page(Base):
    """A request that the on-call engineers take one or more critical cases, open until acknowledged.

    Its escalation state lives here so that any worker can carry it on: the
    current position in the policy (round, step) and when that step times out.
    """

    __tablename__ = "pages"
    __table_args__ = (Index("ix_pages_line_opened", "line_number", "opened_at"),)  # a line's report by period

    id: Mapped[int] = mapped_column(primary_key=True)
    line_number: Mapped[str] = mapped_column(String(20))
    policy_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), default="open")  # a router.paging.statuses.PageStatus
    opened_at: Mapped[dt.datetime] = mapped_column(index=True)  # the reports count pages by period
    round: Mapped[int] = mapped_column(default=0)
    step: Mapped[int] = mapped_column(default=0)
    step_started_at: Mapped[dt.datetime | None]
    # When the current step gives up waiting; None once escalation has run out (the page is exhausted).
    next_escalation_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))  # person id
    acknowledged_via: Mapped[str | None] = mapped_column(String(8))  # "voice", "sms" or "connect"

    cases: Mapped[list[Case]] = relationship(back_populates="page", order_by="Case.id")  # noqa: F821
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="page", order_by="Notification.id", cascade="all, delete-orphan")
    events: Mapped[list[PageEvent]] = relationship(
        back_populates="page", order_by="PageEvent.id", cascade="all, delete-orphan")


class Notification(Base):
    """One attempt to reach one person on one channel, with Twilio's latest status."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)  # their calls and pages are looked up often
    channel: Mapped[str] = mapped_column(String(8))  # "sms" or "voice"
    # "page": the page itself; "joined": one SMS telling of the cases that joined since the person was told.
    kind: Mapped[str] = mapped_column(String(12), default="page", server_default="page")
    round: Mapped[int] = mapped_column(default=0)
    step: Mapped[int] = mapped_column(default=0)
    to_number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), default="pending", index=True)  # a statuses.Delivery
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    # When a sender took it to send: after a crash, what Twilio has since is looked up before it goes again.
    claimed_at: Mapped[dt.datetime | None]
    body: Mapped[str | None] = mapped_column(Text)  # the SMS as it was sent (written when claimed)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    answered_by: Mapped[str | None] = mapped_column(String(24))  # Twilio's answering machine detection
    last_case_id: Mapped[int | None]  # the newest case an SMS named, so the next one tells only what is new
    error: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")  # REST requests Twilio refused
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # the reports count interruptions by it
    updated_at: Mapped[dt.datetime]

    page: Mapped[Page] = relationship(back_populates="notifications")


class PageEvent(Base):
    """What happened to a page and when: steps, nobody on call, escalations, acknowledgements."""

    __tablename__ = "page_events"
    # A page's history, and the reports' escalations by kind over a period's pages (read from the index alone).
    __table_args__ = (Index("ix_page_events_page_kind", "page_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(String(300))

    page: Mapped[Page] = relationship(back_populates="events")


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
    kind: Mapped[str] = mapped_column(String(24), default="ignored", server_default="ignored")  # SmsOutcome
    outcome: Mapped[str] = mapped_column(String(200))  # the same, in words, with the cases it named
    reply: Mapped[str | None] = mapped_column(Text)
