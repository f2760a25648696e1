"""The inbound call: Twilio asks, the call flow decides, the log keeps every step."""

from __future__ import annotations

import logging

from flask import request
from sqlalchemy.exc import IntegrityError

from callflows.decision import CallFacts, Decision
from callflows.inbound import STEPS
from callflows.twiml import render
from router import db, metrics, spool
from router.calllog import answered_before, log_event, log_first_request
from router.callsteps import StepRequest, facts_for, openness, run_step
from router.facts import caller_input, phone_number
from router.runtime import runtime
from router.status.announcements import with_announcement
from router.webhooks import bp
from router.webhooks.fallback import answer_without_database, step_request
from router.webhooks.replies import step_url, twiml, with_database

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
    return _callback(spool.STATUS)


@bp.post("/voice/transcription")
def voice_transcription():
    """Twilio's transcription of a recording: what the caller said, kept on the call's case."""
    return _callback(spool.TRANSCRIPTION)


def _callback(kind: str):
    """A callback that only reports: recorded now, or kept in the spool while the database cannot take it."""
    run = runtime()
    form, now = request.form.to_dict(flat=True), run.now()

    def record() -> None:
        session = db.session()
        with session.begin():
            spool.CALLBACKS[kind](session, form, now)

    try:
        with_database(record)
    except Exception:
        log.exception("the %s callback of call %s could not use the database", kind, form.get("CallSid"))
        spool.keep(run.services.spool_dir, kind, {"form": form, "at": now.isoformat()})
    return "", 204


def _run_step(name: str):
    run = runtime()
    step = step_request(name)
    facts = facts_for(run.support, step)
    try:
        document, page_id = with_database(lambda: _decide_and_log(step, facts))
    except IntegrityError:
        # Twilio's retry raced the first attempt; answer what the first one answered.
        event = answered_before(db.session(), step.key)
        if event is None:
            return twiml(answer_without_database(step, facts))
        return twiml(event.twiml)
    except Exception:
        log.exception("step %s of call %s failed; answered without the database", name[:40], step.sid)
        return twiml(answer_without_database(step, facts))
    if page_id is not None:
        run.dispatcher.submit(page_id)
    return twiml(document)


def _first_request(step: StepRequest, facts: CallFacts) -> str | None:
    """A call's first request, inserted without look-ups (`log_first_request`); None when the first step
    asks for more than a log line (a case, effects)."""
    decision = STEPS["incoming"](facts, caller_input(step.form))
    if not isinstance(decision, Decision) or decision.effects:
        return None
    document = render(decision, step_url)
    event = {"step": step.step, "digits": step.form.get("Digits"), "note": decision.note, "request_key": step.key,
             "twiml": document}
    line, hours_say = facts.line.number if facts.line else None, openness(facts)
    log_first_request(db.session().get_bind(), step.sid, step.at, event, direction="inbound", line_number=line,
                      from_number=facts.caller, to_number=phone_number(step.form.get("To")), decision=hours_say,
                      customer_id=facts.customer.id if facts.customer else None,
                      outcome=decision.outcome.value if decision.outcome else None, announced=decision.announced)
    metrics.answered(step.step, line, hours_say, decision.action)
    return document


def _decide_and_log(step: StepRequest, facts: CallFacts) -> tuple[str, int | None]:
    """Run the step inside one transaction; returns the TwiML and a page to dispatch, if any."""
    if step.step == "incoming":
        facts = with_announcement(facts, db.session().get_bind(), runtime().support)
        try:
            first = _first_request(step, facts)
        except IntegrityError:
            first = None  # a retry, or a CallSid seen before: looked up below
        if first is not None:
            return first, None
    session = db.session()
    with session.begin():
        earlier = answered_before(session, step.key)
        if earlier is not None:
            return earlier.twiml, None
        result = run_step(session, runtime().support, step, facts, page_at=step.at)
        case_number = result.call.case.number if result.call.case else None
        document = render(result.decision, lambda name, state: step_url(name, state, case_number))
        log_event(session, result.call, step.at, step.step, step.form.get("Digits"), result.decision.note,
                  step.key, document)
    metrics.answered(step.step, facts.line.number if facts.line else None, result.call.decision or "",
                     result.decision.action)
    return document, result.page_id
