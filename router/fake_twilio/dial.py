"""The <Dial> verb: ringing numbers, playing whispers, reporting the result."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urljoin

from .call import new_sid
from .twiml import text_of

if TYPE_CHECKING:
    from .player import CallLeg, Outcome

# The bridged conversation itself is not simulated; a fixed length keeps the
# call log deterministic.
BRIDGED_SECONDS = 60


class _Target(NamedTuple):
    number: str
    whisper_url: str | None
    whisper_method: str


class _Result(NamedTuple):
    status: str
    call_sid: str
    number: str


def dial(leg: CallLeg, verb: ET.Element, document_url: str) -> Outcome:
    """Ring the dialled numbers, then request the action or go on with the next verb."""
    targets = _targets(verb, document_url)
    if not targets:
        leg.add("error", text="<Dial> without a number")
        return None
    caller_id = verb.get("callerId") or leg.params["From"]
    results = []
    for target in targets:
        results.append(_ring(leg, target, caller_id))
        if results[-1].status == "completed":
            break  # the first to answer wins; the others stop ringing
    result = _overall(results)
    answered = result.number if result.status == "completed" else ""
    leg.add("dial", numbers=tuple(t.number for t in targets), outcome=result.status, answered=answered)
    duration = BRIDGED_SECONDS if result.status == "completed" else 0
    leg.spend(duration if duration else _ring_seconds(verb, result.status))
    if "action" not in verb.attrib:
        return None
    params = {
        "DialCallStatus": result.status,
        "DialCallSid": result.call_sid,
        "DialCallDuration": str(duration),
    }
    return leg.fetch(urljoin(document_url, verb.get("action", "")), verb.get("method", "POST"), params)


def _targets(verb: ET.Element, document_url: str) -> list[_Target]:
    # <Dial>+5511...</Dial> dials the bare text; otherwise each child
    # (<Number>, <Client>, <Sip>) is one target, possibly with a whisper URL.
    if verb.text and verb.text.strip():
        return [_Target(verb.text.strip(), None, "POST")]
    return [
        _Target(
            text_of(child),
            urljoin(document_url, child.get("url", "")) if child.get("url") else None,
            child.get("method", "POST"),
        )
        for child in verb
    ]


def _ring(leg: CallLeg, target: _Target, caller_id: str) -> _Result:
    call_sid = new_sid("CA")
    answer = leg.script.dial.get(target.number, "no-answer")
    if answer != "answer":
        return _Result(answer, call_sid, target.number)
    if target.whisper_url is None:
        return _Result("completed", call_sid, target.number)
    accepted = leg.whisper(target.number, target.whisper_url, target.whisper_method, caller_id, call_sid)
    return _Result("completed" if accepted else "no-answer", call_sid, target.number)


def _overall(results: list[_Result]) -> _Result:
    for result in results:
        if result.status == "completed":
            return result
    status = "busy" if all(r.status == "busy" for r in results) else "no-answer"
    return _Result(status, results[0].call_sid, results[0].number)


def _ring_seconds(verb: ET.Element, status: str) -> float:
    # An unanswered number rings for the whole timeout; a busy one does not ring.
    return float(verb.get("timeout", "30")) if status == "no-answer" else 0.0
