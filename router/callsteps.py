"""One step of an inbound call, run against the database: live by the webhook, late by the spool.

A step's request is plain data (`StepRequest`), so the spool can keep one that
the database could not take and run it again once the database is back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from callflows.decision import CallFacts, CallOutcome, Decision, FlowState, OpenCase
from callflows.fallback import fallback
from callflows.inbound import STEPS
from router import logs
from router.calllog import log_call
from router.cases import apply_effects, case_facts, find_case, open_case
from router.config import SupportConfig
from router.facts import call_facts, caller_input, live_connect_window, phone_number, responders, whole_number
from router.models import Call
from router.overrides import effective_overrides
from router.paging.pages import open_or_join
from schedules import status

MODES = ("open", "closed")


@dataclass(frozen=True)
class StepRequest:
    """What Twilio asked at one step of a call: the step's name, its form and action URL's query."""

    step: str
    form: Mapping[str, str]
    args: Mapping[str, str]
    at: dt.datetime
    key: str  # identifies the request across Twilio's retries (`calllog.request_key`)

    @property
    def sid(self) -> str:
        return (self.form.get("CallSid") or "")[:64] or f"unknown-{self.key[-16:]}"

    def to_json(self) -> dict:
        return {"step": self.step, "form": dict(self.form), "args": dict(self.args), "at": self.at.isoformat(),
                "key": self.key}

    @classmethod
    def from_json(cls, entry: Mapping) -> StepRequest:
        at = dt.datetime.fromisoformat(entry["at"])
        if at.tzinfo is None:
            raise ValueError(f"time {entry['at']!r} carries no offset")
        form = {str(k): str(v) for k, v in dict(entry["form"]).items()}
        args = {str(k): str(v) for k, v in dict(entry.get("args") or {}).items()}
        key = entry.get("key") or f"spool:{form.get('CallSid')}:{entry['step']}:{entry['at']}"
        return cls(str(entry["step"]), form, args, at, str(key))


@dataclass(frozen=True)
class StepResult:
    call: Call
    decision: Decision
    page_id: int | None


def facts_for(support: SupportConfig, request: StepRequest) -> CallFacts:
    """The facts of the call that need no database: the line, the caller, the state its URL carried."""
    line = support.line(phone_number(request.form.get("To")))
    mode = request.args.get("mode")
    if mode not in MODES:  # a URL that lost its state: what the line's hours say now
        mode = "open" if line is None or status(line.support_hours, request.at).is_open else "closed"
    return call_facts(support, request.form, flow_state(support, request.args, mode), request.at)


def flow_state(support: SupportConfig, args: Mapping[str, str], mode: str) -> FlowState:
    """The state an action URL carried; anything odd falls back to defaults."""
    customer, pending = (args.get(key) if support.customer(args.get(key)) else None for key in ("customer", "pending"))
    return FlowState(mode="open" if mode == "open" else "closed", customer=customer, pending=pending,
                     attempt=_count(args.get("attempt"), 9), leg=_count(args.get("leg"), 20))


def _count(value: str | None, highest: int) -> int:
    found = whole_number(value, 10**6)
    return min(found, highest) if found is not None else 0


def run_step(session: Session, support: SupportConfig, request: StepRequest, facts: CallFacts,
             page_at: dt.datetime) -> StepResult:
    """Log the call, let the step decide (opening its case and page first when it asks), apply its effects.

    The page opens at `page_at`: the request's moment live, the moment of recording for a late one,
    so that its first step is still ahead of it.
    """
    call = log_call(session, request.sid, request.at, direction="inbound",
                    line_number=facts.line.number if facts.line else None, from_number=facts.caller,
                    to_number=phone_number(request.form.get("To")), decision=openness(facts),
                    customer_id=facts.customer.id if facts.customer else None)
    if call.customer_id is None and facts.customer is not None:
        call.customer_id = facts.customer.id
    if call.line_number is None and facts.line is not None:  # first logged for a number that is no line
        call.line_number = facts.line.number
    facts = dataclasses.replace(facts, case=case_facts(call.case),
                                find_case=lambda number: case_facts(find_case(session, number)))
    line = support.line(facts.line.number) if facts.line else None
    if line is not None and line.after_hours == "connect":  # whom live connect rings: the overrides in force
        facts = dataclasses.replace(facts, responders=responders(
            support, line, effective_overrides(session, support, since=request.at), request.at))
    step = STEPS.get(request.step)
    said = caller_input(request.form)
    outcome = step(facts, said) if step else _unknown_step(request.step, facts)
    page_id = None
    if isinstance(outcome, OpenCase):
        assert step is not None, "only a known step opens a case"
        case, joined = open_case(session, call, outcome, support, request.at)
        if outcome.page:
            hold = live_connect_window(facts) if page_at == request.at else dt.timedelta(0)
            page_id = open_or_join(session, case, support, page_at, hold_calls=hold).id
        facts = dataclasses.replace(facts, case=case_facts(case, joined))
        outcome = step(facts, said)
    assert isinstance(outcome, Decision), "a step asks for its case once"
    keep_outcome(call, outcome.outcome, said.digits)
    if outcome.announced:
        call.announced = outcome.announced
    if call.case is not None:
        logs.bind(case=call.case.number)
    apply_effects(session, call, outcome.effects, request.at)
    return StepResult(call, outcome, page_id)


def keep_outcome(call: Call, outcome: CallOutcome | None, digits: str | None) -> None:
    """The call log's summary of the call: its latest outcome, and the keys pressed so far."""
    if outcome is not None:
        call.outcome = outcome.value
    if digits:
        call.path = f"{call.path} {digits}"[-80:] if call.path else digits[:80]


def openness(facts: CallFacts) -> str:
    """What the line's hours say at the call's moment, as the call log keeps it."""
    if facts.line is None:
        return "unknown line"
    return status(facts.line.hours, facts.at).describe()


def _unknown_step(name: str, facts: CallFacts) -> Decision:
    decision = fallback(facts, name, caller_input({}), None)
    return dataclasses.replace(decision, note=f"unknown step {name[:40]!r}")
