"""The inbound call, as PRODUCT.md tells it: one pure function per step.

Each step takes the facts of the call and what the caller just did, and
returns a `Decision` (or asks for a case first). Steps name the next step;
`router/` turns names into URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from callflows.decision import (
    AttachRecording,
    CallerInput,
    CallFacts,
    Decision,
    Dial,
    FlowState,
    Gather,
    Hangup,
    MarkAnswered,
    OpenCase,
    Outcome,
    Record,
    Speech,
)
from callflows.prompts import DEFAULT_VOICE, ENGLISH, prompt
from callflows.speech import digits, moment, weekly_hours
from schedules import Openness, next_opening, status

MAX_ATTEMPTS = 3  # the question and two re-prompts, then the message path
MESSAGE_SECONDS = 120
DESCRIPTION_SECONDS = 60


def language(call: CallFacts) -> str:
    """The call's language: the line's while open, English after hours (the policy)."""
    if call.line is None or call.state.mode == "closed":
        return ENGLISH
    return call.line.language


def say(call: CallFacts, key: str, **values: object) -> Speech:
    """A prompt in the call's language, in the voice the line uses for it."""
    if call.line is None:
        voice = DEFAULT_VOICE
    else:
        voice = call.line.voice if call.state.mode == "open" else call.line.english_voice
    return Speech(prompt(language(call), key, **values), language(call), voice)


def incoming(call: CallFacts, said: CallerInput) -> Outcome:
    """The line answers: decide open or closed at this moment, in the line's time zone."""
    line = call.line
    if line is None:
        return Decision("unknown line", (say(call, "unknown_line"),))
    openness = status(line.hours, call.at)
    customer = call.customer.id if call.customer else None
    if not openness.is_open:
        call = _with_state(call, FlowState("closed", customer))
        speech = _closed_intro(call, openness)
        return Decision(openness.describe(), speech, _after_hours_menu(call, call.state))
    call = _with_state(call, FlowState("open", customer))
    greeting = say(call, "greeting", company=line.company)
    if call.customer:
        return Decision(f"open; caller ID is {call.customer.name}", (greeting,), _menu(call, call.state))
    return Decision("open; caller not recognised", (greeting,), _ask_account(call, "account", call.state))


def account(call: CallFacts, said: CallerInput) -> Outcome:
    """Business hours: the caller keyed an account number."""
    customer = call.find_account(said.digits) if said.digits else None
    if customer is None:
        return _retry(call, said, lambda state: _ask_account(call, "account", state), "account_unknown")
    state = call.state.fresh(customer=customer.id)
    return Decision(f"account {said.digits} is {customer.name}", (), _menu(call, state))


def menu(call: CallFacts, said: CallerInput) -> Outcome:
    """Business hours menu: 1 new problem (tier 1), 2 leave a message."""
    if said.digits == "2":
        return _take_message(call, "menu: 2, leave a message")
    if said.digits != "1":
        return _retry(call, said, lambda state: _menu(call, state))
    if call.case is None:
        return OpenCase("normal")
    line = call.line
    speech = (say(call, "connecting", case=digits(call.case.number)),)
    if not line.ring_group:
        return _take_message(call, "menu: 1, new problem; no tier 1 ring group → voicemail", speech)
    dial = Dial(line.ring_group, "ring_result", call.state.fresh(), line.ring_seconds)
    return Decision(f"menu: 1, new problem → tier 1 ring group, case {call.case.number}", speech, dial)


def ring_result(call: CallFacts, said: CallerInput) -> Outcome:
    """The tier 1 ring group answered, or nobody did and the caller gets voicemail."""
    if said.dial_status == "completed":
        return Decision("answered by tier 1", (), Hangup(), (MarkAnswered(),))
    status_text = said.dial_status or "no status"
    return _take_message(call, f"tier 1 {status_text} → voicemail", (say(call, "nobody_answered"),))


def after_hours_menu(call: CallFacts, said: CallerInput) -> Outcome:
    """After hours: 1 critical production issue, 2 leave a message."""
    if said.digits == "2":
        return _take_message(call, "after hours: 2, leave a message")
    if said.digits != "1":
        return _retry(call, said, lambda state: _after_hours_menu(call, state))
    if call.customer is None:
        ask = _ask_account(call, "critical_account", call.state.fresh())
        return Decision("after hours: 1, critical → identify", (), ask)
    return _critical_for(call, call.customer, "after hours: 1, critical")


def critical_account(call: CallFacts, said: CallerInput) -> Outcome:
    """After hours, critical: the caller keyed an account number."""
    customer = call.find_account(said.digits) if said.digits else None
    if customer is None:
        ask = lambda state: _ask_account(call, "critical_account", state)  # noqa: E731
        return _retry(call, said, ask, "account_unknown", unidentified=True)
    return _critical_for(call, customer, f"account {said.digits} is {customer.name}")


def critical_confirm(call: CallFacts, said: CallerInput) -> Outcome:
    """The caller confirms the case is critical (1) or leaves a message (2)."""
    if said.digits == "2":
        return _take_message(call, "critical not confirmed: 2, leave a message")
    if said.digits != "1":
        return _retry(call, said, lambda state: _confirm(call, state))
    record = Record("critical_recorded", call.state.fresh(), DESCRIPTION_SECONDS)
    return Decision("critical confirmed → record a description", (say(call, "critical_describe"),), record)


def critical_recorded(call: CallFacts, said: CallerInput) -> Outcome:
    """The description is recorded: open the critical case and page the on-call engineer."""
    if call.case is None:
        return OpenCase("critical", page=True)
    speech = (say(call, "critical_paged", case=digits(call.case.number)),)
    note = f"critical case {call.case.number} opened; on-call engineer paged"
    return Decision(note, speech, Hangup(), _recording(said))


def message_recorded(call: CallFacts, said: CallerInput) -> Outcome:
    """The message is recorded (or the caller stayed silent): the case, due in one business day."""
    if call.case is None:
        return OpenCase("normal", needs_review=call.state.customer is None)
    line = call.line
    due = moment(call.case.due.astimezone(line.hours.timezone), language(call))
    speech = (say(call, "message_taken", case=digits(call.case.number), due=due, place=line.place),)
    heard = f"message of {said.recording_seconds} s" if said.recording_url else "no message recorded"
    return Decision(f"{heard}; case {call.case.number} due {call.case.due.isoformat()}", speech, Hangup(),
                    _recording(said))


STEPS: dict[str, Callable[[CallFacts, CallerInput], Outcome]] = {
    step.__name__: step
    for step in (incoming, account, menu, ring_result, after_hours_menu, critical_account,
                 critical_confirm, critical_recorded, message_recorded)
}
CRITICAL_STEPS = frozenset({"critical_account", "critical_confirm", "critical_recorded"})


def _with_state(call: CallFacts, state: FlowState) -> CallFacts:
    return replace(call, state=state)


def _closed_intro(call: CallFacts, openness: Openness) -> tuple[Speech, ...]:
    line = call.line
    reopens = moment(next_opening(line.hours, call.at), ENGLISH)
    speech = [say(call, "greeting", company=line.company), say(call, "closed")]
    if openness.holiday:
        speech.append(say(call, "holiday", holiday=openness.holiday))
    speech.append(say(call, "hours", hours=weekly_hours(line.hours, ENGLISH), place=line.place))
    speech.append(say(call, "reopens", reopens=reopens, place=line.place))
    return tuple(speech)


def _menu(call: CallFacts, state: FlowState) -> Gather:
    return Gather("menu", state, (say(call, "menu"),))


def _after_hours_menu(call: CallFacts, state: FlowState) -> Gather:
    return Gather("after_hours_menu", state, (say(call, "after_hours_menu"),))


def _ask_account(call: CallFacts, step: str, state: FlowState) -> Gather:
    return Gather(step, state, (say(call, "account"),), num_digits=None, timeout=10)


def _confirm(call: CallFacts, state: FlowState) -> Gather:
    name = call.customer.name if call.customer else "Caller"
    return Gather("critical_confirm", state, (say(call, "critical_confirm", customer=name),))


def _critical_for(call: CallFacts, customer, note: str) -> Decision:
    if not customer.may_page:
        speech = (say(call, "not_entitled"),)
        return _take_message(call, f"{note}; package has no after-hours phone support → message", speech)
    state = call.state.fresh(customer=customer.id)
    call = _with_state(call, state)
    confirm = Gather("critical_confirm", state, (say(call, "critical_confirm", customer=customer.name),))
    return Decision(f"{note} → confirm", (), confirm)


def _retry(call: CallFacts, said: CallerInput, ask: Callable[[FlowState], Gather],
           sorry: str | None = None, unidentified: bool = False) -> Decision:
    """Ask again after silence or a wrong key; after the third try take a message instead."""
    what = "no input" if not said.digits else f"{said.digits!r} not offered"
    sorry_key = sorry if sorry and said.digits else ("no_input" if not said.digits else "invalid")
    speech = (say(call, sorry_key),)
    if call.state.attempt + 1 >= MAX_ATTEMPTS:
        if unidentified or sorry == "account_unknown":
            speech += (say(call, "unidentified"),)
        return _take_message(call, f"{what}, try {MAX_ATTEMPTS} of {MAX_ATTEMPTS} → message", speech)
    return Decision(f"{what}, try {call.state.attempt + 1} of {MAX_ATTEMPTS} → ask again", speech,
                    ask(call.state.retry()))


def _take_message(call: CallFacts, note: str, before: tuple[Speech, ...] = ()) -> Decision:
    record = Record("message_recorded", call.state.fresh(), MESSAGE_SECONDS)
    return Decision(note, before + (say(call, "message"),), record)


def _recording(said: CallerInput) -> tuple[AttachRecording, ...]:
    if not said.recording_url:
        return ()
    return (AttachRecording(said.recording_url, said.recording_seconds),)
