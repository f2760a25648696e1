"""Sending a page's notifications through Twilio, and following their statuses."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from requests import RequestException
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from callflows.page import LISTED, CaseSummary, JoinedCases, PageFacts, joined_sms, page_sms
from router import locks
from router.clock import Clock
from router.config import SupportConfig
from router.escalation import move_on_if_nobody_answered
from router.links import external_url
from router.models import CASE_NUMBER_OFFSET, Case, Notification, Page

log = logging.getLogger(__name__)
STUCK_SENDING = dt.timedelta(seconds=30)  # a worker that died mid-send: fail it, never send twice
# Twilio said it took the notification, then nothing for this long: ask it (GoAlert polls after a minute).
SILENT = dt.timedelta(minutes=2)
IN_FLIGHT = ("queued", "accepted", "scheduled", "initiated", "sent", "ringing", "in-progress")
# Twilio refusing for a moment (5xx, 429, no connection): tried again 15 s later, 3 attempts in all (GoAlert's).
RETRY_AFTER = dt.timedelta(seconds=15)
ATTEMPTS = 3

# Twilio's statuses in the order they happen, so a late callback never moves a status backwards.
_RANK = {status: rank for rank, statuses in enumerate((
    ("pending",), ("sending",), ("queued", "accepted", "scheduled"), ("initiated", "sent"),
    ("ringing",), ("in-progress",),
    ("completed", "busy", "no-answer", "failed", "canceled", "delivered", "undelivered", "read", "machine"),
)) for status in statuses}


def page_facts(page: Page, support: SupportConfig) -> PageFacts:
    """What the engineer hears and reads about the page: every case it carries."""
    line = support.line(page.line_number)
    cases = tuple(case_summary(case, support) for case in page.cases)
    acknowledged_by = support.person(page.acknowledged_by).name if page.acknowledged_by else None
    return PageFacts(company=support.service.company, line=line.name if line else page.line_number,
                     cases=cases, acknowledged_by=acknowledged_by, voice=support.service.english_voice)


def case_summary(case: Case, support: SupportConfig) -> CaseSummary:
    """One case as a page reads it: its number, its customer, who called."""
    customer = support.customer(case.customer_id)
    return CaseSummary(case.number, customer.name if customer else "an unidentified caller", case.caller_number,
                       case.description)


def send_due(sessions: sessionmaker[Session], client: Client, support: SupportConfig, clock: Clock,
             page_id: int | None = None, limit: int = 100) -> int:
    """Claim the notifications now due (rows locked, skipping those another worker holds), send them."""
    with sessions() as session, session.begin():
        now = clock()
        query = (select(Notification).where(Notification.status == "pending", Notification.due_at <= now)
                 .order_by(Notification.due_at, Notification.id).limit(limit).with_for_update(skip_locked=True))
        if page_id is not None:
            query = query.where(Notification.page_id == page_id)
        claimed = _outside_quiet_interval(session, session.scalars(query).all(), support, now)
        for notification in claimed:
            notification.status, notification.updated_at = "sending", now
        ids = [n.id for n in claimed]
    return sum(_send(sessions, client, support, clock, notification_id) for notification_id in ids)


def _outside_quiet_interval(session: Session, claimed: list[Notification], support: SupportConfig,
                            now: dt.datetime) -> list[Notification]:
    """The claimed notifications that may go now; a call within a person's quiet interval waits instead.

    Calls are spaced when they are scheduled, but two pages opening at once on different policies
    cannot see each other's calls: this last check, under a per-person lock, can.
    """
    quiet = dt.timedelta(minutes=support.paging.quiet_minutes)
    calls = [n for n in claimed if n.channel == "voice"]
    if not calls or not quiet:
        return claimed
    people = sorted({n.person_id for n in calls})
    locks.hold(session, *(f"person:{person_id}" for person_id in people))
    last = dict(session.execute(
        select(Notification.person_id, func.max(func.coalesce(Notification.sent_at, Notification.updated_at)))
        .where(Notification.person_id.in_(people), Notification.channel == "voice",
               Notification.id.not_in([n.id for n in calls]),
               (Notification.twilio_sid.is_not(None)) | (Notification.status == "sending"))
        .group_by(Notification.person_id)).all())
    going = []
    for notification in claimed:
        previous = last.get(notification.person_id) if notification.channel == "voice" else None
        if previous is not None and now < previous + quiet:
            notification.due_at = previous + quiet  # still pending: claimed again then
            continue
        if notification.channel == "voice":
            last[notification.person_id] = now
        going.append(notification)
    return going


def poll_silent(sessions: sessionmaker[Session], client: Client, support: SupportConfig, clock: Clock,
                limit: int = 20) -> int:
    """Ask Twilio for notifications whose status has not moved for a while (a status callback lost while
    the web tier was down, say); a call found unanswered moves its page on as the callback would have."""
    with sessions() as session:
        now = clock()
        silent = session.scalars(select(Notification).where(
            Notification.twilio_sid.is_not(None), Notification.status.in_(IN_FLIGHT),
            Notification.updated_at < now - SILENT).order_by(Notification.updated_at).limit(limit)).all()
        found = [(n.id, n.page_id, n.channel, _twilio_status(client, n)) for n in silent]
    for notification_id, page_id, channel, status in found:
        with sessions() as session, session.begin():
            now = clock()
            # Even when the status has not moved, the next look is SILENT from now.
            session.execute(update(Notification).where(Notification.id == notification_id).values(updated_at=now))
            advance_status(session, notification_id, status, now)
            if channel == "voice":
                move_on_if_nobody_answered(session, session.get(Page, page_id), support, now)
    return len(found)


def _twilio_status(client: Client, notification: Notification) -> str | None:
    try:
        if notification.channel == "sms":
            return client.messages(notification.twilio_sid).fetch().status
        call = client.calls(notification.twilio_sid).fetch()
    except (TwilioException, RequestException) as exc:
        log.warning("could not fetch the status of notification %s: %s", notification.id, exc)
        return notification.status  # try again later
    machine = (call.answered_by or "").startswith(("machine", "fax"))
    return "machine" if call.status == "completed" and machine else call.status


def fail_stuck(sessions: sessionmaker[Session], clock: Clock) -> int:
    """Notifications left "sending" by a worker that died: failed, so the page moves on rather than repeats."""
    with sessions() as session, session.begin():
        now = clock()
        stuck = (update(Notification).where(Notification.status == "sending",
                                            Notification.updated_at < now - STUCK_SENDING)
                 .values(status="failed", error="stuck sending (worker stopped)", updated_at=now))
        return session.execute(stuck).rowcount


def _send(sessions: sessionmaker[Session], client: Client, support: SupportConfig, clock: Clock,
          notification_id: int) -> bool:
    with sessions() as session:
        notification = session.get(Notification, notification_id)
        sms = notification.channel == "sms"
        body, last_case_id = _sms_text(session, notification, support) if sms else (None, None)
        if sms and body is None:
            sent = Sent(None, "canceled", "no case joined since the last message")
        else:
            sent = _deliver(client, notification, body)
        retry = sent.temporary and notification.attempts + 1 < ATTEMPTS
    with sessions() as session, session.begin():
        now = clock()
        if retry:  # Twilio could not take it now: again in a moment, still pending
            session.execute(update(Notification).where(Notification.id == notification_id,
                                                       Notification.status == "sending")
                            .values(status="pending", due_at=now + RETRY_AFTER, error=sent.error,
                                    attempts=Notification.attempts + 1, updated_at=now))
            return False
        session.execute(update(Notification).where(Notification.id == notification_id)
                        .values(twilio_sid=sent.sid, error=sent.error, sent_at=now if sent.sid else None,
                                last_case_id=last_case_id, attempts=Notification.attempts + 1, updated_at=now))
        advance_status(session, notification_id, sent.status, now)
        if sent.status == "failed" and notification.channel == "voice":
            # A call that could not be placed reached nobody either: the page must not wait for its deadline.
            move_on_if_nobody_answered(session, session.get(Page, notification.page_id), support, now)
    return sent.sid is not None


def _sms_text(session: Session, notification: Notification, support: SupportConfig) -> tuple[str | None, int | None]:
    """The SMS's text, written now so it names every case it is about, and the newest case it names.

    None when a "joined" SMS has nothing left to tell (an earlier one named its cases).
    """
    page = notification.page
    if notification.kind != "joined":
        # Only a page's own SMS reads all its cases (a call reads them when answered).
        return page_sms(page_facts(page, support)), max((c.id for c in page.cases), default=None)
    told = session.scalar(select(func.max(Notification.last_case_id)).where(
        Notification.page_id == page.id, Notification.person_id == notification.person_id,
        Notification.id != notification.id))
    # One look at the page's cases, so that the count, the names and the newest agree.
    total, first_id, newest = session.execute(select(func.count(), func.min(Case.id), func.max(Case.id))
                                              .where(Case.page_id == page.id)).one()
    new = select(Case).where(Case.page_id == page.id, Case.id > (told or 0), Case.id <= (newest or 0))
    count = session.scalar(select(func.count()).select_from(new.subquery()))
    if not count:
        return None, None
    named = session.scalars(new.order_by(Case.id).limit(LISTED)).all()
    line = support.line(page.line_number)
    joined = JoinedCases(
        company=support.service.company, line=line.name if line else page.line_number,
        first_case=first_id + CASE_NUMBER_OFFSET, named=tuple(case_summary(c, support) for c in named),
        count=count, total=total)
    return joined_sms(joined), newest


@dataclass(frozen=True)
class Sent:
    """What Twilio answered a request to send: its SID and status, or the error and whether it may pass."""

    sid: str | None
    status: str
    error: str | None = None
    temporary: bool = False  # Twilio down, overloaded or unreachable: worth trying again


def _deliver(client: Client, notification: Notification, body: str | None) -> Sent:
    sender = notification.page.line_number
    try:
        if notification.channel == "sms":
            resource = client.messages.create(
                to=notification.to_number, from_=sender, body=body,
                status_callback=external_url("webhooks.sms_status", notification_id=notification.id))
        else:
            resource = client.calls.create(
                # Wait for the greeting's beep, so the short message lands in the voicemail, not over it.
                to=notification.to_number, from_=sender, machine_detection="DetectMessageEnd",
                url=external_url("webhooks.page_call", notification_id=notification.id),
                status_callback=external_url("webhooks.page_status", notification_id=notification.id),
                status_callback_event=["initiated", "ringing", "answered", "completed"])
    except (TwilioException, RequestException) as exc:
        log.error("notification %s to %s failed: %s", notification.id, notification.to_number, exc)
        temporary = isinstance(exc, RequestException) or (
            isinstance(exc, TwilioRestException) and (exc.status >= 500 or exc.status == 429))
        return Sent(None, "failed", str(exc)[:300], temporary)
    return Sent(resource.sid, resource.status or "queued")


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


def open_pages_for(session: Session, person_id: str) -> list[Page]:
    """The open pages that have reached this person."""
    query = (select(Page).join(Notification).where(Notification.person_id == person_id, Page.status == "open")
             .distinct().order_by(Page.id))
    return list(session.scalars(query))


def page_for_case(session: Session, case_number: int) -> Page | None:
    """The page carrying the case with this number."""
    case = session.get(Case, Case.id_for(case_number)) if case_number > 0 else None
    return case.page if case else None
