"""The inbound call, as PRODUCT.md tells it: one pure function per step.

Each step takes the facts of the call and what the caller just did, and
returns a `Decision` (or asks for a case first). Steps name the next step;
`router/` turns names into URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from callflows.announcement import announced, announcement_speech
from callflows.common import language, recording, retry, say, take_message
from callflows.decision import (
    CallerInput,
    CallFacts,
    CallOutcome,
    CaseFacts,
    Decision,
    Dial,
    FlowState,
    Gather,
    Hangup,
    JoinCase,
    LineFacts,
    MarkAnswered,
    OpenCase,
    Outcome,
    Record,
    Speech,
)
from callflows.identify import account, ask_account, identified, menu_gather, pin
from callflows.prompts import ENGLISH
from callflows.speech import digits, moment, weekly_hours
from schedules import Openness, next_opening, status

DESCRIPTION_SECONDS = 60


def incoming(call: CallFacts, said: CallerInput) -> Outcome:
    """The line answers: decide open or closed at this moment, in the line's time zone."""
    line = call.line
    if line is None:
        return Decision("unknown line", (say(call, "unknown_line"),), outcome=CallOutcome.UNKNOWN_LINE)
    openness = status(line.hours, call.at)
    call = replace(call, state=FlowState("open" if openness.is_open else "closed",
                                         call.customer.id if call.customer else None))
    if call.blocked:
        return Decision(f"{openness.describe()}; blocked number", (say(call, "blocked"),),
                        outcome=CallOutcome.BLOCKED)
    # What the status page tells of trouble on the line comes right after the greeting, then the call goes on.
    greeting = (say(call, "greeting", company=line.company),) + announcement_speech(call)
    known = call.customer
    if known and (openness.is_open or not known.has_phone):
        decision = identified(call, known, f"{openness.describe()}; caller ID is {known.name}")
        return announced(call, replace(decision, speech=greeting + decision.speech))
    if not openness.is_open:
        greeting += _closed_intro(call, openness)
        return announced(call, Decision(openness.describe(), greeting, _after_hours_menu(call, call.state)))
    return announced(call, Decision("open; caller not recognised", greeting, ask_account(call, call.state)))


def menu(call: CallFacts, said: CallerInput) -> Outcome:
    """Business hours: 1 new problem (tier 1), 2 an existing case, 3 your TAM (where offered)."""
    tam = call.customer.tam if call.customer else None
    if said.digits == "2":
        return Decision("menu: 2, existing case", (), _ask_case(call, call.state.fresh()))
    if said.digits == "3" and tam:
        if call.case is None:
            return OpenCase("normal", tier=2)
        speech = (_case_is(call, call.case), say(call, "connecting_tam"))
        dial = Dial((tam,), "tam_result", call.state.fresh(), _line(call).ring_seconds)
        return Decision(f"menu: 3, TAM → case {call.case.number} at tier 2", speech, dial)
    if said.digits != "1":
        return retry(call, said, lambda state: menu_gather(call, state))
    if call.case is None:
        return OpenCase("normal")
    speech = (_case_is(call, call.case), say(call, "connecting"))
    return _ring(call, 1, f"menu: 1, new problem → tier 1, case {call.case.number}", speech)


def existing_case(call: CallFacts, said: CallerInput) -> Outcome:
    """The caller keyed a case number: the call joins that case and goes to the tier that owns it."""
    keyed = said.digits or ""
    number = int(keyed) if keyed.isascii() and keyed.isdigit() else None
    case = call.find_case(number) if number is not None else None
    if case is None or case.customer != (call.customer.id if call.customer else None):
        return retry(call, said, lambda state: _ask_case(call, state), "case_unknown")
    speech = (say(call, "connecting_case", case=digits(case.number)),)
    note = f"existing case {case.number}, owned by tier {case.tier}"
    tam = call.customer.tam if call.customer else None
    if case.tier == 2 and tam:
        dial = Dial((tam,), "tam_result", call.state.fresh(), _line(call).ring_seconds)
        return Decision(f"{note} → TAM", speech, dial, (JoinCase(case.number),))
    decision = _ring(replace(call, case=case), case.tier, note, speech)
    return replace(decision, effects=(JoinCase(case.number),))


def tam_result(call: CallFacts, said: CallerInput) -> Outcome:
    """The TAM answered, or the call goes on to the tier 2 group, then voicemail."""
    if said.dial_status == "completed":
        return Decision("answered by the TAM", (), Hangup(), (MarkAnswered(),), CallOutcome.TAM)
    tam = call.customer.tam if call.customer else None
    return _ring(call, 2, f"TAM {said.dial_status or 'no status'} → tier 2", (), skip=tam)


def ring_result(call: CallFacts, said: CallerInput) -> Outcome:
    """The ring group answered, or nobody did and the caller gets voicemail."""
    if said.dial_status == "completed":
        tier = call.case.tier if call.case else 1
        return Decision(f"answered by the tier {tier} ring group", (), Hangup(), (MarkAnswered(),),
                        _TIER_REACHED.get(tier, CallOutcome.TIER1))
    status_text = said.dial_status or "no status"
    return take_message(call, f"ring group {status_text} → voicemail", (say(call, "nobody_answered"),))


def after_hours_menu(call: CallFacts, said: CallerInput) -> Outcome:
    """After hours: 1 critical production issue, 2 leave a message."""
    if said.digits == "2":
        return take_message(call, "after hours: 2, leave a message")
    if said.digits != "1":
        return retry(call, said, lambda state: _after_hours_menu(call, state))
    if call.customer is None:
        return Decision("after hours: 1, critical → identify", (), ask_account(call, call.state.fresh()))
    return identified(call, call.customer, "after hours: 1, critical")


def critical_confirm(call: CallFacts, said: CallerInput) -> Outcome:
    """The caller confirms the case is critical (1): the case opens and the page goes out at once.

    A line set to connect then puts the caller through to the engineer; otherwise the caller
    records a description while the engineer is already being paged.
    """
    if said.digits == "2":
        return take_message(call, "critical not confirmed: 2, leave a message")
    if said.digits != "1":
        return retry(call, said, lambda state: _confirm(call, state))
    if call.case is None:
        return OpenCase("critical", page=True)
    number = digits(call.case.number)
    note = f"critical confirmed: case {call.case.number}, on-call engineer paged"
    if _line(call).after_hours == "connect" and call.responders:
        speech = _joined(call, call.case) + (say(call, "connecting_engineer", case=number),)
        return Decision(f"{note}; live connect", speech, _ring_responders(call, 0), outcome=CallOutcome.PAGED)
    record = Record("critical_recorded", call.state.fresh(), DESCRIPTION_SECONDS)
    speech = _joined(call, call.case) + (say(call, "critical_paging", case=number),)
    return Decision(f"{note} → record a description", speech, record, outcome=CallOutcome.PAGED)


def critical_recorded(call: CallFacts, said: CallerInput) -> Outcome:
    """The description is recorded (the case and its page already exist): the promise of a call back."""
    if call.case is None:  # the action URL of a call the service lost track of
        return OpenCase("critical", page=True)
    speech = (say(call, "critical_paged", case=digits(call.case.number)),)
    heard = f"description of {said.recording_seconds} s" if said.recording_url else "no description recorded"
    return Decision(f"{heard}; case {call.case.number}", speech, Hangup(), recording(said), CallOutcome.PAGED)


def connect_result(call: CallFacts, said: CallerInput) -> Outcome:
    """Live connect: an engineer accepted (the call is over), or the next step's engineers are rung."""
    leg = call.state.leg
    if call.case is None:  # the action URL of a call the service lost track of
        return OpenCase("critical", page=True)
    if said.dial_status == "completed":
        return Decision(f"connected to the on-call engineer (step {leg + 1})", (), Hangup(), (MarkAnswered(),),
                        CallOutcome.CRITICAL)
    if leg + 1 < len(call.responders):
        return Decision(f"step {leg + 1} {said.dial_status or 'no status'} → step {leg + 2}", (),
                        _ring_responders(call, leg + 1))
    speech = (say(call, "engineer_will_call", case=digits(call.case.number)),)
    return Decision("nobody accepted the live call → an engineer will call back; paging goes on", speech)


_TIER_REACHED = {1: CallOutcome.TIER1, 2: CallOutcome.TIER2, 3: CallOutcome.TIER3}


def _ring_responders(call: CallFacts, leg: int) -> Dial:
    """Ring one escalation step's engineers, each hearing the whisper before being connected."""
    responders = call.responders[leg]
    return Dial(responders.numbers, "connect_result", call.state.fresh(leg=leg), responders.ring_seconds,
                whisper="whisper")


def message_recorded(call: CallFacts, said: CallerInput) -> Outcome:
    """The message is recorded (or the caller stayed silent): the case, due in one business day."""
    if call.case is None:
        return OpenCase("normal", needs_review=call.state.customer is None)
    line = _line(call)
    due = moment(call.case.due.astimezone(line.hours.timezone), language(call))
    speech = _joined(call, call.case) + (say(call, "message_taken", case=digits(call.case.number), due=due,
                                  place=line.place),)
    heard = f"message of {said.recording_seconds} s" if said.recording_url else "no message recorded"
    left = CallOutcome.VOICEMAIL if call.state.mode == "open" else CallOutcome.MESSAGE
    return Decision(f"{heard}; case {call.case.number} due {call.case.due.isoformat()}", speech, Hangup(),
                    recording(said), left)


Step = Callable[[CallFacts, CallerInput], Outcome]


def _on_a_line(step: Step) -> Step:
    """Every step after the first runs on a known line; a request naming another number is told so."""
    def on_a_line(call: CallFacts, said: CallerInput) -> Outcome:
        if call.line is None:
            return Decision("unknown line", (say(call, "unknown_line"),), outcome=CallOutcome.UNKNOWN_LINE)
        return step(call, said)
    return on_a_line


STEPS: dict[str, Step] = {"incoming": incoming} | {
    step.__name__: _on_a_line(step)
    for step in (account, pin, menu, existing_case, tam_result, ring_result, after_hours_menu,
                 critical_confirm, critical_recorded, connect_result, message_recorded)
}


def on_critical_path(step: str, state: FlowState, digits: str | None = None) -> bool:
    """Whether a failure at this step must put the caller through to the on-call engineer.

    After hours that is everything from the menu's 1 (a critical production issue) on.
    """
    return step in {"critical_confirm", "critical_recorded", "connect_result"} or (
        state.mode == "closed" and (step in {"account", "pin"} or (step == "after_hours_menu" and digits == "1")))


def _line(call: CallFacts) -> LineFacts:
    """The call's line: `STEPS` runs the steps after the first only on a known one."""
    assert call.line is not None, "a step after the first runs on a known line"
    return call.line


def _ring(call: CallFacts, tier: int, note: str, speech: tuple[Speech, ...], skip: str | None = None) -> Decision:
    """Ring the tier's group (less `skip`, who was just rung); with nobody in it, straight to voicemail."""
    line = _line(call)
    group = tuple(number for number in line.group(tier) if number != skip)
    if not group:
        return take_message(call, f"{note}; nobody in tier {tier} → voicemail",
                            speech + (say(call, "nobody_answered"),))
    return Decision(note, speech, Dial(group, "ring_result", call.state.fresh(), line.ring_seconds))


def _joined(call: CallFacts, case: CaseFacts) -> tuple[Speech, ...]:
    return (say(call, "joined", case=digits(case.number)),) if case.joined else ()


def _case_is(call: CallFacts, case: CaseFacts) -> Speech:
    """The case number, or that the call joined the caller's open case."""
    return _joined(call, case)[0] if case.joined else say(call, "case_is", case=digits(case.number))


def _closed_intro(call: CallFacts, openness: Openness) -> tuple[Speech, ...]:
    line = _line(call)
    reopens = moment(next_opening(line.hours, call.at), ENGLISH)
    speech = [say(call, "closed")]
    if openness.closure:
        speech.append(say(call, "closure", closure=openness.holiday))
    elif openness.holiday:
        speech.append(say(call, "holiday", holiday=openness.holiday))
    speech.append(say(call, "hours", hours=weekly_hours(line.hours, ENGLISH), place=line.place))
    speech.append(say(call, "reopens", reopens=reopens, place=line.place))
    return tuple(speech)


def _after_hours_menu(call: CallFacts, state: FlowState) -> Gather:
    return Gather("after_hours_menu", state, (say(call, "after_hours_menu"),))


def _ask_case(call: CallFacts, state: FlowState) -> Gather:
    return Gather("existing_case", state, (say(call, "case_number"),), num_digits=None, timeout=10)


def _confirm(call: CallFacts, state: FlowState) -> Gather:
    name = call.customer.name if call.customer else "Caller"
    return Gather("critical_confirm", state, (say(call, "critical_confirm", customer=name),))
