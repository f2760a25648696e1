"""The on-call engineer's side of a page: the voice call and the SMS reply.

The voice call reads the case and asks for a key; an SMS reply such as
``ACK 1042`` or just ``1`` acknowledges too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callflows.decision import Decision, FlowState, Gather, Hangup, Speech
from callflows.prompts import DEFAULT_VOICE, ENGLISH
from callflows.speech import digits

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class PageFacts:
    """The page an engineer is being called about."""

    company: str
    case_number: int
    customer: str
    line: str
    caller: str | None
    acknowledged_by: str | None = None
    voice: str = DEFAULT_VOICE


def _speak(page: PageFacts, text: str) -> Speech:
    return Speech(text, ENGLISH, page.voice)


def _ask(page: PageFacts, state: FlowState) -> Gather:
    text = (f"Critical production case {digits(page.case_number)}, from {page.customer}, "
            f"on the {page.line} line. Press 1 to acknowledge. Press 3 to hear this again.")
    return Gather("page_key", state, (_speak(page, text),), timeout=10)


def page_call(page: PageFacts) -> Decision:
    """The engineer answers the page call: read the case and ask for a key."""
    hello = _speak(page, f"Hello, this is {page.company} support with a critical page.")
    if page.acknowledged_by:
        done = _speak(page, f"Case {digits(page.case_number)} was already acknowledged by "
                            f"{page.acknowledged_by}. Goodbye.")
        return Decision("page already acknowledged", (hello, done), Hangup())
    return Decision("page read to the engineer", (hello,), _ask(page, FlowState()))


def page_key(page: PageFacts, digits_pressed: str | None, state: FlowState) -> tuple[Decision, bool]:
    """The engineer pressed a key (or nothing); returns the decision and whether it acknowledges."""
    if digits_pressed == "1":
        back = f" The caller's number is {digits(page.caller.lstrip('+'))}." if page.caller else ""
        speech = _speak(page, f"Acknowledged. Case {digits(page.case_number)} is yours.{back} Goodbye.")
        return Decision("acknowledged by key press", (speech,), Hangup()), True
    if digits_pressed == "3":
        return Decision("page read again", (), _ask(page, state.fresh())), False
    if state.attempt + 1 >= MAX_ATTEMPTS:
        bye = _speak(page, "The page stays open until someone acknowledges it. Goodbye.")
        return Decision("no acknowledgement on the call", (bye,), Hangup()), False
    what = "no input" if not digits_pressed else f"{digits_pressed!r} not offered"
    sorry = _speak(page, "Sorry, I didn't get that." if not digits_pressed else "That is not an option.")
    return Decision(f"{what} → asked again", (sorry,), _ask(page, state.retry())), False


@dataclass(frozen=True)
class SmsReply:
    """What an engineer's SMS asks for: acknowledge (a case, or their only open page) or help."""

    acknowledge: bool
    case_number: int | None = None


_ACK = re.compile(r"^\s*(?:ack(?:nowledge)?\s*#?\s*(\d+)|1)\s*[.!]*\s*$", re.IGNORECASE)


def parse_reply(body: str | None) -> SmsReply:
    """Read an SMS reply: "ACK 1042", "ack #1042", "1"; anything else asks for help."""
    match = _ACK.match(body or "")
    if not match:
        return SmsReply(acknowledge=False)
    return SmsReply(acknowledge=True, case_number=int(match.group(1)) if match.group(1) else None)


def page_sms(page: PageFacts) -> str:
    """The SMS that pages an engineer."""
    caller = f" Caller: {page.caller}." if page.caller else ""
    return (f"{page.company} CRITICAL case {page.case_number} from {page.customer} on {page.line}.{caller} "
            f"Reply ACK {page.case_number} to acknowledge.")


HELP_SMS = "Reply ACK <case number> (or 1 if you have one open page) to acknowledge a page."
