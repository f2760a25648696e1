"""Paging the on-call engineer: open a page, send its notifications, take the acknowledgement."""

from __future__ import annotations

import datetime as dt
import logging

from requests import RequestException
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from callflows.page import PageFacts, page_sms
from router.clock import Clock
from router.config import SupportConfig
from router.links import external_url
from router.models import Case, Notification, Page
from schedules import on_call

log = logging.getLogger(__name__)
CHANNELS = ("sms", "voice")  # both at once: an SMS is silent on a phone in Do Not Disturb, a call is not
ACKNOWLEDGEABLE = ("open", "no one on call")

# Twilio's statuses in the order they happen, so a late callback never moves a status backwards.
_RANK = {status: rank for rank, statuses in enumerate((
    ("pending",), ("sending",), ("queued", "accepted", "scheduled"), ("initiated", "sent"),
    ("ringing",), ("in-progress",),
    ("completed", "busy", "no-answer", "failed", "canceled", "delivered", "undelivered", "read"),
)) for status in statuses}


def open_page(session: Session, case: Case, support: SupportConfig, at: dt.datetime) -> Page:
    """The case's page, opened with a notification per channel to whoever is on call now."""
    page = session.scalars(select(Page).where(Page.case_id == case.id)).first()
    if page is not None:
        return page
    line = support.line(case.line_number)
    rotation = support.rotation(line.rotation if line else None)
    person_id = on_call(rotation, at) if rotation else None
    page = Page(case_id=case.id, line_number=case.line_number, rotation_id=rotation.name if rotation else None,
                status="open" if person_id else "no one on call", opened_at=at)
    if person_id:
        phone = support.person(person_id).phone
        page.notifications = [
            Notification(person_id=person_id, channel=channel, to_number=phone, status="pending",
                         created_at=at, updated_at=at)
            for channel in CHANNELS
        ]
    else:
        log.warning("case %s: nobody is on call for line %s", case.number, case.line_number)
    session.add(page)
    session.flush()
    return page


def page_facts(page: Page, case: Case, support: SupportConfig) -> PageFacts:
    """What the engineer hears and reads about the page."""
    line = support.line(page.line_number)
    customer = support.customer(case.customer_id)
    acknowledged_by = support.person(page.acknowledged_by).name if page.acknowledged_by else None
    return PageFacts(
        company=support.service.company,
        case_number=case.number,
        customer=customer.name if customer else "an unidentified caller",
        line=line.name if line else page.line_number,
        caller=case.caller_number,
        acknowledged_by=acknowledged_by,
        voice=support.service.english_voice,
    )


def send_pending(sessions: sessionmaker[Session], client: Client, support: SupportConfig, clock: Clock,
                 page_id: int | None = None) -> int:
    """Send every pending notification (of one page, or all); returns how many this call sent."""
    with sessions() as session:
        query = select(Notification.id).where(Notification.status == "pending").order_by(Notification.id)
        if page_id is not None:
            query = query.where(Notification.page_id == page_id)
        ids = list(session.scalars(query))
    return sum(_send(sessions, client, support, clock, notification_id) for notification_id in ids)


def _send(sessions: sessionmaker[Session], client: Client, support: SupportConfig, clock: Clock,
          notification_id: int) -> bool:
    with sessions() as session, session.begin():
        claim = (update(Notification).where(Notification.id == notification_id, Notification.status == "pending")
                 .values(status="sending", updated_at=clock()))
        if session.execute(claim).rowcount != 1:
            return False  # another dispatcher or worker has it
    with sessions() as session:
        notification = session.get(Notification, notification_id)
        page = notification.page
        facts = page_facts(page, session.get(Case, page.case_id), support)
        sid, status, error = _deliver(client, notification, facts)
    with sessions() as session, session.begin():
        now = clock()
        session.execute(update(Notification).where(Notification.id == notification_id)
                        .values(twilio_sid=sid, error=error, sent_at=now if sid else None, updated_at=now))
        advance_status(session, notification_id, status, now)
    return sid is not None


def _deliver(client: Client, notification: Notification, facts: PageFacts) -> tuple[str | None, str, str | None]:
    sender = notification.page.line_number
    try:
        if notification.channel == "sms":
            resource = client.messages.create(
                to=notification.to_number, from_=sender, body=page_sms(facts),
                status_callback=external_url("webhooks.sms_status", notification_id=notification.id))
        else:
            resource = client.calls.create(
                to=notification.to_number, from_=sender,
                url=external_url("webhooks.page_call", notification_id=notification.id),
                status_callback=external_url("webhooks.page_status", notification_id=notification.id),
                status_callback_event=["initiated", "ringing", "answered", "completed"])
    except (TwilioException, RequestException) as exc:
        log.error("notification %s to %s failed: %s", notification.id, notification.to_number, exc)
        return None, "failed", str(exc)[:300]
    return resource.sid, resource.status or "queued", None


def advance_status(session: Session, notification_id: int, status: str, at: dt.datetime) -> None:
    """Take Twilio's newer status; callbacks racing each other or the sender never move it back.

    One conditional UPDATE, so that two writers cannot both read the old status and
    the slower one overwrite the newer (a lost update).
    """
    rank = _RANK.get(status, max(_RANK.values()))
    earlier = [name for name, r in _RANK.items() if r <= rank]
    session.execute(update(Notification)
                    .where(Notification.id == notification_id, Notification.status.in_(earlier))
                    .values(status=status[:24], updated_at=at))


def acknowledge(page: Page, person_id: str, via: str, at: dt.datetime) -> bool:
    """Record who took the page; False if it was already acknowledged."""
    if page.status not in ACKNOWLEDGEABLE:
        return False
    page.status = "acknowledged"
    page.acknowledged_at = at
    page.acknowledged_by = person_id
    page.acknowledged_via = via
    return True


def open_pages_for(session: Session, person_id: str) -> list[Page]:
    """The pages still waiting for an acknowledgement that were sent to this person."""
    query = (select(Page).join(Notification).where(Notification.person_id == person_id,
                                                   Page.status.in_(ACKNOWLEDGEABLE))
             .distinct().order_by(Page.id))
    return list(session.scalars(query))


def page_for_case(session: Session, case_number: int) -> Page | None:
    """The page opened for the case with this number."""
    return session.scalars(select(Page).where(Page.case_id == Case.id_for(case_number))).first()
