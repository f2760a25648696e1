"""One seeded call, played through the real inbound call flow (`callflows.inbound`) without Twilio.

The seed's calls say and log what the service would: each step's note and TwiML come from the same step
functions and the same renderer the webhooks use. A caller's choices are drawn at each prompt, as a person
would make them. Rendering a million calls' TwiML is the slow part, so a step's answer is memoised on what
it depends on; the number of a case the call opens is a placeholder in the memo, put in afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from callflows.decision import (
    AttachRecording,
    CallerInput,
    CallOutcome,
    CaseFacts,
    Decision,
    Dial,
    FlowState,
    Gather,
    JoinCase,
    MarkAnswered,
    OpenCase,
    Record,
)
from callflows.inbound import STEPS
from callflows.speech import digits
from callflows.twiml import render
from router.config import Line, SupportConfig
from router.facts import call_facts, responders
from schedules import Openness, first_response_due, next_opening, status

PLACEHOLDER = 987_654_321  # the number of the case the call opens, until it is known
WRITTEN, SPOKEN = str(PLACEHOLDER), digits(PLACEHOLDER)
PLACEHOLDER_RECORDING = "https://recordings.invalid/RE"
MEMO_LIMIT = 200_000  # memoised answers kept before the memo starts over (memory stays bounded)


@dataclass(frozen=True)
class Caller:
    """Who calls: their number, the account they would key in, the case they may call about."""

    number: str
    account: str | None = None   # keyed when asked (None: digits that are no account)
    pin: str | None = None
    previous_case: CaseFacts | None = None  # their last case, which they may call about (menu 2)
    open_case: CaseFacts | None = None      # their case opened minutes ago: a repeat call joins it


@dataclass
class PlayedCall:
    """What the call did, as the call log and its case keep it. Offsets are seconds after the call started."""

    decision: str
    events: list[tuple[float, str, str | None, str, str]] = field(default_factory=list)  # at, step, digits, note, twiml
    outcome: str = CallOutcome.HUNG_UP.value
    path: str | None = None
    customer: str | None = None
    opened: OpenCase | None = None
    opened_at: float | None = None
    due: dt.datetime | None = None     # the first response due to the case it opened
    joined: int | None = None          # the number of an existing case the call joined
    answered_at: float | None = None   # someone spoke with the caller: the case's first response
    recording_seconds: int | None = None
    duration: int = 0


class FlowPlayer:
    """Plays seeded calls through the call flow of one configuration."""

    def __init__(self, support: SupportConfig, public_url: str) -> None:
        self.support = support
        self.public_url = public_url.rstrip("/")
        self.memo: dict[tuple, tuple[Decision, str, OpenCase | None]] = {}
        self.callers: dict[str, str] = {}

    def play(self, line: Line, caller: Caller, at: dt.datetime, rng: random.Random, case_number: int) -> PlayedCall:
        """Play one call at `at`; a case it opens gets `case_number` (a repeat call joins `caller.open_case`)."""
        openness = status(line.support_hours, at)
        played = PlayedCall(decision=openness.describe())
        step, state, said, case = "incoming", FlowState(), CallerInput(), None
        offset = 0.0
        while True:
            decision, twiml, opened = self._decide(line, caller, at, step, state, said, case, offset, openness)
            if opened is not None:
                played.opened, played.opened_at = opened, offset
                if caller.open_case is not None:
                    case, played.joined = dataclasses.replace(caller.open_case, joined=True), caller.open_case.number
                else:
                    case = self._new_case(line, caller, at + dt.timedelta(seconds=offset), opened)
                    played.due = case.due
            number = played.joined or case_number  # the case the call belongs to, once it has one
            note, twiml = _numbered(decision.note, number), _numbered(twiml, number)
            played.events.append((offset, step, said.digits, note, twiml))
            if said.digits:
                played.path = f"{played.path} {said.digits}"[-80:] if played.path else said.digits
            if decision.outcome is not None:
                played.outcome = decision.outcome.value
            case = self._effects(played, decision, case, caller, offset)
            offset += len(twiml) / 40  # about the time the line takes to say it
            following = _next_state(decision)
            if following is None:
                break
            state = following
            played.customer = state.customer or played.customer
            step, said, spent = _respond(decision, caller, rng)
            offset += spent
            if step is None:
                break  # the caller hung up
        played.customer = played.customer or _caller_id_customer(self.support, caller)
        played.duration = max(int(offset), 1)
        return played

    def _new_case(self, line: Line, caller: Caller, at: dt.datetime, opened: OpenCase) -> CaseFacts:
        return CaseFacts(number=PLACEHOLDER, due=first_response_due(line.support_hours, at), severity=opened.severity,
                         tier=opened.tier, customer=None)

    def _effects(self, played: PlayedCall, decision: Decision, case: CaseFacts | None, caller: Caller,
                 offset: float) -> CaseFacts | None:
        for effect in decision.effects:
            if isinstance(effect, JoinCase) and caller.previous_case is not None:
                played.joined, case = effect.number, caller.previous_case
            elif isinstance(effect, MarkAnswered) and played.answered_at is None:
                played.answered_at = offset
            elif isinstance(effect, AttachRecording):
                played.recording_seconds = effect.seconds
        return case

    def _decide(self, line: Line, caller: Caller, at: dt.datetime, step: str, state: FlowState,
                said: CallerInput, case: CaseFacts | None, offset: float,
                openness: Openness) -> tuple[Decision, str, OpenCase | None]:
        """The step's decision and TwiML, memoised on everything the step reads.

        The call's case goes in as the placeholder number, which `play` replaces with the real one.
        """
        moment = at + dt.timedelta(seconds=offset)
        case = dataclasses.replace(case, number=PLACEHOLDER) if case is not None else None
        key = (line.number, self._caller_key(caller), step, state, said, _case_key(step, case),
               self._time_key(line, step, moment, openness),
               caller.previous_case if step == "existing_case" else None,
               _case_key(step, caller.open_case) if case is None else None,
               caller.account if step == "account" else None,
               # A message taken opens the case and says when it is due: that moment's promise.
               first_response_due(line.support_hours, moment) if step == "message_recorded" and case is None
               else None)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            found = self.memo[key] = self._run(line, caller, moment, step, state, said, case)
        return found

    def _caller_key(self, caller: Caller) -> str:
        """The caller as the steps read them: a customer's contact or a blocked number, else anyone."""
        found = self.callers.get(caller.number)
        if found is None:
            known = self.support.customer_by_phone(caller.number) or self.support.is_blocked(caller.number)
            found = self.callers[caller.number] = caller.number if known else "unknown"
        return found

    def _time_key(self, line: Line, step: str, at: dt.datetime, openness: Openness) -> object:
        """What a step reads of the moment: whether the line is open and when it reopens; whom live connect rings."""
        if step == "incoming":
            return openness, None if openness.is_open else next_opening(line.support_hours, at)
        if step in ("critical_confirm", "connect_result") and line.after_hours == "connect":
            return responders(self.support, line, at)
        return None

    def _run(self, line: Line, caller: Caller, at: dt.datetime, step: str, state: FlowState, said: CallerInput,
             case: CaseFacts | None) -> tuple[Decision, str, OpenCase | None]:
        form = {"From": caller.number, "To": line.number}
        facts = dataclasses.replace(call_facts(self.support, form, state, at), case=case,
                                    find_case=lambda number: _keyed_case(caller, number))
        outcome, opened = STEPS[step](facts, said), None
        if isinstance(outcome, OpenCase):
            opened = outcome
            made = caller.open_case
            if made is not None:
                made = dataclasses.replace(made, number=PLACEHOLDER, joined=True)
            else:
                made = self._new_case(line, caller, at, outcome)
            outcome = STEPS[step](dataclasses.replace(facts, case=made), said)
        assert isinstance(outcome, Decision), "a step asks for its case once"
        return outcome, render(outcome, self._url), opened

    def _url(self, step: str, state: FlowState) -> str:
        """The action URLs the webhooks would give (`router.webhooks.replies.step_url`)."""
        if step == "transcription":
            return f"{self.public_url}/voice/transcription"
        values: dict[str, object] = {"mode": state.mode, "attempt": state.attempt}
        values |= {name: getattr(state, name) for name in ("customer", "pending") if getattr(state, name)}
        if state.leg:
            values["leg"] = state.leg
        return f"{self.public_url}/voice/step/{step}?{urlencode(values)}"


def _keyed_case(caller: Caller, number: int) -> CaseFacts | None:
    previous = caller.previous_case
    return previous if previous is not None and previous.number == number else None


def _case_key(step: str, case: CaseFacts | None) -> tuple | None:
    """The case as the step reads it (its number is the placeholder's): its due time is said only when a
    message is taken."""
    if case is None:
        return None
    return (case.severity, case.tier, case.customer, case.joined,
            case.due if step == "message_recorded" else None)




def _numbered(text: str, number: int) -> str:
    """The placeholder case number replaced by the real one, written and spoken."""
    if WRITTEN not in text and SPOKEN not in text:
        return text
    return text.replace(WRITTEN, str(number)).replace(SPOKEN, digits(number))


def _next_state(decision: Decision) -> FlowState | None:
    action = decision.action
    if isinstance(action, Gather | Record) or (isinstance(action, Dial) and action.step):
        return action.state
    return None


def _caller_id_customer(support: SupportConfig, caller: Caller) -> str | None:
    customer = support.customer_by_phone(caller.number)
    return customer.id if customer else None


def _respond(decision: Decision, caller: Caller, rng: random.Random) -> tuple[str | None, CallerInput, float]:
    """What the caller does at the line's next verb: the step it reaches, what Twilio reports, seconds spent."""
    action = decision.action
    if isinstance(action, Record):
        seconds = max(3, min(119, int(rng.lognormvariate(3.2, 0.6))))
        return action.step, CallerInput(recording_url=PLACEHOLDER_RECORDING, recording_seconds=seconds), seconds + 1
    if isinstance(action, Dial):
        answered = rng.random() < (0.6 if action.step == "connect_result" else 0.8)
        spent = rng.lognormvariate(5.8, 0.7) if answered else action.timeout
        dial_status = "completed" if answered else rng.choice(("no-answer", "busy"))
        return action.step, CallerInput(dial_status=dial_status), spent
    assert isinstance(action, Gather)
    keyed = _press(action, caller, rng)
    if keyed is None:
        return None, CallerInput(), rng.uniform(1, action.timeout)
    return action.step, CallerInput(digits=keyed or None), rng.uniform(2, 6) + (0 if keyed else action.timeout)


def _press(gather: Gather, caller: Caller, rng: random.Random) -> str | None:
    """The keys pressed at a prompt; "" is silence, None hanging up."""
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.05:
        return ""
    match gather.step:
        case "menu":
            options = ["1"] * 14 + ["9"] + (["3"] * 2 if len(gather.prompt) > 2 else [])  # 3: the TAM, where offered
            return rng.choice(options + (["2"] * 2 if caller.previous_case else []))
        case "existing_case":
            return str(caller.previous_case.number) if caller.previous_case and roll < 0.9 else "4321"
        case "account":
            if caller.account is None:  # no customer of ours: keys a number, or gives up
                return None if roll < 0.25 else _mistyped(caller)
            return caller.account if roll < 0.9 else _mistyped(caller)
        case "pin":
            return caller.pin if caller.pin and roll < 0.9 else "0000"
        case "after_hours_menu":
            return "1" if roll < 0.35 else "2"
        case "critical_confirm":
            return "1" if roll < 0.85 else "2"
    return "1"


def _mistyped(caller: Caller) -> str:
    """The account number this caller gets wrong (the same one each time, as people do)."""
    return caller.number[-6:]
