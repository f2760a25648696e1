"""The inbound call: Twilio asks, the call flow decides, the log keeps every step."""

from __future__ import annotations

import dataclasses
import logging

from flask import request
from sqlalchemy.exc import IntegrityError

from callflows.decision import CallFacts, Decision, OpenCase
from callflows.fallback import fallback
from callflows.inbound import STEPS, on_critical_path
from callflows.twiml import render
from router import db, spool
from router.calllog import (
    answered_before,
    call_ended,
    find_call,
    log_call,
    log_event,
    request_key,
)
from router.cases import apply_effects, case_facts, find_case, open_case
from router.facts import call_facts, caller_input, live_connect_window, phone_number
from router.paging.pages import open_or_join
from router.runtime import runtime
from router.webhooks import bp
from router.webhooks.replies import flow_state, step_url, twiml
from schedules import status

log = logging.getLogger(__name__)


@bp.post("/voice/incoming")
def voice_incoming():
    """The line's Voice URL: a call arrives."""
    return _run_step("incoming")


@bp.post("/voice/step/<name>")
def voice_step(name: str):
    """The action of a Gather, Record or Dial: the next step of the flow."""
    return _run_step(name)


@bp.post("/voice/status")
def voice_status():
    """The line's status callback: the call is over (also when the caller hung up half way)."""
    session = db.session()
    with session.begin():
        call_ended(session, request.form.get("CallSid", ""), request.form.get("CallStatus", ""),
                   request.form.get("CallDuration"), runtime().now())
    return "", 204


@bp.post("/voice/transcription")
def voice_transcription():
    """Twilio's transcription of a recording: what the caller said, kept on the call's case."""
    session = db.session()
    with session.begin():
        call = find_call(session, request.form.get("CallSid", ""))
        text = (request.form.get("TranscriptionText") or "").strip()
        completed = request.form.get("TranscriptionStatus") == "completed"
        if call is not None and call.case is not None and text and completed:
            call.case.description = text[:2000]
    return "", 204


def _run_step(name: str):
    support = runtime().support
    now = runtime().now()
    facts = call_facts(support, request.form, flow_state(request.args), now)
    try:
        document, page_id = _decide_and_log(name, facts)
    except IntegrityError:
        # Twilio's retry raced the first attempt; answer what the first one answered.
        event = answered_before(db.session(), request_key(request))
        if event is None:
            return _fallback(name, facts)
        return twiml(event.twiml)
    except Exception:
        log.exception("step %s of call %s failed", name, request.form.get("CallSid"))
        return _fallback(name, facts)
    if page_id is not None:
        runtime().dispatcher.submit(page_id)
    return twiml(document)


def _decide_and_log(name: str, facts: CallFacts) -> tuple[str, int | None]:
    """Run the step inside one transaction; returns the TwiML and a page to dispatch, if any."""
    support = runtime().support
    session = db.session()
    key = request_key(request)
    with session.begin():
        earlier = answered_before(session, key)
        if earlier is not None:
            return earlier.twiml, None
        call = log_call(session, request.form.get("CallSid") or f"unknown-{key[-16:]}", facts.at,
                        direction="inbound", line_number=facts.line.number if facts.line else None,
                        from_number=facts.caller, to_number=phone_number(request.form.get("To")),
                        decision=_openness(facts))
        call.customer_id = call.customer_id or (facts.customer.id if facts.customer else None)
        facts = dataclasses.replace(facts, case=case_facts(call.case),
                                    find_case=lambda number: case_facts(find_case(session, number)))
        step = STEPS.get(name)
        outcome = step(facts, caller_input(request.form)) if step else _unknown_step(name, facts)
        page_id = None
        if isinstance(outcome, OpenCase):
            case, joined = open_case(session, call, outcome, support, facts.at)
            if outcome.page:
                page_id = open_or_join(session, case, support, facts.at, hold_calls=live_connect_window(facts)).id
            facts = dataclasses.replace(facts, case=case_facts(case, joined))
            outcome = step(facts, caller_input(request.form))
        apply_effects(session, call, outcome.effects, facts.at)
        case_number = call.case.number if call.case else None
        document = render(outcome, lambda step, state: step_url(step, state, case_number))
        log_event(session, call, facts.at, name, request.form.get("Digits"), outcome.note, key, document)
    return document, page_id


def _openness(facts: CallFacts) -> str:
    if facts.line is None:
        return "unknown line"
    return status(facts.line.hours, facts.at).describe()


def _unknown_step(name: str, facts: CallFacts) -> Decision:
    return dataclasses.replace(fallback(facts, name, None), note=f"unknown step {name!r}")


def _fallback(name: str, facts: CallFacts):
    """The call goes on without the database: critical callers still reach the on-call engineer."""
    support = runtime().support
    if on_critical_path(name, facts.state):
        _spool_critical(name, facts)
    engineer = None
    if facts.line is not None:
        person = support.first_responder(support.line(facts.line.number), facts.at)
        engineer = person.phone if person else None
    return twiml(render(fallback(facts, name, engineer), step_url))


def _spool_critical(name: str, facts: CallFacts) -> None:
    """Keep the critical request on disk so the paging worker records its case when the database is back."""
    try:
        folder = runtime().services.spool_dir
        spool.save(folder, name, request.form.to_dict(flat=True), facts.at)
    except OSError:
        log.exception("could not spool critical step %s of call %s", name, request.form.get("CallSid"))
