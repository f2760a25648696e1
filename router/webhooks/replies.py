"""Small helpers every webhook view shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, request
from sqlalchemy.orm import Session

from callflows.decision import Decision, FlowState
from callflows.twiml import StepUrl, render
from router import db
from router.calllog import answered_before, log_call, log_event, request_key
from router.links import external_url
from router.runtime import runtime

Respond = Callable[[Session, dt.datetime], tuple[Decision, StepUrl, dict]]


def twiml(document: str) -> Response:
    """A TwiML response."""
    return Response(document, mimetype="text/xml")


def step_url(step: str, state: FlowState, case_number: int | None = None) -> str:
    """The action URL of an inbound-call step, carrying the flow's state (Twilio signs it back).

    The whisper is the engineer's leg of a live connect: its URL names the case instead.
    """
    if step == "whisper":
        return external_url("webhooks.whisper", case_number=case_number)
    if step == "transcription":
        return external_url("webhooks.voice_transcription")
    values = {"mode": state.mode, "attempt": state.attempt}
    for name in ("customer", "pending"):
        if getattr(state, name):
            values[name] = getattr(state, name)
    if state.leg:
        values["leg"] = state.leg
    return external_url("webhooks.voice_step", name=step, **values)


def flow_state(args: dict) -> FlowState:
    """The state an action URL carried; anything odd falls back to defaults."""
    mode = args.get("mode") if args.get("mode") in ("open", "closed") else "open"
    attempt = args.get("attempt", "0")
    support = runtime().support
    customer, pending = (args.get(key) if support.customer(args.get(key)) else None for key in ("customer", "pending"))
    leg = args.get("leg", "0")
    return FlowState(mode=mode, customer=customer, pending=pending,
                     attempt=min(int(attempt), 9) if attempt.isdigit() else 0,
                     leg=min(int(leg), 20) if leg.isdigit() else 0)


def answer_once(step: str, respond: Respond) -> str:
    """Answer a call's webhook once per Twilio request: a retry gets the first answer back.

    `respond(session, now)` decides, inside the request's transaction, and returns the
    decision, how to name its action URLs, and the call's fields for the call log.
    """
    now = runtime().now()
    session = db.session()
    key = request_key(request)
    with session.begin():
        earlier = answered_before(session, key)
        if earlier is not None:
            return earlier.twiml
        decision, url, call_fields = respond(session, now)
        call = log_call(session, request.form.get("CallSid") or f"{step}-{key[-16:]}", now, **call_fields)
        document = render(decision, url)
        log_event(session, call, now, step, request.form.get("Digits"), decision.note, key, document)
    return document
