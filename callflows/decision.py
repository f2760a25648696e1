"""The vocabulary of call flows: the facts a step is given and what it decides.

A step never performs anything. It returns a `Decision` (what to say, then one
TwiML action naming the next step) or, when what it says depends on a case
that does not exist yet, an `OpenCase` request: the shell opens the case and
asks the step again with the case among the facts.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from schedules import SupportHours
from statuspage.announce import Announcement

Mode = Literal["open", "closed"]


@dataclass(frozen=True)
class FlowState:
    """What one step hands the next; it travels in the (signed) action URL."""

    mode: Mode = "open"
    customer: str | None = None  # customer id once identified
    attempt: int = 0             # failed tries at the current question
    pending: str | None = None   # customer id whose PIN is being asked
    leg: int = 0                 # live connect: which escalation step is being rung

    def retry(self) -> FlowState:
        """The same question asked again."""
        return replace(self, attempt=self.attempt + 1)

    def fresh(self, **changes: Any) -> FlowState:
        """A new question: attempts start over."""
        return replace(self, attempt=0, **changes)


@dataclass(frozen=True)
class LineFacts:
    """The line being called, as the flow needs it."""

    number: str
    name: str
    company: str
    language: str
    voice: str
    english_voice: str
    place: str
    hours: SupportHours
    ring_group: tuple[str, ...]  # E.164 numbers of tier 1
    ring_seconds: int = 25
    tier2_group: tuple[str, ...] = ()
    tier3_group: tuple[str, ...] = ()
    after_hours: str = "callback"  # "connect": a critical caller is dialled through to the engineer

    def group(self, tier: int) -> tuple[str, ...]:
        """The numbers rung for a case owned by `tier` (1 Customer Service, 2 Technical Solutions, 3 Product)."""
        return {1: self.ring_group, 2: self.tier2_group, 3: self.tier3_group}.get(tier, self.ring_group)


@dataclass(frozen=True)
class CustomerFacts:
    """An identified caller's account and what their package allows."""

    id: str
    name: str
    may_page: bool  # after-hours critical phone support
    package: str = ""
    channels: tuple[str, ...] = ("phone",)
    tam: str | None = None  # the assigned TAM's number, when the package includes one
    pin: str | None = None

    @property
    def has_phone(self) -> bool:
        """Whether the customer's package includes the phone channel."""
        return "phone" in self.channels


@dataclass(frozen=True)
class CaseFacts:
    """The case this call opened or joined."""

    number: int
    due: dt.datetime
    severity: str
    tier: int = 1
    customer: str | None = None
    joined: bool = False  # this call was attached to an open case rather than opening one


@dataclass(frozen=True)
class Responders:
    """The engineers one escalation step reaches, and how long to ring them."""

    numbers: tuple[str, ...]
    ring_seconds: int = 25


@dataclass(frozen=True)
class CallerInput:
    """What Twilio reported the caller did at the previous verb."""

    digits: str | None = None
    recording_url: str | None = None
    recording_seconds: int | None = None
    dial_status: str | None = None


@dataclass(frozen=True)
class CallFacts:
    """Everything a step may know: the line, the moment, the caller, the state."""

    line: LineFacts | None
    at: dt.datetime
    caller: str | None
    customer: CustomerFacts | None
    state: FlowState
    find_account: Callable[[str], CustomerFacts | None] = lambda account: None
    case: CaseFacts | None = None
    blocked: bool = False                     # the caller's number is on the blocked list
    candidate: CustomerFacts | None = None    # the account keyed in, waiting for its PIN
    responders: tuple[Responders, ...] = ()   # live connect: whom each escalation step rings, in order
    find_case: Callable[[int], CaseFacts | None] = lambda number: None
    announcement: Announcement | None = None  # what the status page tells callers of the line first


@dataclass(frozen=True)
class Speech:
    text: str
    language: str
    voice: str


@dataclass(frozen=True)
class Gather:
    step: str
    state: FlowState
    prompt: tuple[Speech, ...]
    num_digits: int | None = 1  # None: until the pound key
    timeout: int = 6


# Twilio transcribes only recordings shorter than 120 seconds ("up to 2 minutes"): a
# caller who used the full two minutes would get no transcription at all.
LONGEST_TRANSCRIBED_SECONDS = 119


@dataclass(frozen=True)
class Record:
    step: str
    state: FlowState
    max_seconds: int
    transcribe: bool = True  # managers and paged engineers read what the caller said

    def __post_init__(self) -> None:
        if self.transcribe and self.max_seconds > LONGEST_TRANSCRIBED_SECONDS:
            raise ValueError(f"Twilio transcribes recordings of at most {LONGEST_TRANSCRIBED_SECONDS} s, "
                             f"not {self.max_seconds} s")


@dataclass(frozen=True)
class Dial:
    numbers: tuple[str, ...]
    step: str | None  # None: no action; the call ends when the dialled leg does
    state: FlowState
    timeout: int
    whisper: str | None = None  # a step played to whoever answers, before the caller is connected


@dataclass(frozen=True)
class Bridge:
    """Say nothing more: the answered leg of a Dial is connected to the caller."""


@dataclass(frozen=True)
class Hangup:
    pass


Action = Gather | Record | Dial | Hangup | Bridge


@dataclass(frozen=True)
class AttachRecording:
    url: str
    seconds: int | None


@dataclass(frozen=True)
class MarkAnswered:
    """Someone spoke with the caller: the case's first response."""


@dataclass(frozen=True)
class JoinCase:
    """The caller is calling about this existing case: the call belongs to it."""

    number: int


Effect = AttachRecording | MarkAnswered | JoinCase


class CallOutcome(enum.StrEnum):
    """What came of a call, as the call log shows and filters it; a later step's outcome replaces an earlier."""

    TIER1 = "tier 1"              # answered by a ring group (the case's tier decides which)
    TIER2 = "tier 2"
    TIER3 = "tier 3"
    TAM = "TAM"                   # answered by the customer's Technical Account Manager
    VOICEMAIL = "voicemail"       # business hours, nobody answered: a message was left
    MESSAGE = "message"           # after hours: a message for the next business day
    CRITICAL = "critical"         # a critical case, and the caller spoke with the on-call engineer
    PAGED = "paged"               # a critical case: the on-call engineer is paged and calls back
    BLOCKED = "blocked"
    NO_PHONE = "no phone channel"  # the customer's package has no phone support
    UNKNOWN_LINE = "unknown line"
    FAULT = "fault"               # answered without the database (dialled through, or asked to call again)
    HUNG_UP = "hung up"           # the call ended before any of the above


@dataclass(frozen=True)
class Decision:
    """What the line says and does next, and why (the call log's entry)."""

    note: str
    speech: tuple[Speech, ...] = ()
    action: Action = Hangup()
    effects: tuple[Effect, ...] = ()
    outcome: CallOutcome | None = None  # None: the call's outcome so far stands
    announced: str | None = None  # the incident or maintenance the caller heard of (the call log keeps it)


@dataclass(frozen=True)
class OpenCase:
    """Ask the shell for a case (or the call's existing one) before deciding."""

    severity: Literal["critical", "normal"]
    page: bool = False
    needs_review: bool = False
    tier: int = 1


Outcome = Decision | OpenCase
