"""Test notifications: an SMS or a call to one of a person's contact methods, with Twilio's delivery status.

Like a page's notifications, a test is a row first (committed), then a request to Twilio with no
transaction open, then what Twilio answered; Twilio's status callbacks (router/webhooks/contact_tests.py)
move its status on, and `router test-page` also asks Twilio for it while it waits.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import phonenumbers
from requests import RequestException
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException
from twilio.twiml.voice_response import VoiceResponse

from router.config import SupportConfig
from router.models import ContactTest
from router.paging.services import Services
from router.paging.statuses import Channel, Delivery, call_result, twilio_status

log = logging.getLogger(__name__)
# Where Twilio reports on a test: the webhooks' routes and the URLs Twilio is given.
SMS_STATUS = "/sms/contact-test/{id}/status"
CALL = "/voice/contact-test/{id}"
CALL_STATUS = "/voice/contact-test/{id}/status"
SPACING = dt.timedelta(seconds=30)  # one test per method in this long: a double click sends one
LATEST = 10


class ContactTestError(ValueError):
    """A test the service will not send, and why."""


@dataclass(frozen=True)
class Sent:
    """What became of one test: its row's id, channel, number and latest status (with Twilio's error)."""

    id: int
    channel: str
    to: str
    status: str
    error: str | None


def sms_text(support: SupportConfig) -> str:
    return f"{support.service.company}: test notification from the support line. No action is needed."


def call_twiml(support: SupportConfig) -> str:
    """What the test call says when answered."""
    response = VoiceResponse()
    voice = support.service.english_voice
    response.say(f"This is a test call from the {support.service.company} support line. "
                 "Your phone can be reached for pages. No action is needed. Goodbye.", voice=voice, language="en-US")
    response.hangup()
    return str(response)


def add(session: Session, support: SupportConfig, person_id: str, channel: str, by: str,
            now: dt.datetime) -> ContactTest:
    """Add a test of `person_id`'s `channel` (ContactTestError says why not); the caller commits, then sends."""
    person = next((p for p in support.people if p.id == person_id), None)
    if person is None:
        raise ContactTestError(f"{person_id!r} is not one of the configured people")
    if channel not in {c.channel for c in person.contact}:
        raise ContactTestError(f"{person.name} has no {channel} contact method")
    recent = session.scalar(select(ContactTest.id).where(
        ContactTest.person_id == person_id, ContactTest.channel == channel,
        ContactTest.created_at > now - SPACING).limit(1))
    if recent is not None:
        raise ContactTestError(f"a test {_word(channel)} went to {person.name} less than "
                               f"{int(SPACING.total_seconds())} seconds ago")
    test = ContactTest(person_id=person_id, channel=channel, to_number=person.phone, requested_by=by,
                       created_at=now, updated_at=now, status=Delivery.PENDING)
    session.add(test)
    session.flush()
    return test


def _word(channel: str) -> str:
    return "SMS" if channel == Channel.SMS else "call"


def sender(support: SupportConfig, number: str) -> str:
    """The line a test comes from: one in the person's country (a local number), else the first."""
    country = phonenumbers.parse(number).country_code
    local = (line.number for line in support.lines if phonenumbers.parse(line.number).country_code == country)
    return next(local, support.lines[0].number)


def send(services: Services, test_id: int) -> Sent:
    """Ask Twilio to send the committed test (no transaction is open meanwhile); keep what it answered."""
    with services.readers() as session:
        test = session.get(ContactTest, test_id)
        channel, to = test.channel, test.to_number
    url = services.public_url.rstrip("/")
    client = services.twilio
    try:
        if channel == Channel.SMS:
            resource = client.messages.create(to=to, from_=sender(services.support, to),
                                              body=sms_text(services.support),
                                              status_callback=url + SMS_STATUS.format(id=test_id))
        else:
            resource = client.calls.create(to=to, from_=sender(services.support, to), url=url + CALL.format(id=test_id),
                                           status_callback=url + CALL_STATUS.format(id=test_id),
                                           status_callback_event=["initiated", "ringing", "answered", "completed"])
    except (TwilioException, RequestException) as exc:
        log.error("contact test %s failed: %s", test_id, exc)
        return _keep(services, test_id, None, Delivery.FAILED, str(exc)[:300])
    return _keep(services, test_id, resource.sid, twilio_status(resource.status) or Delivery.QUEUED, None)


def _keep(services: Services, test_id: int, sid: str | None, status: Delivery, error: str | None) -> Sent:
    with services.sessions() as session, session.begin():
        test = session.get(ContactTest, test_id, with_for_update=True)
        if sid is not None:
            test.twilio_sid = sid
        moved(test, status, error, services.clock())
        return _sent(test)


def _sent(test: ContactTest) -> Sent:
    return Sent(test.id, test.channel, test.to_number, test.status, test.error)


def moved(test: ContactTest, status: Delivery, error: str | None, now: dt.datetime) -> bool:
    """Move the test's status on (a late report never moves it back); whether it changed."""
    if status.rank <= Delivery(test.status).rank:
        return False
    test.status, test.updated_at = status, now
    if error:
        test.error = error[:300]
    return True


def reported(test: ContactTest, status_text: str | None, answered_by: str | None,
             error_code: str | None) -> tuple[Delivery, str | None] | None:
    """A status Twilio reported for the test, as ours (a call voicemail took is `machine`), or None."""
    status = twilio_status(status_text)
    if status is None:
        return None
    if test.channel == Channel.VOICE:
        status = call_result(status, answered_by)
    return status, f"Twilio error {error_code}" if error_code else None


def latest(session: Session, limit: int = LATEST) -> list[ContactTest]:
    """The latest tests, newest first."""
    return list(session.scalars(select(ContactTest).order_by(ContactTest.id.desc()).limit(limit)))


def wait(services: Services, test_ids: list[int], timeout: float, interval: float = 0.5) -> list[Sent]:
    """Wait until every test has a final status (from Twilio's callbacks or asked of Twilio), or `timeout`
    seconds; the tests as they stand then."""
    give_up = time.monotonic() + timeout
    while True:
        found = [_look_up(services, test_id) for test_id in test_ids]
        if all(Delivery(s.status).final for s in found) or time.monotonic() >= give_up:
            return found
        time.sleep(interval)


def _look_up(services: Services, test_id: int) -> Sent:
    """The test's status, after asking Twilio for the resource when it is not final yet."""
    with services.readers() as session:
        test = session.get(ContactTest, test_id)
        if Delivery(test.status).final or test.twilio_sid is None:
            return _sent(test)
        sid, channel = test.twilio_sid, test.channel
    try:
        if channel == Channel.SMS:
            message = services.twilio.messages(sid).fetch()
            status, answered_by, error_code = message.status, None, message.error_code
        else:
            call = services.twilio.calls(sid).fetch()
            status, answered_by, error_code = call.status, call.answered_by, None
    except (TwilioException, RequestException) as exc:
        log.warning("contact test %s: Twilio could not be asked for its status: %s", test_id, exc)
        status, answered_by, error_code = None, None, None
    with services.sessions() as session, session.begin():
        test = session.get(ContactTest, test_id, with_for_update=True)
        news = reported(test, status, answered_by, error_code)
        if news is not None:
            moved(test, *news, services.clock())
        return _sent(test)
