"""What the caller hears when the service cannot use its database, or one of its own steps fails.

Pure like the steps: it needs no stored state. Without the database the call
goes on from the configuration alone (the greeting, the menus, identifying
the caller); only a step that needs a case gets the fallback, so a critical
caller still reaches the on-call engineer, a business-hours caller still
reaches tier 1, and a message already recorded is kept for later.
"""

from __future__ import annotations

from dataclasses import replace

from callflows.common import say
from callflows.decision import (
    CallerInput,
    CallFacts,
    CallOutcome,
    CaseFacts,
    Decision,
    Dial,
    FlowState,
    Hangup,
    Speech,
)
from callflows.inbound import STEPS, on_critical_path
from callflows.prompts import ENGLISH, prompt
from schedules import is_open

RING_SECONDS = 30


class NeedsDatabase(Exception):
    """A step asked for what only the database knows (a case by its number)."""


def _needs_database(number: int) -> CaseFacts | None:
    raise NeedsDatabase(f"case {number}")


def without_database(step: str, call: CallFacts, said: CallerInput, on_call: str | None,
                     message_kept: bool = False) -> Decision:
    """The step as the caller would have had it, decided from the configuration alone.

    A step that would open or look up a case gets the `fallback` instead; `message_kept` says
    that the request (and with it the caller's recording) is kept to be recorded later.
    """
    run = STEPS.get(step)
    if run is not None:
        try:
            outcome = run(replace(call, case=None, find_case=_needs_database), said)
        except NeedsDatabase:
            outcome = None
        if isinstance(outcome, Decision):
            return replace(outcome, note=f"without the database: {outcome.note}")
    return fallback(call, step, said, on_call, message_kept)


def fallback(call: CallFacts, step: str, said: CallerInput, on_call: str | None,
             message_kept: bool = False) -> Decision:
    """The decision for a step that could not run; `on_call` is the engineer's number, if any.

    Whether the line is open comes from its hours at this moment, not from the action URL, so a
    caller at 3 a.m. is never put through to an empty office, nor spoken to in the wrong language.
    """
    line = call.line
    open_now = line is not None and is_open(line.hours, call.at)
    call = replace(call, state=replace(call.state, mode="open" if open_now else "closed"))
    if on_critical_path(step, call.state, said.digits) and on_call:
        english = replace(call, state=replace(call.state, mode="closed"))  # the after-hours policy's language
        speech = (say(english, "trouble"), say(english, "trouble_critical"))
        return Decision("fault on the critical path → dial the on-call engineer directly", speech,
                        Dial((on_call,), None, call.state, RING_SECONDS), outcome=CallOutcome.FAULT)
    trouble = say(call, "trouble")
    if message_kept and said.recording_url:
        return Decision("fault → the recorded message is kept, to be recorded as a case",
                        (trouble, say(call, "trouble_message_kept")), Hangup(), outcome=CallOutcome.FAULT)
    if line is not None and open_now and line.ring_group:
        return Decision("fault → dial tier 1 directly", (trouble,),
                        Dial(line.ring_group, None, call.state, line.ring_seconds), outcome=CallOutcome.FAULT)
    return Decision("fault → asked to call again", (trouble, say(call, "trouble_call_back")), Hangup(),
                    outcome=CallOutcome.FAULT)


def static_fallback(company: str, voice: str, numbers: tuple[str, ...]) -> Decision:
    """What a second host or a TwiML Bin answers while the whole service is down: one fixed document.

    It knows no hours, no caller and no case, so it is English, and it puts the caller through to the
    line's fallback people (`numbers`, rung at once) for the critical issue that cannot wait.
    """
    def english(key: str, **values: object) -> Speech:
        return Speech(prompt(ENGLISH, key, **values), ENGLISH, voice)

    speech = (english("greeting", company=company), english("static_fallback"))
    if not numbers:
        return Decision("static fallback: nobody to dial", speech + (english("trouble_call_back"),), Hangup())
    return Decision("static fallback → dial the fallback people", speech,
                    Dial(numbers, None, FlowState("closed"), RING_SECONDS))
