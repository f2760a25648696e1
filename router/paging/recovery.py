"""Following up what went quiet: a sender that died half way, a status callback that never came.

The rule for a notification left `sending` (its sender died between claiming it
and recording Twilio's answer): Twilio is asked for the messages or calls from
the line to that number that no notification knows by SID. One found (an SMS
with the same text; a call) is the notification's, and it is adopted with its
status; none found means Twilio never took it, and it goes again. So every
notification not known to have reached Twilio is sent, and none twice. When
Twilio cannot be asked, it waits for the next pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from requests import RequestException
from sqlalchemy import select, update
from twilio.base.exceptions import TwilioException, TwilioRestException

from router.models import Notification, Page
from router.paging.page import Recovered, Status
from router.paging.pages import change, lock
from router.paging.services import Services
from router.paging.statuses import Channel, Delivery, call_result, twilio_status

log = logging.getLogger(__name__)
# Longer than a request to Twilio may take (the client's timeout) and its recording: the sender is gone.
STUCK_SENDING = dt.timedelta(seconds=30)
# Twilio said it took the notification, then nothing for this long: ask it (GoAlert polls after a minute).
SILENT = dt.timedelta(minutes=2)
LOOK_BACK = 50  # messages or calls to one number looked at, newest first


@dataclass(frozen=True)
class _Stuck:
    id: int
    page_id: int
    channel: Channel
    to: str
    sender: str
    body: str | None


def recover_stuck(services: Services, limit: int = 20) -> int:
    """Settle notifications whose sender died after claiming them; returns how many were settled."""
    with services.readers() as session:
        now = services.clock()
        rows = session.execute(select(Notification, Page.line_number).join(Page).where(
            Notification.status == Delivery.SENDING, Notification.claimed_at < now - STUCK_SENDING)
            .limit(limit)).all()
        stuck = [_Stuck(n.id, n.page_id, Channel(n.channel), n.to_number, line, n.body) for n, line in rows]
        known = {sid for sid in session.scalars(select(Notification.twilio_sid).where(
            Notification.to_number.in_({s.to for s in stuck}), Notification.twilio_sid.is_not(None))) if sid}
    settled = 0
    for item in stuck:
        try:
            found = _at_twilio(services, item, known)
        except (TwilioException, RequestException) as exc:
            # Twilio is down or hanging: the rest wait for the next pass rather than hold this one up.
            log.warning("could not look notification %s up at Twilio: %s", item.id, exc)
            break
        settled += _settle(services, item, found)
        if found:
            known.add(found[0])
    return settled


def _at_twilio(services: Services, item: _Stuck, known: set[str]) -> tuple[str, Delivery] | None:
    """The SID and status of the message or call Twilio has for this notification, if it has one."""
    client = services.twilio
    if item.channel == Channel.SMS:
        for message in client.messages.list(to=item.to, from_=item.sender, limit=LOOK_BACK):
            if message.sid not in known and message.body == item.body:
                return message.sid, twilio_status(message.status) or Delivery.QUEUED
        return None
    for call in client.calls.list(to=item.to, from_=item.sender, limit=LOOK_BACK):
        if call.sid not in known:
            return call.sid, call_result(twilio_status(call.status) or Delivery.QUEUED, call.answered_by)
    return None


def _settle(services: Services, item: _Stuck, found: tuple[str, Delivery] | None) -> int:
    with services.sessions() as session, session.begin():
        now = services.clock()
        page = lock(session, item.page_id)
        if page is None:
            return 0
        if found is not None:
            session.execute(update(Notification).where(Notification.id == item.id,
                                                       Notification.status == Delivery.SENDING).values(
                twilio_sid=found[0], sent_at=now, attempts=Notification.attempts + 1, updated_at=now))
        else:
            log.warning("notification %s: its sender stopped before Twilio took it; sending it again", item.id)
        commands = change(session, page, Recovered(item.id, found[1] if found else None), services.support, now)
        return 1 if commands else 0


def poll_silent(services: Services, limit: int = 20) -> int:
    """Ask Twilio about notifications whose status has not moved for a while (a callback lost while the web
    tier was down, say); a call found unanswered moves its page on as the callback would have."""
    with services.readers() as session:
        now = services.clock()
        silent = session.execute(select(Notification.id, Notification.page_id, Notification.channel,
                                        Notification.twilio_sid, Notification.status).where(
            Notification.twilio_sid.is_not(None),
            Notification.status.in_([s for s in Delivery if s.in_flight]),
            Notification.updated_at < now - SILENT).order_by(Notification.updated_at).limit(limit)).all()
    polled = 0
    for notification_id, page_id, channel, sid, status in silent:
        try:
            found = _fetch(services, Channel(channel), sid or "") or Delivery(status)
        except TwilioRestException as exc:
            if exc.status >= 500 or exc.status == 429:
                log.warning("could not fetch the status of notification %s: %s", notification_id, exc)
                break  # Twilio is down or overloaded: the rest wait for the next pass
            log.warning("Twilio refused the status of notification %s: %s", notification_id, exc)
            found = Delivery(status)  # its answer for this one: looked at again in SILENT
        except (TwilioException, RequestException) as exc:
            # Twilio is unreachable or hanging: the rest wait for the next pass rather than hold this one up.
            log.warning("could not fetch the status of notification %s: %s", notification_id, exc)
            break
        polled += 1
        with services.sessions() as session, session.begin():
            now = services.clock()
            page = lock(session, page_id)
            # Even when the status has not moved, the next look is SILENT from now.
            session.execute(update(Notification).where(Notification.id == notification_id).values(updated_at=now))
            if page is not None:
                change(session, page, Status(notification_id, found), services.support, now)
    return polled


def _fetch(services: Services, channel: Channel, sid: str) -> Delivery | None:
    if channel == Channel.SMS:
        return twilio_status(services.twilio.messages(sid).fetch().status)
    call = services.twilio.calls(sid).fetch()
    status = twilio_status(call.status)
    return call_result(status, call.answered_by) if status else None
