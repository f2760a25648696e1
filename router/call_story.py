"""One call as a manager reviews it: its facts, each step with what the caller heard and pressed and
what the line decided, its case, its recording and the page it caused.

Plain functions over the session; the console's view renders what they return.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from router.cases import promise
from router.config import SupportConfig
from router.models import Call, Case, Notification, Page
from router.models.base import MAX_ID
from router.page_story import PageStory, tell_page
from router.recordings import recording_sid


@dataclass(frozen=True)
class Told:
    """What one TwiML answer made the caller hear, and what else the line did."""

    heard: tuple[str, ...]
    did: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One webhook request of the call, as the call log kept it."""

    at: dt.datetime
    step: str
    digits: str | None
    note: str
    heard: tuple[str, ...]
    did: tuple[str, ...]


@dataclass(frozen=True)
class CallStory:
    call: Call
    line_name: str | None
    zone: str | None  # the line's time zone: the call's times are shown in it
    caller: str  # the customer's name, the paged person's, or the number
    steps: tuple[Step, ...]
    case: Case | None
    promise: str | None  # the case's first-response promise now (schedules.promise)
    recording_sid: str | None  # set when Twilio holds a recording the console can fetch
    page: PageStory | None
    notification: Notification | None  # a page call: the notification it was


def read_twiml(twiml: str) -> Told:
    """The <Say> texts of a TwiML answer in the order spoken (inside <Gather> too), and its other verbs."""
    if not twiml.strip():
        return Told((), ())
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return Told((), ("(the stored TwiML cannot be read)",))
    heard = tuple(" ".join("".join(say.itertext()).split()) for say in root.iter("Say"))
    did = tuple(filter(None, (_verb(verb) for verb in root.iter() if verb is not root)))
    return Told(tuple(text for text in heard if text), did)


def _verb(verb: ET.Element) -> str | None:
    """A verb other than <Say> in words, e.g. "waits for 1 key (6 s)", "records up to 60 s"."""
    match verb.tag:
        case "Gather":
            keys = verb.get("numDigits")
            wanted = f"{keys} key{'s' if keys != '1' else ''}" if keys else "keys"
            return f"waits for {wanted} ({verb.get('timeout', '5')} s)"
        case "Record":
            return f"records up to {verb.get('maxLength', '3600')} s"
        case "Dial":
            numbers = [(n.text or "").strip() for n in verb if n.tag in ("Number", "Client", "Sip")]
            return "dials " + (", ".join(numbers) or (verb.text or "").strip())
        case "Redirect":
            return f"goes on to {_step_of(verb.text or '')}"
        case "Hangup":
            return "hangs up"
        case "Reject":
            return "rejects the call"
        case "Pause":
            return f"pauses {verb.get('length', '1')} s"
        case "Play":
            return "plays a sound"
        case "Sms" | "Message":
            return "sends an SMS"
    return None  # <Say> is heard; <Number> and its kin are told with their <Dial>


def _step_of(url: str) -> str:
    """The step a redirect goes to: the last part of its path (/voice/step/critical_recorded)."""
    return urlsplit(url.strip()).path.rstrip("/").rpartition("/")[2] or url.strip()


def call_story(session: Session, call_id: int, support: SupportConfig, at: dt.datetime,
               visible: ColumnElement[bool]) -> CallStory | None:
    """The call with this id, if `visible` (router.console.scope) lets the user see it."""
    if not 0 < call_id <= MAX_ID:
        return None
    call = session.scalars(select(Call).where(Call.id == call_id, visible).options(
        selectinload(Call.events), selectinload(Call.case).selectinload(Case.page))).first()
    if call is None:
        return None
    notification = None
    if call.direction == "page":
        notification = session.scalars(select(Notification).where(Notification.twilio_sid == call.sid)).first()
    page: Page | None = notification.page if notification else (call.case.page if call.case else None)
    case = call.case
    steps = tuple(Step(e.at, e.step, e.digits, e.note, *_told(e.twiml)) for e in call.events)
    line = support.line(call.line_number)
    return CallStory(
        call=call, line_name=line.name if line else None, zone=line.timezone.key if line else None,
        caller=_caller(call, support, notification), steps=steps, case=case,
        promise=promise(case, support, at) if case else None,
        recording_sid=recording_sid(case.recording_url) if case else None,
        page=tell_page(page, support) if page else None, notification=notification)


def _told(twiml: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    told = read_twiml(twiml)
    return told.heard, told.did


def _caller(call: Call, support: SupportConfig, notification: Notification | None) -> str:
    if notification is not None:
        return support.person_name(notification.person_id)
    customer = support.customer(call.customer_id)
    return customer.name if customer else (call.from_number or "unknown number")
