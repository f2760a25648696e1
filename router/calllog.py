"""The call log: each call once, each webhook request once, whatever Twilio retries."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from functools import lru_cache

from flask import Request
from sqlalchemy import Engine, Insert, bindparam, insert, select
from sqlalchemy.orm import Session

from callflows.decision import CallOutcome
from router.facts import whole_number
from router.models import Call, CallEvent
from router.paging.statuses import twilio_status

IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
KEY_ENVIRON = "router.request_key"  # computed before the form is cleaned for storage (router/webhooks)


def request_key(request: Request) -> str:
    """What identifies one webhook request across Twilio's retries of it (its form as Twilio sent it)."""
    kept = request.environ.get(KEY_ENVIRON)
    if kept:
        return str(kept)
    token = request.headers.get(IDEMPOTENCY_HEADER)
    if token:
        return "token:" + token[:90]
    digest = hashlib.sha256(request.url.encode())
    for name, value in sorted(request.form.items(multi=True)):
        digest.update(f"\0{name}={value}".encode())
    return "sha256:" + digest.hexdigest()


def answered_before(session: Session, key: str) -> CallEvent | None:
    """The event recorded for this request, if Twilio is retrying it."""
    return session.scalars(select(CallEvent).where(CallEvent.request_key == key)).first()


def find_call(session: Session, sid: str) -> Call | None:
    """The logged call with Twilio's CallSid `sid`."""
    return session.scalars(select(Call).where(Call.sid == sid)).first()


def log_call(session: Session, sid: str, at: dt.datetime, **fields: object) -> Call:
    """The call with this CallSid, logged on its first request."""
    call = find_call(session, sid)
    if call is None:
        call = Call(sid=sid, started_at=at, status=str(fields.pop("status", "in-progress")), **fields)
        session.add(call)
        session.flush()
    return call


def log_first_request(engine: Engine, sid: str, at: dt.datetime, event: dict[str, object],
                      **fields: object) -> None:
    """A new call and its first event, inserted without looking either up first.

    The hot path of every call: IntegrityError means the CallSid or the request was logged already (a
    retry, a call Twilio sent us before), and the caller takes the general path, which looks them up.
    On PostgreSQL both rows go in one statement (a data-modifying WITH), atomic without a transaction:
    one round trip instead of four.
    """
    call = {"sid": sid, "started_at": at, "status": "in-progress", **fields}
    values = {"at": at, **_event_fields(event)}
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(_both_at_once(tuple(call), tuple(values)), {**call, **{f"event_{k}": v
                                                                                   for k, v in values.items()}})
        return
    with engine.begin() as connection:
        call_id = connection.execute(insert(Call).values(call).returning(Call.id)).scalar_one()
        connection.execute(insert(CallEvent).values(call_id=call_id, **values))


@lru_cache(maxsize=8)
def _both_at_once(call: tuple[str, ...], event: tuple[str, ...]) -> Insert:
    """The call and its first event in one statement, built once (its parameters are bound per request)."""
    columns = CallEvent.__table__.c
    made = insert(Call).values({name: bindparam(name) for name in call}).returning(Call.id).cte("new_call")
    return insert(CallEvent).from_select(
        ["call_id", *event], select(made.c.id, *(bindparam(f"event_{name}", type_=columns[name].type)
                                                 for name in event)))


def _event_fields(event: dict[str, object]) -> dict[str, object]:
    digits, note = event.get("digits"), str(event["note"])
    return {"step": event["step"], "digits": (str(digits)[:40] or None) if digits else None, "note": note[:300],
            "request_key": event["request_key"], "twiml": event["twiml"]}


def log_event(session: Session, call: Call, at: dt.datetime, step: str, digits: str | None,
              note: str, key: str, twiml: str) -> CallEvent:
    """Record one step of `call`: what was pressed, what the line decided, what it answered."""
    event = CallEvent(call=call, at=at, **_event_fields({"step": step, "digits": digits, "note": note,
                                                         "request_key": key, "twiml": twiml}))
    session.add(event)
    return event


def call_ended(session: Session, sid: str, status: str, duration: str | None, at: dt.datetime) -> Call | None:
    """Twilio says the call is over (or changed status): keep its final status and length."""
    call = find_call(session, sid)
    if call is None:
        return None
    call.status = status[:24]
    known = twilio_status(status)
    if known is not None and known.final:
        call.ended_at = call.ended_at or at
        call.outcome = call.outcome or CallOutcome.HUNG_UP.value
        seconds = whole_number(duration, 10**7)
        if seconds is not None:
            call.duration_seconds = seconds
    return call


def status_reported(session: Session, form: Mapping[str, str], at: dt.datetime) -> Call | None:
    """The line's status callback, as Twilio posts it."""
    return call_ended(session, form.get("CallSid", ""), form.get("CallStatus", ""), form.get("CallDuration"), at)


def transcribed(session: Session, form: Mapping[str, str], _at: dt.datetime) -> Call | None:
    """Twilio's transcription of a recording: what the caller said, kept on the call's case."""
    call = find_call(session, form.get("CallSid", ""))
    text = (form.get("TranscriptionText") or "").strip()
    if call is not None and call.case is not None and text and form.get("TranscriptionStatus") == "completed":
        call.case.description = text[:2000]
    return call
