"""The call without the database: Twilio's fallback URL, and every step after a webhook could not use it.

The steps run from the configuration alone (`callflows.fallback`): the greeting
and the menus in the language the line's hours call for, identification by
caller ID or account and PIN, a critical caller dialled to the engineer on
call, a message recorded. Each request is kept in the spool and recorded,
call, case and page, once the database answers again. A call that lost the
database once stays on these routes, so it never waits on it again.
"""

from __future__ import annotations

import logging

from flask import request

from callflows.decision import CallFacts, Decision, FlowState
from callflows.fallback import fallback, without_database
from callflows.twiml import render
from router import metrics, spool
from router.calllog import request_key
from router.callsteps import StepRequest, facts_for
from router.facts import caller_input
from router.runtime import runtime
from router.webhooks import bp
from router.webhooks.replies import step_url, twiml

log = logging.getLogger(__name__)


@bp.post("/voice/fallback")
def voice_fallback():
    """The number's fallback URL: Twilio calls it when the Voice URL failed or did not answer in time."""
    return twiml(answer_without_database(step_request("incoming")))


@bp.post("/voice/fallback/<name>")
def voice_fallback_step(name: str):
    """The next step of a call answered without the database."""
    return twiml(answer_without_database(step_request(name)))


def step_request(name: str) -> StepRequest:
    """This request as plain data, for the step, the spool and the log."""
    return StepRequest(name[:40], request.form.to_dict(flat=True), request.args.to_dict(flat=True),
                       runtime().now(), request_key(request))


def answer_without_database(step: StepRequest, facts: CallFacts | None = None) -> str:
    """Answer from the configuration alone, and keep the request to be recorded once the database is back."""
    run = runtime()
    facts = facts or facts_for(run.support, step)
    engineer = None
    if facts.line is not None:
        person = run.support.first_responder(run.support.line(facts.line.number), facts.at)
        engineer = person.phone if person else None
    decision = _decide(step, facts, engineer, kept=True)
    metrics.answered(step.step, facts.line.number if facts.line else None, "unknown without database",
                     decision.action, without_database=True)
    document = render(decision, _url)
    entry = {**step.to_json(), "answered": document, "note": decision.note}
    if not spool.keep(run.services.spool_dir, spool.VOICE, entry):
        document = render(_decide(step, facts, engineer, kept=False), _url)
    return document


def _decide(step: StepRequest, facts: CallFacts, engineer: str | None, kept: bool) -> Decision:
    said = caller_input(step.form)
    try:
        return without_database(step.step, facts, said, engineer, message_kept=kept)
    except Exception:  # the step itself failed, not the database: the plainest answer there is
        log.exception("step %s of call %s failed without the database too", step.step, step.sid)
        return fallback(facts, step.step, said, engineer, message_kept=kept)


def _url(step: str, state: FlowState) -> str:
    return step_url(step, state, endpoint="webhooks.voice_fallback_step")
