"""Reminding an incident's owner: an unresolved incident of major or critical impact with no update for
`status_page.reminder_minutes` sends its owner one SMS, and another only after as long again without one.

Like a page's notifications, a reminder is claimed in one transaction (the incident locked, its
`reminded_at` set and an `incident_reminders` row written: another engine's pass finds nothing due),
sent with no transaction open, and what Twilio answered is kept in another. The sends run in a thread
of their own, so a Twilio that hangs (up to the client's timeout) never holds the engine's pass.

Whom: the owner's configured person (`User.person_id`); an owner with none (a manager's account without
a person, an incident opened through the API without an owner) reminds the first manager account that
has one, the support manager who answers for the page. With nobody to text, the row says so (failed).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from requests import RequestException
from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException

from router.config import Person, SupportConfig
from router.contact_tests import sender
from router.models import Incident, IncidentReminder, IncidentUpdate, Role, User
from router.paging.services import Services
from router.paging.statuses import Delivery, twilio_status
from router.status.writing import INCIDENT
from statuspage.lifecycle import REMINDED, reminder_due, reminder_text
from statuspage.vocabulary import Impact, IncidentStatus

log = logging.getLogger(__name__)
BATCH = 20


@dataclass(frozen=True)
class Reminder:
    """A claimed reminder, as plain data for the request to Twilio."""

    id: int
    to: str
    body: str


def remind_owners(services: Services) -> int:
    """Claim the reminders due now and send them from a thread; how many were claimed."""
    claimed = claim(services)
    sendable = [reminder for reminder in claimed if reminder.to]
    if sendable:
        threading.Thread(target=send_all, args=(services, sendable), name="status-reminders", daemon=True).start()
    return len(claimed)


def claim(services: Services) -> list[Reminder]:
    """Lock the quiet incidents, note the reminder on each and log it; the reminders to send."""
    support = services.support
    interval = dt.timedelta(minutes=support.status_page.reminder_minutes)
    if not services.finds(select(Incident.id).where(*_quiet(services.clock() - interval))):
        return []
    with services.sessions() as session, session.begin():
        now = services.clock()
        quiet = session.execute(
            select(Incident, _last_update()).where(*_quiet(now - interval))
            .order_by(Incident.id).limit(BATCH)
            .with_for_update(of=Incident, skip_locked=True).execution_options(populate_existing=True)).all()
        reminders = []
        for incident, last_update_at in quiet:
            if not reminder_due(Impact(incident.impact), IncidentStatus(incident.status), last_update_at,
                                incident.reminded_at, now, interval):
                continue
            incident.reminded_at = now
            reminders.append(_log(session, support, incident, last_update_at, now))
        session.flush()
        return [Reminder(row.id, row.to_number or "", row.body) for row in reminders]


def _last_update() -> ScalarSelect[dt.datetime]:
    return (select(func.max(IncidentUpdate.created_at)).where(IncidentUpdate.incident_id == Incident.id)
            .correlate(Incident).scalar_subquery())


def _quiet(cutoff: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    """An unresolved incident of a reminded impact, without an update nor a reminder since `cutoff`."""
    return (Incident.kind == INCIDENT, Incident.impact.in_([i.value for i in REMINDED]),
            Incident.status.in_([s.value for s in IncidentStatus if s.unresolved]), _last_update() <= cutoff,
            Incident.reminded_at.is_(None) | (Incident.reminded_at <= cutoff))


def _log(session: Session, support: SupportConfig, incident: Incident, last_update_at: dt.datetime,
         now: dt.datetime) -> IncidentReminder:
    person = whom(session, support, incident.owner)
    body = reminder_text(support.status_page.name, incident.name, Impact(incident.impact), last_update_at, now)
    row = IncidentReminder(incident_id=incident.id, owner=incident.owner, person_id=person.id if person else None,
                           to_number=person.phone if person else None, body=body,
                           status=Delivery.SENDING if person else Delivery.FAILED,
                           error=None if person else "no one to remind: no owner's person and no manager's",
                           created_at=now, updated_at=now)
    session.add(row)
    return row


def whom(session: Session, support: SupportConfig, owner: str | None) -> Person | None:
    """The person reminded of `owner`'s incident: the owner's, else the first manager's with a person."""
    known = {person.id: person for person in support.people}
    person_id = session.scalar(select(User.person_id).where(User.username == owner)) if owner else None
    if person_id in known:
        return known[person_id]
    managers = session.scalars(select(User.person_id).where(User.role == Role.MANAGER, User.person_id.is_not(None))
                               .order_by(User.username))
    return next((known[p] for p in managers if p in known), None)


def send_all(services: Services, reminders: list[Reminder]) -> None:
    for reminder in reminders:
        send(services, reminder)


def send(services: Services, reminder: Reminder) -> None:
    """Ask Twilio to send one claimed reminder (no transaction open), then keep its answer."""
    sid, status, error = None, Delivery.FAILED, None
    try:
        message = services.twilio.messages.create(to=reminder.to, from_=sender(services.support, reminder.to),
                                                  body=reminder.body)
        sid, status = message.sid, twilio_status(message.status) or Delivery.QUEUED
    except (TwilioException, RequestException) as exc:
        log.error("incident reminder %s failed: %s", reminder.id, exc)
        error = str(exc)[:300]
    with services.sessions() as session, session.begin():
        row = session.get(IncidentReminder, reminder.id, with_for_update=True)
        row.twilio_sid, row.status, row.error, row.updated_at = sid, status, error, services.clock()
