"""How a phone number behaves: the project's Twilio numbers and people's phones."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .call import Script

ANSWERS = frozenset({"human", "machine", "no-answer", "busy", "failed"})
SMS_OUTCOMES = frozenset({"delivered", "undelivered", "failed"})
# The case number an engineer's reply quotes: the first run of 3+ digits.
_CASE_NUMBER = re.compile(r"\d{3,}")


@dataclass(frozen=True)
class Phone:
    """One number's behaviour.

    Numbers the project owns have ``voice_url`` / ``sms_url``. People's phones
    say how they ``answer`` a call, what they ``presses`` on it, what they
    reply to an SMS (``sms_reply``, where "{case}" becomes the case number of
    the SMS received), whether SMS to them arrive (``sms_status``), and how
    many seconds they take before answering or replying (``delay``).
    """

    number: str
    voice_url: str | None = None
    sms_url: str | None = None
    answer: str = "human"
    presses: tuple[str, ...] = ()
    sms_reply: str | None = None
    sms_status: str = "delivered"
    delay: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "presses", tuple(self.presses))
        if not self.number:
            raise ValueError("a phone needs a number")
        if self.answer not in ANSWERS:
            raise ValueError(f"answer must be one of {sorted(ANSWERS)}, not {self.answer!r}")
        if self.sms_status not in SMS_OUTCOMES:
            raise ValueError(f"sms_status must be one of {sorted(SMS_OUTCOMES)}, not {self.sms_status!r}")
        if self.delay < 0:
            raise ValueError("delay cannot be negative")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phone:
        """Build a phone from the control API's JSON, rejecting unknown keys."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown number fields: {sorted(unknown)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The phone as JSON-ready data."""
        data = asdict(self)
        data["presses"] = list(self.presses)
        return data

    @property
    def is_person(self) -> bool:
        """True for a person's phone, False for a number the project owns."""
        return self.voice_url is None and self.sms_url is None

    def reply_to(self, body: str) -> str | None:
        """The SMS this person sends back after receiving ``body``, if any."""
        if self.sms_reply is None:
            return None
        match = _CASE_NUMBER.search(body)
        return self.sms_reply.replace("{case}", match.group() if match else "")

    def dial_answer(self) -> str:
        """How this phone responds when a call <Dial>s it: "answer", "busy" or "no-answer"."""
        if self.answer in ("human", "machine"):
            return "answer"
        return "busy" if self.answer == "busy" else "no-answer"

    def script(self) -> Script:
        """What this person does on a call: press their keys (a machine presses none)."""
        return Script(presses=self.presses if self.answer == "human" else ())
