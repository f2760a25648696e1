"""What one fake phone call sounded like, entry by entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

KINDS = frozenset(
    {
        "say",
        "play",
        "pause",
        "press",
        "silence",
        "record",
        "dial",
        "redirect",
        "hangup",
        "reject",
        "message",
        "error",
    }
)


@dataclass(frozen=True)
class Entry:
    """One thing that happened on the call.

    ``side`` is "caller" for the call itself and "callee" for a whisper leg
    played to a dialled number (``party`` is then that number). ``by`` says
    who ended the call on a "hangup": "line", "caller" or "api". ``answered`` is the
    number that took a "dial".
    """

    kind: str
    text: str = ""
    language: str = ""
    voice: str = ""
    digits: str = ""
    numbers: tuple[str, ...] = ()
    outcome: str = ""
    url: str = ""
    seconds: float = 0
    by: str = ""
    side: str = "caller"
    party: str = ""
    answered: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown transcript entry kind {self.kind!r}")


def _hangup_line(entry: Entry, who: str) -> str:
    if entry.by == "caller":
        return f"{who} hangs up"
    if entry.by == "api":
        return "Call ended through the REST API"
    return f"Line hangs up ({entry.text})" if entry.text else "Line hangs up"


def _message_line(entry: Entry, who: str) -> str:
    to = f" to {', '.join(entry.numbers)}" if entry.numbers else ""
    return f"Line sends SMS{to}: {entry.text}"


_RENDER: dict[str, Callable[[Entry, str], str]] = {
    "say": lambda e, who: f"Line: {e.text}",
    "play": lambda e, who: f"Line plays {e.url or e.digits}",
    "pause": lambda e, who: f"Line pauses {e.seconds:g} s",
    "press": lambda e, who: f"{who} presses {e.digits}",
    "silence": lambda e, who: f"{who} stays silent",
    "record": lambda e, who: f"{who} records {e.seconds:g} s",
    "dial": lambda e, who: f"Dial {', '.join(e.numbers)} → {e.outcome}" + (f" by {e.answered}" if e.answered else ""),
    "redirect": lambda e, who: f"Redirect → {e.url}",
    "hangup": _hangup_line,
    "reject": lambda e, who: f"Line rejects the call ({e.outcome})",
    "message": _message_line,
    "error": lambda e, who: f"Error: {e.text}",
}


def render(entry: Entry) -> str:
    """Render one entry as a line a person can read."""
    if entry.side == "callee":
        return f"  [{entry.party}] " + _RENDER[entry.kind](entry, "Callee")
    return _RENDER[entry.kind](entry, "Caller")


class Transcript:
    """The entries of one call in order, with its final status once played."""

    def __init__(self, call_sid: str) -> None:
        self.call_sid = call_sid
        self.entries: list[Entry] = []
        self.status = "in-progress"
        self.duration = 0

    def add(self, kind: str, **fields: Any) -> Entry:
        """Append an entry built from ``kind`` and its fields; return it."""
        entry = Entry(kind, **fields)
        self.entries.append(entry)
        return entry

    def finish(self, status: str, duration: int) -> None:
        """Record how the call ended ("completed", "busy", ...) and its length."""
        self.status = status
        self.duration = duration

    def of_kind(self, kind: str, side: str = "caller") -> list[Entry]:
        """The entries of one kind on one side of the call."""
        return [e for e in self.entries if e.kind == kind and e.side == side]

    def heard(self, side: str = "caller") -> str:
        """Everything the line said to one side, joined with spaces."""
        return " ".join(e.text for e in self.of_kind("say", side))

    def lines(self) -> list[str]:
        """The conversation rendered for humans, one line per entry."""
        return [render(entry) for entry in self.entries]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view: sid, status, duration, lines and raw entries."""
        return {
            "call_sid": self.call_sid,
            "status": self.status,
            "duration": self.duration,
            "lines": self.lines(),
            "entries": [asdict(entry) for entry in self.entries],
        }
