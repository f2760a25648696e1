"""What the caller hears when the service itself fails mid-call.

Used by the shell when the database or an internal step raises: it needs no
stored state, so a critical caller still reaches the on-call engineer and a
business-hours caller still reaches tier 1.
"""

from __future__ import annotations

from callflows.common import say
from callflows.decision import CallFacts, Decision, Dial, Hangup
from callflows.inbound import on_critical_path

RING_SECONDS = 30


def fallback(call: CallFacts, step: str, on_call: str | None) -> Decision:
    """The decision for a step that could not run; `on_call` is the engineer's number, if any."""
    trouble = say(call, "trouble")
    line = call.line
    if on_critical_path(step, call.state) and on_call:
        speech = (trouble, say(call, "trouble_critical"))
        return Decision("fault on the critical path → dial the on-call engineer directly", speech,
                        Dial((on_call,), None, call.state, RING_SECONDS))
    if line and call.state.mode == "open" and line.ring_group:
        return Decision("fault → dial tier 1 directly", (trouble,),
                        Dial(line.ring_group, None, call.state, line.ring_seconds))
    return Decision("fault → asked to call again", (trouble, say(call, "trouble_call_back")), Hangup())
