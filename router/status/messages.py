"""The subscribers' SMS: each update queued once per subscriber of its components, then sent like a page's.

Queuing locks the update rows (skipping those another engine holds) and sets `notified_at` in the same
transaction as the messages it writes, so no update is queued twice. Sending mirrors the paging sender
(router/paging/sender.py): due messages are claimed (`sending`) in one transaction, sent with none open,
and what Twilio answered is recorded in another; one left `sending` by a sender that died is looked up at
Twilio (router/paging/recovery.py's rule): adopted if Twilio has it, sent again if not. Twilio refusing is
tried again a few times, later each time, then the message fails.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from requests import ReadTimeout, RequestException
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException

from router.contact_tests import sender as line_for
from router.models.status import (
    Incident,
    IncidentComponent,
    IncidentUpdate,
    StatusMessage,
    Subscriber,
    SubscriberComponent,
)
from router.paging.recovery import LOOK_BACK, STUCK_SENDING
from router.paging.sender import Answer, refused
from router.paging.services import Services
from router.paging.statuses import Delivery, twilio_status
from statuspage.subscriptions import update_text

log = logging.getLogger(__name__)
STATUS_CALLBACK = "/sms/status-message/{id}/status"  # where Twilio reports on a message (router/webhooks/)
UPDATES = 20     # updates queued in one transaction
BATCH = 20       # messages claimed at once
ATTEMPTS = 4     # Twilio refusing: tried this many times in all, then failed
BACKOFF = dt.timedelta(seconds=30)  # before the second attempt; doubled for each one after
UNSUBSCRIBED = 21610  # Twilio's error: the number replied STOP to us


def queue_updates(services: Services, limit: int = UPDATES) -> int:
    """Queue a message to every active subscriber of each new update's components; returns how many."""
    if not services.finds(select(IncidentUpdate.id).where(IncidentUpdate.notified_at.is_(None))):
        return 0
    with services.sessions() as session, session.begin():
        now = services.clock()
        updates = session.scalars(
            select(IncidentUpdate).where(IncidentUpdate.notified_at.is_(None)).order_by(IncidentUpdate.id)
            .limit(limit).with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
        queued = 0
        for update in updates:
            queued += _queue(session, services, update, now)
            update.notified_at = now
    return queued


def _queue(session: Session, services: Services, update: IncidentUpdate, now: dt.datetime) -> int:
    incident = session.get(Incident, update.incident_id)
    if incident is None:
        return 0
    affected = select(IncidentComponent.component_id).where(IncidentComponent.incident_id == incident.id)
    subscribers = session.execute(
        select(Subscriber.id, Subscriber.phone).where(
            Subscriber.stopped_at.is_(None),
            exists().where(SubscriberComponent.subscriber_id == Subscriber.id,
                           SubscriberComponent.component_id.in_(affected)))
        .order_by(Subscriber.id)).all()
    body = update_text(services.support.status_page.name, incident.name, update.status, update.body)
    session.add_all(StatusMessage(subscriber_id=subscriber_id, update_id=update.id, to_number=phone, body=body,
                                  status=Delivery.PENDING, due_at=now, created_at=now, updated_at=now)
                    for subscriber_id, phone in subscribers)
    return len(subscribers)


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, as plain data for the request to Twilio."""

    id: int
    to: str
    sender: str  # a line in the subscriber's country
    body: str


def send_due(services: Services, limit: int = 200) -> int:
    """Send the messages due now, a batch at a time; returns how many Twilio took."""
    sent = tried = 0
    while tried < limit:
        batch = claim(services, min(BATCH, limit - tried))
        if not batch:
            break
        answers = [deliver(services, outgoing) for outgoing in batch]
        record(services, batch, answers)
        tried += len(batch)
        sent += sum(answer.sid is not None for answer in answers)
    return sent


def claim(services: Services, limit: int = BATCH) -> list[Outgoing]:
    """Take the messages due now, for this sender alone; those of a subscriber who replied STOP are canceled."""
    with services.sessions() as session, session.begin():
        now = services.clock()
        due = session.scalars(
            select(StatusMessage).where(StatusMessage.status == Delivery.PENDING, StatusMessage.due_at <= now)
            .order_by(StatusMessage.due_at, StatusMessage.id).limit(limit)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
        stopped = set(session.scalars(select(Subscriber.id).where(
            Subscriber.id.in_({m.subscriber_id for m in due}), Subscriber.stopped_at.is_not(None))))
        batch = []
        for message in due:
            message.updated_at = now
            if message.subscriber_id in stopped:
                message.status, message.error = Delivery.CANCELED, "the subscriber replied STOP"
                continue
            message.status, message.claimed_at = Delivery.SENDING, now
            batch.append(Outgoing(message.id, message.to_number, line_for(services.support, message.to_number),
                                  message.body))
    return batch


def deliver(services: Services, outgoing: Outgoing) -> Answer:
    """Ask Twilio to send one message (no transaction is open)."""
    try:
        resource = services.twilio.messages.create(
            to=outgoing.to, from_=outgoing.sender, body=outgoing.body,
            status_callback=services.public_url.rstrip("/") + STATUS_CALLBACK.format(id=outgoing.id))
    except ReadTimeout:
        # Twilio may have it: trying again could send it twice; it stays `sending` and is looked up there.
        log.warning("status message %s: no answer from Twilio in time; to be looked up there", outgoing.id)
        return Answer(None, Delivery.SENDING, "no answer from Twilio", unknown=True)
    except (TwilioException, RequestException) as exc:
        log.error("status message %s failed: %s", outgoing.id, exc)
        return refused(exc, with_code=True)
    return Answer(resource.sid, twilio_status(resource.status) or Delivery.QUEUED)


def record(services: Services, batch: list[Outgoing], answers: list[Answer]) -> None:
    """Keep what Twilio answered; a refusal is tried again later, until ATTEMPTS, then fails."""
    with services.sessions() as session, session.begin():
        now = services.clock()
        for outgoing, answer in zip(batch, answers, strict=True):
            if answer.unknown:
                continue  # left `sending`: recover_stuck asks Twilio whether it has it
            message = session.get(StatusMessage, outgoing.id, with_for_update=True, populate_existing=True)
            if message is None:
                continue
            message.attempts += 1
            message.updated_at = now
            if answer.sid is not None:
                message.twilio_sid, message.sent_at, message.error = answer.sid, now, None
                moved(message, answer.status, None, now)  # its status callback may have come first
            else:
                _refused(session, message, answer, now)


def _refused(session: Session, message: StatusMessage, answer: Answer, now: dt.datetime) -> None:
    message.error = (answer.error or "refused")[:300]
    if answer.temporary and message.attempts < ATTEMPTS:
        message.status, message.due_at = Delivery.PENDING, now + BACKOFF * 2 ** (message.attempts - 1)
        return
    message.status = Delivery.FAILED
    if message.error.startswith(f"Twilio error {UNSUBSCRIBED}:"):  # a STOP that never reached our webhook
        subscriber = session.get(Subscriber, message.subscriber_id)
        if subscriber is not None and subscriber.stopped_at is None:
            subscriber.stopped_at = now


def moved(message: StatusMessage, status: Delivery, error: str | None, now: dt.datetime) -> bool:
    """Move the message's status on (a late report never moves it back); whether it changed."""
    if status.rank <= Delivery(message.status).rank:
        return False
    message.status, message.updated_at = status, now
    if error:
        message.error = error[:300]
    return True


def reported(message: StatusMessage, status_text: str | None, sid: str | None, error_code: str | None,
             now: dt.datetime) -> None:
    """A status callback: Twilio's status for the message (and its SID, should the sender not have lived to
    record it)."""
    status = twilio_status(status_text)
    if status is None:
        return
    if message.twilio_sid is None and sid and message.status != Delivery.PENDING:
        message.twilio_sid = sid
    moved(message, status, f"Twilio error {error_code}" if error_code else None, now)


def recover_stuck(services: Services, limit: int = 20) -> int:
    """Settle messages whose sender died after claiming them; returns how many were settled."""
    with services.readers() as session:
        stuck = session.execute(select(StatusMessage.id, StatusMessage.to_number, StatusMessage.body).where(
            StatusMessage.status == Delivery.SENDING, StatusMessage.twilio_sid.is_(None),
            StatusMessage.claimed_at < services.clock() - STUCK_SENDING).limit(limit)).all()
        known = set(session.scalars(select(StatusMessage.twilio_sid).where(
            StatusMessage.to_number.in_({to for _, to, _ in stuck}), StatusMessage.twilio_sid.is_not(None))))
    settled = 0
    for message_id, to, body in stuck:
        try:
            found = next(((m.sid, twilio_status(m.status) or Delivery.QUEUED) for m in services.twilio.messages.list(
                to=to, from_=line_for(services.support, to), limit=LOOK_BACK)
                if m.sid not in known and m.body == body), None)
        except (TwilioException, RequestException) as exc:
            log.warning("could not look status message %s up at Twilio: %s", message_id, exc)
            break  # Twilio down or hanging: the rest wait for the next pass
        settled += _settle(services, message_id, found)
        if found:
            known.add(found[0])
    return settled


def _settle(services: Services, message_id: int, found: tuple[str, Delivery] | None) -> int:
    with services.sessions() as session, session.begin():
        now = services.clock()
        message = session.get(StatusMessage, message_id, with_for_update=True, populate_existing=True)
        if message is None or message.status != Delivery.SENDING:
            return 0
        if found is None:
            log.warning("status message %s: its sender stopped before Twilio took it; sending it again", message_id)
            message.status, message.due_at, message.updated_at = Delivery.PENDING, now, now
            return 1
        message.twilio_sid, message.sent_at, message.attempts = found[0], now, message.attempts + 1
        message.updated_at = now
        moved(message, found[1], None, now)
        return 1


class Senders:
    """A thread of its own per `Services` sends the messages, so the engine's pass never waits on Twilio;
    a pass that finds one still at work leaves the new messages to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, threading.Thread] = {}

    def hand(self, services: Services) -> int:
        """Start sending if anything is due or stuck; returns how many messages were handed over."""
        with services.readers() as session:
            now = services.clock()
            waiting = session.scalar(select(func.count()).select_from(StatusMessage).where(or_(
                (StatusMessage.status == Delivery.PENDING) & (StatusMessage.due_at <= now),
                (StatusMessage.status == Delivery.SENDING) & StatusMessage.twilio_sid.is_(None)
                & (StatusMessage.claimed_at < now - STUCK_SENDING)))) or 0
        if not waiting:
            return 0
        with self._lock:
            if id(services) in self._running:
                return 0
            thread = threading.Thread(target=self._send, args=(services,), name="status-messages", daemon=True)
            self._running[id(services)] = thread
            thread.start()
        return waiting

    def _send(self, services: Services) -> None:
        try:
            recover_stuck(services)
            send_due(services)
        except Exception:
            log.exception("sending status messages failed; the next pass tries again")
        finally:
            with self._lock:
                self._running.pop(id(services), None)

    def wait(self, timeout: float = 30) -> None:
        """Wait for the senders at work (a test, before it looks at what was sent)."""
        with self._lock:
            threads = list(self._running.values())
        for thread in threads:
            thread.join(timeout)


SENDERS = Senders()


def hand_to_sender(services: Services) -> int:
    """The engine's task: send what is due, in the background."""
    return SENDERS.hand(services)
