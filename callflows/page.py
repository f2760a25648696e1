"""The on-call engineer's side of a page: the voice call and the SMS reply.

The voice call reads every case the page carries and asks for a key: 1
acknowledges, 2 escalates now, 3 repeats. An SMS reply such as ``ACK 1042``
or just ``1`` acknowledges too; ``ESC 1042`` or ``2`` escalates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from callflows.decision import Bridge, Decision, FlowState, Gather, Hangup, Speech
from callflows.prompts import DEFAULT_VOICE, ENGLISH
from callflows.speech import digits, phone_number

MAX_ATTEMPTS = 3
KeyAction = Literal["acknowledge", "acknowledge all", "escalate"] | None
SMS_LIMIT = 1600  # Twilio refuses longer messages
LISTED = 3        # cases, customers and callers named in one SMS or call before "and N more"


@dataclass(frozen=True)
class CaseSummary:
    number: int
    customer: str
    caller: str | None
    description: str | None = None  # the transcription of what the caller recorded, once Twilio sends it


@dataclass(frozen=True)
class PageFacts:
    """The page an engineer is being called about."""

    company: str
    line: str
    cases: tuple[CaseSummary, ...]
    acknowledged_by: str | None = None
    voice: str = DEFAULT_VOICE
    other_open_pages: int = 0  # other open pages that reached the engineer on this call: 4 acknowledges all


def _speak(page: PageFacts, text: str) -> Speech:
    return Speech(text, ENGLISH, page.voice)


def _cases_text(page: PageFacts) -> str:
    named = page.cases[:LISTED]  # a call reads a few; a page of 200 cases must not take twenty minutes
    parts = [f"case {digits(c.number)}, from {c.customer}" for c in named]
    more = len(page.cases) - len(named)
    what = "Critical production " + ("; ".join(parts) if len(page.cases) == 1 else
                                     f"cases, {len(page.cases)} of them: " + "; ".join(parts))
    if more:
        what += f"; and {more} more, listed in your messages"
    said = [f"The caller of case {digits(c.number)} said: {c.description.rstrip('.')}." if len(page.cases) > 1
            else f"The caller said: {c.description.rstrip('.')}." for c in named if c.description]
    return " ".join([f"{what}, on the {page.line} line.", *said])


def _ask(page: PageFacts, state: FlowState) -> Gather:
    others = page.other_open_pages
    also = (f" Press 4 to acknowledge this page and your {others} other open "
            f"{'page' if others == 1 else 'pages'}." if others else "")
    text = (f"{_cases_text(page)} Press 1 to acknowledge. Press 2 to escalate to the next engineer. "
            f"Press 3 to hear this again.{also}")
    return Gather("page_key", state, (_speak(page, text),), timeout=10)


def page_call(page: PageFacts, answered_by_machine: bool = False) -> Decision:
    """The page call is answered: by the engineer (read and ask) or by voicemail (a short message)."""
    hello = _speak(page, f"Hello, this is {page.company} support with a critical page.")
    if answered_by_machine:
        leave = _speak(page, f"{_cases_text(page)} Please check your messages and acknowledge. Goodbye.")
        return Decision("voicemail answered: short message left, not an acknowledgement", (hello, leave), Hangup())
    if page.acknowledged_by:
        done = _speak(page, f"This page was already acknowledged by {page.acknowledged_by}. Goodbye.")
        return Decision("page already acknowledged", (hello, done), Hangup())
    return Decision("page read to the engineer", (hello,), _ask(page, FlowState()))


def page_key(page: PageFacts, digits_pressed: str | None, state: FlowState) -> tuple[Decision, KeyAction]:
    """The engineer pressed a key (or nothing): the decision, and what it does to the page."""
    if digits_pressed == "1" or (digits_pressed == "4" and page.other_open_pages):
        callers = [f"case {digits(c.number)}: {phone_number(c.caller)}" for c in page.cases[:LISTED] if c.caller]
        back = f" Callers: {'; '.join(callers)}." if callers else ""
        if len(page.cases) > LISTED:
            back += " The other callers are in your messages and the call log."
        if digits_pressed == "4":
            speech = _speak(page, f"Acknowledged: this page and your other open pages are yours.{back} Goodbye.")
            return Decision("all the engineer's open pages acknowledged by key press", (speech,), Hangup()), (
                "acknowledge all")
        speech = _speak(page, f"Acknowledged. The page is yours.{back} Goodbye.")
        return Decision("acknowledged by key press", (speech,), Hangup()), "acknowledge"
    if digits_pressed == "2":
        speech = _speak(page, "Escalating to the next engineer now. Goodbye.")
        return Decision("escalated by key press", (speech,), Hangup()), "escalate"
    if digits_pressed == "3":
        return Decision("page read again", (), _ask(page, state.fresh())), None
    if state.attempt + 1 >= MAX_ATTEMPTS:
        bye = _speak(page, "The page stays open until someone acknowledges it. Goodbye.")
        return Decision("no acknowledgement on the call", (bye,), Hangup()), None
    what = "no input" if not digits_pressed else f"{digits_pressed!r} not offered"
    sorry = _speak(page, "Sorry, I didn't get that." if not digits_pressed else "That is not an option.")
    return Decision(f"{what} → asked again", (sorry,), _ask(page, state.retry())), None


SmsAction = Literal["acknowledge", "acknowledge all", "escalate", "opt-out", "opt-in"] | None
# Twilio's own opt-out and opt-in keywords: Twilio stops (or resumes) our messages to the sender by itself.
OPT_OUT = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN = frozenset({"start", "yes", "unstop"})


@dataclass(frozen=True)
class SmsReply:
    """What an engineer's SMS asks for: acknowledge or escalate (a case, or their only open page), opt out
    of SMS or back in (Twilio's keywords), or help (None)."""

    action: SmsAction
    case_number: int | None = None


_REPLY = re.compile(r"^\s*(?:(ack(?:nowledge)?|esc(?:alate)?)\s*#?\s*(\d+)|([12]))\s*[.!]*\s*$", re.IGNORECASE)


def parse_reply(body: str | None) -> SmsReply:
    """Read an SMS reply: "ACK 1042", "1", "ACK ALL", "ESC 1042", "2", "STOP", "START"; else it asks for help."""
    word = (body or "").strip().rstrip(".!").lower()
    if word in ("ack all", "acknowledge all"):
        return SmsReply("acknowledge all")
    if word in OPT_OUT or word in OPT_IN:
        return SmsReply("opt-out" if word in OPT_OUT else "opt-in")
    match = _REPLY.match(body or "")
    if not match:
        return SmsReply(None)
    word, number, key = match.groups()
    acknowledge = (word or "").lower().startswith("ack") or key == "1"
    return SmsReply("acknowledge" if acknowledge else "escalate", int(number) if number else None)


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown + (f" and {len(items) - LISTED} more" if len(items) > LISTED else "")


def page_sms(page: PageFacts) -> str:
    """The SMS that pages an engineer: short enough for one message however many cases the page carries."""
    first = page.cases[0]
    numbers = _listed([str(c.number) for c in page.cases])
    customers = _listed(sorted({c.customer for c in page.cases}))
    parts = [f"{page.company} CRITICAL case {numbers} from {customers} on {page.line}."]
    if len(page.cases) <= LISTED:
        parts += [f"Caller: {c.caller}." for c in page.cases if c.caller]
    parts.append(f"Reply ACK {first.number} to acknowledge, ESC {first.number} to escalate.")
    text = " ".join(parts)
    return text if len(text) <= SMS_LIMIT else text[: SMS_LIMIT - 1] + "…"


@dataclass(frozen=True)
class JoinedCases:
    """Cases that joined a page since an engineer was last told: the first few of them, and the counts."""

    company: str
    line: str
    first_case: int                  # the page's first case: ACK/ESC with it act on the whole page
    named: tuple[CaseSummary, ...]   # the first of the joined cases, oldest first
    count: int                       # how many joined
    total: int                       # how many cases the page now carries


def joined_sms(joined: JoinedCases) -> str:
    """The one SMS that tells an engineer already paged that more critical cases joined the page."""
    count, first = joined.count, joined.first_case
    named = ", ".join(f"{c.number} from {c.customer}" for c in joined.named[:LISTED])
    if count > LISTED:
        named += f" and {count - LISTED} more"
    what = "1 more critical case" if count == 1 else f"{count} more critical cases"
    text = (f"{joined.company}: {what} joined your page on {joined.line}: {named}. {joined.total} cases in all. "
            f"Reply ACK {first} to acknowledge them all, ESC {first} to escalate.")
    return text if len(text) <= SMS_LIMIT else text[: SMS_LIMIT - 1] + "…"


def case_numbers(numbers: list[int]) -> str:
    """'case 1042', or 'cases 1042, 1043, 1044 and 7 more': short enough for any reply."""
    return ("case " if len(numbers) == 1 else "cases ") + _listed([str(n) for n in numbers])


HELP_SMS = ("Reply ACK <case number> (or 1 if you have one open page) to acknowledge, ACK ALL for all "
            "your open pages, ESC <case number> (or 2) to escalate.")


def whisper(case: CaseSummary, voice: str = DEFAULT_VOICE) -> Decision:
    """Live connect: what the engineer hears before the caller is put through. Only a key accepts, so
    voicemail cannot take the call."""
    text = (f"Critical production call from {case.customer}, case {digits(case.number)}. "
            "Press 1 to accept.")
    return Decision("whisper to the engineer", (), Gather("whisper_key", FlowState(), (Speech(text, ENGLISH, voice),),
                                                           timeout=8))


def whisper_key(case: CaseSummary, digits_pressed: str | None, voice: str = DEFAULT_VOICE) -> tuple[Decision, bool]:
    """The engineer's key on the whisper: 1 accepts (the caller is connected), anything else declines."""
    if digits_pressed == "1":
        return Decision(f"engineer accepted the live call for case {case.number}",
                        (Speech("Connecting you now.", ENGLISH, voice),), Bridge()), True
    return Decision("live call not accepted", (), Hangup()), False


def page_unavailable(voice: str = DEFAULT_VOICE) -> Decision:
    """The page call when the service cannot read its page: nothing is acknowledged, the page goes on."""
    text = ("This is a page from the support line, which is having technical difficulties: the page cannot be "
            "read or acknowledged right now, and it keeps escalating. Please call back in a few minutes.")
    return Decision("page call without the database", (Speech(text, ENGLISH, voice),), Hangup())


def whisper_unavailable(voice: str = DEFAULT_VOICE) -> Decision:
    """Live connect when the service cannot read the case: a critical caller is put through all the same."""
    text = "Critical production call from the support line, which is having technical difficulties. Connecting you."
    return Decision("whisper without the database: connected", (Speech(text, ENGLISH, voice),), Bridge())
