"""Small helpers every webhook view shares."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Response, copy_current_request_context, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from callflows.decision import Decision, FlowState
from callflows.twiml import StepUrl, render
from router import db
from router.calllog import answered_before, log_call, log_event, request_key
from router.deadline import within
from router.links import external_url
from router.runtime import runtime

log = logging.getLogger(__name__)
T = TypeVar("T")
Respond = Callable[[Session, dt.datetime], tuple[Decision, StepUrl, dict]]


def twiml(document: str) -> Response:
    """A TwiML response."""
    return Response(document, mimetype="text/xml")


def step_url(step: str, state: FlowState, case_number: int | None = None, endpoint: str = "webhooks.voice_step") -> str:
    """The action URL of an inbound-call step, carrying the flow's state (Twilio signs it back).

    The whisper is the engineer's leg of a live connect: its URL names the case instead.
    """
    if step == "whisper":
        return external_url("webhooks.whisper", case_number=case_number)
    if step == "transcription":
        return external_url("webhooks.voice_transcription")
    values: dict[str, object] = {"mode": state.mode, "attempt": state.attempt}
    for name in ("customer", "pending"):
        if getattr(state, name):
            values[name] = getattr(state, name)
    if state.leg:
        values["leg"] = state.leg
    return external_url(endpoint, name=step, **values)


def with_database(work: Callable[[], T]) -> T:
    """`work()`, which uses the database, within the webhook's deadline (router/deadline.py): in a thread of
    its own on PostgreSQL, here on SQLite (a file does not freeze)."""
    deadline = runtime().services.database_deadline
    return work() if deadline is None else within(deadline, copy_current_request_context(work))


def answer_once(step: str, respond: Respond, unavailable: Callable[[], Decision]) -> str:
    """Answer a call's webhook once per Twilio request: a retry gets the first answer back.

    `respond(session, now)` decides, inside the request's transaction, and returns the
    decision, how to name its action URLs, and the call's fields for the call log. When the
    database fails or does not answer in time, the call hears `unavailable()` instead.
    """
    run = runtime()
    now = run.now()
    key = request_key(request)

    def decide_and_log() -> str:
        session = db.session()
        with session.begin():
            earlier = answered_before(session, key)
            if earlier is not None:
                return earlier.twiml
            decision, url, call_fields = respond(session, now)
            sid = (request.form.get("CallSid") or "")[:64] or f"{step}-{key[-16:]}"
            call = log_call(session, sid, now, **call_fields)
            document = render(decision, url)
            log_event(session, call, now, step, request.form.get("Digits"), decision.note, key, document)
        return document

    try:
        return with_database(decide_and_log)
    except HTTPException:
        raise
    except IntegrityError:  # the same request, ten times at once: one of them answered first
        earlier = answered_before(db.session(), key)
        if earlier is not None:
            return earlier.twiml
    except Exception:
        log.exception("the %s step of call %s could not use the database", step, request.form.get("CallSid"))
    return render(unavailable(), lambda name, state: "")
