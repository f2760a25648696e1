"""A page as the state machine sees it: its state, the rules it follows, the events and the commands.

Plain frozen data: `router.paging.machine.decide` reads a `PageState` and an
`Event` under some `Rules` and returns `Command`s; the shell builds the first and
carries out the last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from router.paging.statuses import Channel, Delivery, Kind, PageStatus, Via
from schedules import ContactMethod, EscalationPolicy, EscalationStep, Position


def same_step(a: Position | None, b: Position | None) -> bool:
    """Two positions are one step (a position rebuilt from stored numbers does not know it is the fallback)."""
    return a is not None and b is not None and (a.round, a.step) == (b.round, b.step)


@dataclass(frozen=True)
class Contact:
    """One notification as the machine sees it."""

    id: int
    person: str
    channel: Channel
    kind: Kind
    position: Position
    status: Delivery
    due_at: dt.datetime
    sent_at: dt.datetime | None = None
    attempts: int = 0


@dataclass(frozen=True)
class PageState:
    """The page: its status, where it is in its policy, and every notification it has made."""

    status: PageStatus
    opened_at: dt.datetime
    position: Position | None = None
    next_escalation_at: dt.datetime | None = None
    contacts: tuple[Contact, ...] = ()

    def contact(self, contact_id: int) -> Contact | None:
        return next((c for c in self.contacts if c.id == contact_id), None)

    def of_step(self) -> tuple[Contact, ...]:
        """The notifications of the step the page is at."""
        return tuple(c for c in self.contacts if same_step(c.position, self.position))


@dataclass(frozen=True)
class Rules:
    """What the configuration says for this page, as plain data and pure look-ups."""

    policy: EscalationPolicy | None
    reaches: Callable[[EscalationStep, dt.datetime], tuple[str, ...]]  # who a step reaches at a moment
    contact_methods: Mapping[str, tuple[ContactMethod, ...]]
    last_call: Callable[[str], dt.datetime | None] = lambda person: None  # their latest page call, any page
    quiet: dt.timedelta = dt.timedelta(minutes=1)
    bundle: dt.timedelta = dt.timedelta(minutes=1)


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Open:
    """A critical case opened the page. `hold_calls`: the caller is being put through live meanwhile."""

    case_number: int
    hold_calls: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True)
class Join:
    """Another critical case joined the page."""

    case_number: int


@dataclass(frozen=True)
class TimedOut:
    """The worker found the step's deadline passed."""


@dataclass(frozen=True)
class Escalate:
    """Someone asked to go on now (2 on the call, ESC by SMS) from the step they were paged at."""

    by: str
    from_position: Position | None  # None: from wherever the page is
    how: str = "asked to escalate"


@dataclass(frozen=True)
class Acknowledge:
    person: str
    via: Via


@dataclass(frozen=True)
class Status:
    """Twilio told (a callback, or the poller asked) a notification's new status."""

    contact: int
    status: Delivery


@dataclass(frozen=True)
class SendFailed:
    """Twilio refused a notification; `temporary` when it may take it in a moment (5xx, 429, no answer)."""

    contact: int
    temporary: bool
    error: str


@dataclass(frozen=True)
class Recovered:
    """A notification whose sender died after claiming it, and what Twilio has of it (None: nothing)."""

    contact: int
    status: Delivery | None


Event = Open | Join | TimedOut | Escalate | Acknowledge | Status | SendFailed | Recovered


# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class Record:
    """Write a page event: what happened, for the page's history."""

    kind: str
    detail: str


@dataclass(frozen=True)
class Move:
    position: Position
    next_escalation_at: dt.datetime


@dataclass(frozen=True)
class Exhaust:
    """Escalation ran out: the page waits, untaken, and absorbs no new case."""


@dataclass(frozen=True)
class Notify:
    person: str
    channel: Channel
    kind: Kind
    position: Position
    due_at: dt.datetime


@dataclass(frozen=True)
class Cancel:
    contacts: tuple[int, ...]


@dataclass(frozen=True)
class Taken:
    person: str
    via: Via


@dataclass(frozen=True)
class SetStatus:
    contact: int
    status: Delivery


@dataclass(frozen=True)
class Retry:
    contact: int
    due_at: dt.datetime
    error: str


@dataclass(frozen=True)
class Fail:
    contact: int
    error: str


@dataclass(frozen=True)
class Requeue:
    """Send it again, as if never claimed: Twilio never had it."""

    contact: int
    due_at: dt.datetime


Command = Record | Move | Exhaust | Notify | Cancel | Taken | SetStatus | Retry | Fail | Requeue
