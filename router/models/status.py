"""The status page: its components' status and history, incidents and maintenance with their updates,
subscribers and the messages sent to them, and the external status pages the engine reads.

Components themselves are configuration (`[[components]]`); a row here holds one's current status.
Statuses are `statuspage.vocabulary` values.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from router.models.base import Base


class ComponentState(Base):
    """A configured component's current status (a component without a row is operational)."""

    __tablename__ = "component_states"

    component_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))  # a ComponentStatus
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class ComponentChange(Base):
    """A component entering a status: the history the 90-day uptime bars are computed from."""

    __tablename__ = "component_changes"
    __table_args__ = (Index("ix_component_changes_component_at", "component_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(24))  # the status entered at `at`
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))


class Incident(Base):
    """An incident, or a scheduled maintenance (`kind`), as Statuspage keeps both."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_kind_status", "kind", "status"),
                      Index("ix_incidents_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "incident" or "maintenance"
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # an IncidentStatus, or a MaintenanceStatus
    impact: Mapped[str] = mapped_column(String(12))  # an Impact
    owner: Mapped[str | None] = mapped_column(String(64))  # the username who opened it (reminded by SMS)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    monitoring_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    estimated_resolution_at: Mapped[dt.datetime | None]
    scheduled_for: Mapped[dt.datetime | None]    # maintenance: its window
    scheduled_until: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]  # the owner's last reminder to post an update

    components: Mapped[list[IncidentComponent]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentComponent.component_id")
    updates: Mapped[list[IncidentUpdate]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentUpdate.id.desc()")


class IncidentComponent(Base):
    """A component an incident or maintenance affects."""

    __tablename__ = "incident_components"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    component_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    incident: Mapped[Incident] = relationship(back_populates="components")


class IncidentUpdate(Base):
    """One update of an incident: its status then, what is known, what is being done, status changes."""

    __tablename__ = "incident_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)  # the actions being taken
    by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    display_at: Mapped[dt.datetime]
    # When the engine queued this update's SMS to the subscribers of its components (None: not yet).
    notified_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    incident: Mapped[Incident] = relationship(back_populates="updates")
    changes: Mapped[list[UpdateComponentChange]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="UpdateComponentChange.component_id")


class UpdateComponentChange(Base):
    """A component's status before and after an update (Statuspage's `affected_components`)."""

    __tablename__ = "update_component_changes"

    update_id: Mapped[int] = mapped_column(ForeignKey("incident_updates.id"), primary_key=True)
    component_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    old_status: Mapped[str] = mapped_column(String(24))
    new_status: Mapped[str] = mapped_column(String(24))

    update: Mapped[IncidentUpdate] = relationship(back_populates="changes")


class Subscriber(Base):
    """A customer's contact who asked for SMS about some components' incidents."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    stopped_at: Mapped[dt.datetime | None]  # replied STOP: nothing more is sent

    components: Mapped[list[SubscriberComponent]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan")


class SubscriberComponent(Base):
    __tablename__ = "subscriber_components"

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    component_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)

    subscriber: Mapped[Subscriber] = relationship(back_populates="components")


class StatusMessage(Base):
    """One SMS to a subscriber about one update, logged like a page's notification."""

    __tablename__ = "status_messages"
    # One message per subscriber and update, whatever two engines do (it also finds an update's messages).
    __table_args__ = (Index("ix_status_messages_status_due", "status", "due_at"),
                      UniqueConstraint("update_id", "subscriber_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("incident_updates.id"))
    to_number: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), default="pending")  # a paging.statuses.Delivery
    due_at: Mapped[dt.datetime]
    claimed_at: Mapped[dt.datetime | None]
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]


class ExternalStatus(Base):
    """What the engine last read of a line's external Statuspage (`status_url`): the call path reads only
    this row, never the URL."""

    __tablename__ = "external_statuses"

    line_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    checked_at: Mapped[dt.datetime]           # the last attempt
    read_at: Mapped[dt.datetime | None]       # the last good read
    summary: Mapped[str | None] = mapped_column(Text)  # the announcements read then, as JSON
    error: Mapped[str | None] = mapped_column(String(300))  # why the last attempt failed, if it did


class IncidentReminder(Base):
    """One SMS reminding an incident's owner that the page has had no update for a while, logged like a
    page's notification (the owner is a console account; `person_id` the configured person texted)."""

    __tablename__ = "incident_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(String(64))
    to_number: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24))  # a paging.statuses.Delivery
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
