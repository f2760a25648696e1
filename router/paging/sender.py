"""Sending a page's notifications: claim what is due, commit, ask Twilio, record what it answered.

No transaction is open while Twilio is asked: a page's due notifications are
claimed (`sending`, with `claimed_at` and the SMS text) in one short
transaction, sent, and recorded in another. A sender killed half way leaves its
claimed notifications `sending`; `recovery.recover_stuck` looks each up at
Twilio, so the one it was sending is not sent twice and the others are not
lost. Only notifications of pages nobody has taken are claimed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from requests import ReadTimeout, RequestException
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException

from router import metrics
from router.models import Notification, Page
from router.paging import callbacks, locks
from router.paging.messages import sms_text
from router.paging.page import SendFailed, Status
from router.paging.pages import change, lock
from router.paging.services import Services
from router.paging.statuses import Channel, Delivery, PageStatus, twilio_status

log = logging.getLogger(__name__)
CANDIDATES = 20  # due notifications looked at to find the pages to claim from
BATCH = 20       # notifications claimed from one page at once


@dataclass(frozen=True)
class Outgoing:
    """A claimed notification, as plain data for the request to Twilio."""

    id: int
    page_id: int
    channel: Channel
    to: str
    sender: str  # the line's number
    body: str | None = None


@dataclass(frozen=True)
class Answer:
    """What Twilio answered a request to send: its SID and status, or the error and whether it may pass."""

    sid: str | None
    status: Delivery
    error: str | None = None
    temporary: bool = False  # Twilio down, overloaded or unreachable: worth trying again
    unknown: bool = False    # asked, and no answer came back: Twilio may have it (router/paging/recovery.py)


def send_due(services: Services, page_id: int | None = None, limit: int = 100) -> int:
    """Send what is due now (of one page, or of all), a page at a time; returns how many Twilio took."""
    sent = tried = 0
    while tried < limit:
        batch = claim(services, page_id, limit - tried)
        if not batch:
            break
        answers = [deliver(services, outgoing) for outgoing in batch]
        record(services, batch, answers)
        tried += len(batch)
        sent += sum(answer.sid is not None for answer in answers)
    return sent


def pages_due(services: Services, limit: int = 200) -> list[int]:
    """The pages with a notification due now, most overdue first (for the engine to hand to its senders)."""
    with services.readers() as session:
        rows = session.execute(
            select(Notification.page_id, func.min(Notification.due_at).label("due"))
            .join(Page, Page.id == Notification.page_id)
            .where(Notification.status == Delivery.PENDING, Notification.due_at <= services.clock(),
                   Page.status != PageStatus.ACKNOWLEDGED)
            .group_by(Notification.page_id).order_by("due").limit(limit)).all()
    return [page_id for page_id, _ in rows]


def claim(services: Services, page_id: int | None = None, limit: int = BATCH) -> list[Outgoing]:
    """Take the notifications due now of one page (the first due, or `page_id`), for this sender alone.

    Rows another sender holds are skipped; a page being acknowledged or escalated is waited for.
    """
    with services.sessions() as session, session.begin():
        now = services.clock()
        query = (select(Notification.page_id).join(Page, Page.id == Notification.page_id)
                 .where(Notification.status == Delivery.PENDING, Notification.due_at <= now,
                        Page.status != PageStatus.ACKNOWLEDGED)
                 .order_by(Notification.due_at, Notification.id).limit(CANDIDATES))
        if page_id is not None:
            query = query.where(Notification.page_id == page_id)
        for candidate in dict.fromkeys(session.scalars(query)):  # each page once, in order of what is due
            batch = _take(session, services, candidate, now, limit)
            if batch:
                return batch
    return []


def _take(session: Session, services: Services, page_id: int, now: dt.datetime, limit: int) -> list[Outgoing]:
    # The page first (shared: senders claim side by side; an acknowledgement or escalation waits), then the rows.
    page = session.scalars(select(Page).where(Page.id == page_id, Page.status != PageStatus.ACKNOWLEDGED)
                           .with_for_update(read=True).execution_options(populate_existing=True)).first()
    if page is None:
        return []
    due = session.scalars(
        select(Notification).where(Notification.page_id == page_id, Notification.status == Delivery.PENDING,
                                   Notification.due_at <= now)
        .order_by(Notification.due_at, Notification.id).limit(limit)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
    batch = []
    for notification in due:
        if notification.channel == Channel.VOICE and _within_quiet_interval(session, services, notification, now):
            continue
        body = None
        if notification.channel == Channel.SMS:
            body, notification.last_case_id = sms_text(session, notification, page, services.support)
            if body is None:
                notification.status, notification.error = Delivery.CANCELED, "no case joined since the last message"
                notification.updated_at = now
                continue
        notification.status, notification.claimed_at, notification.body, notification.updated_at = (
            Delivery.SENDING, now, body, now)
        batch.append(Outgoing(notification.id, page.id, Channel(notification.channel), notification.to_number,
                              page.line_number, body))
    return batch


def _within_quiet_interval(session: Session, services: Services, notification: Notification,
                           now: dt.datetime) -> bool:
    """A call within the person's quiet interval waits (it stays pending, due when the interval ends).

    Calls are spaced when they are planned, but two pages opening at once on different policies cannot
    see each other's calls: this last look, under a per-person lock, can.
    """
    quiet = dt.timedelta(minutes=services.support.paging.quiet_minutes)
    if not quiet:
        return False
    locks.hold(session, f"person:{notification.person_id}")
    previous = session.scalar(
        select(func.max(func.coalesce(Notification.sent_at, Notification.updated_at)))
        .where(Notification.person_id == notification.person_id, Notification.channel == Channel.VOICE,
               Notification.id != notification.id,
               Notification.twilio_sid.is_not(None) | (Notification.status == Delivery.SENDING)))
    if previous is None or now >= previous + quiet:
        return False
    notification.due_at = previous + quiet
    return True


def refused(exc: TwilioException | RequestException, with_code: bool = False) -> Answer:
    """Twilio refused or could not be reached: temporary (worth trying again) when it is down, overloaded or
    unreachable; `with_code` puts Twilio's error code first (readers act on some, e.g. an opted-out number)."""
    temporary = isinstance(exc, RequestException) or (
        isinstance(exc, TwilioRestException) and (exc.status >= 500 or exc.status == 429))
    code = exc.code if with_code and isinstance(exc, TwilioRestException) else None
    return Answer(None, Delivery.FAILED, (f"Twilio error {code}: " if code else "") + str(exc)[:260], temporary)


def deliver(services: Services, outgoing: Outgoing) -> Answer:
    """Ask Twilio to send one notification (no transaction is open)."""
    client = services.twilio
    try:
        if outgoing.channel == Channel.SMS:
            resource = client.messages.create(
                to=outgoing.to, from_=outgoing.sender, body=outgoing.body,
                status_callback=services.callback(callbacks.SMS_STATUS, outgoing.id))
        else:
            resource = client.calls.create(
                # Wait for the greeting's beep, so the short message lands in the voicemail, not over it.
                to=outgoing.to, from_=outgoing.sender, machine_detection="DetectMessageEnd",
                url=services.callback(callbacks.PAGE_CALL, outgoing.id),
                status_callback=services.callback(callbacks.PAGE_STATUS, outgoing.id),
                status_callback_event=["initiated", "ringing", "answered", "completed"])
    except ReadTimeout:
        # The request reached Twilio and no answer came back within the timeout: it may have been sent. Trying
        # again could send it twice; the notification stays `sending` and is looked up at Twilio instead.
        log.warning("notification %s: no answer from Twilio in time; to be looked up there", outgoing.id)
        return Answer(None, Delivery.SENDING, "no answer from Twilio", unknown=True)
    except (TwilioException, RequestException) as exc:
        log.error("notification %s failed: %s", outgoing.id, exc)
        return refused(exc)
    return Answer(resource.sid, twilio_status(resource.status) or Delivery.QUEUED)


def record(services: Services, batch: list[Outgoing], answers: list[Answer]) -> None:
    """Keep what Twilio answered for a claimed batch (one page); a refusal is retried, or fails and may move
    the page on."""
    with services.sessions() as session, session.begin():
        now = services.clock()
        page = lock(session, batch[0].page_id)
        if page is None:
            return
        for outgoing, answer in zip(batch, answers, strict=True):
            _record(session, services, page, outgoing, answer, now)


def _record(session: Session, services: Services, page: Page, outgoing: Outgoing, answer: Answer,
            now: dt.datetime) -> None:
    if answer.unknown:
        return  # left `sending`: recovery asks Twilio whether it has it
    metrics.notification(outgoing.channel, answer.status if answer.sid is not None else "failed")
    if answer.sid is not None:
        session.execute(update(Notification).where(Notification.id == outgoing.id).values(
            twilio_sid=answer.sid, sent_at=now, error=None, attempts=Notification.attempts + 1, updated_at=now))
        change(session, page, Status(outgoing.id, answer.status), services.support, now)
        return
    change(session, page, SendFailed(outgoing.id, answer.temporary, answer.error or "refused"), services.support, now)
    # What it would have told was not told: the next SMS names those cases again.
    session.execute(update(Notification).where(Notification.id == outgoing.id).values(last_case_id=None))
