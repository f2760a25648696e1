"""The pieces of a fake call: the person's script, live control, parameters."""

from __future__ import annotations

import enum
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

API_VERSION = "2010-04-01"
DIAL_ANSWERS = frozenset({"answer", "no-answer", "busy"})


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two letters and 32 hex digits."""
    return prefix + uuid.uuid4().hex


@dataclass(frozen=True)
class Script:
    """What the person on the phone does.

    ``presses`` is consumed one entry per Gather ("" stays silent);
    ``dial`` says, per dialled number, "answer", "no-answer" or "busy";
    ``hang_up_after`` makes the person hang up after that many webhook
    requests; ``says`` is what they say into a recording (its transcription).
    ``pace`` plays the call in real time: each second the call would take
    (prompts spoken, pauses, silence, recording) waits ``pace`` seconds before
    the next webhook; 0, the default, plays it as fast as the webhooks answer.
    """

    presses: Sequence[str] = ()
    recording_seconds: int = 7
    says: str = "Our production environment is down."
    dial: Mapping[str, str] = field(default_factory=dict)
    hang_up_after: int | None = None
    pace: float = 0.0

    def __post_init__(self) -> None:
        wrong = {n: a for n, a in self.dial.items() if a not in DIAL_ANSWERS}
        if wrong:
            raise ValueError(f"dial answers must be one of {sorted(DIAL_ANSWERS)}: {wrong}")
        if self.recording_seconds < 0:
            raise ValueError("recording_seconds cannot be negative")
        if self.pace < 0:
            raise ValueError("pace cannot be negative")


class End(enum.Enum):
    """Why a call leg stopped playing."""

    END_OF_DOCUMENT = "end of document"
    HANGUP = "hangup"
    REJECT = "reject"
    CALLER = "caller hung up"
    API = "ended through the REST API"
    ERROR = "error"


class CallControl:
    """Lets another thread (the REST API) end or redirect a playing call.

    The player looks at it before each webhook request, as Twilio acts on a
    call update at the next point the call talks to the project.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ended = False
        self._redirect: tuple[str, str] | None = None

    def end(self) -> None:
        """Hang the call up at its next webhook request."""
        with self._lock:
            self._ended = True

    def redirect(self, url: str, method: str = "POST") -> None:
        """Make the call's next webhook request go to ``url`` instead."""
        with self._lock:
            self._redirect = (url, method)

    def take(self) -> tuple[bool, tuple[str, str] | None]:
        """Return (ended, pending redirect) and clear the redirect."""
        with self._lock:
            redirect, self._redirect = self._redirect, None
            return self._ended, redirect


def call_params(
    account_sid: str,
    call_sid: str,
    from_: str,
    to: str,
    direction: str,
    answered_by: str | None = None,
) -> dict[str, str]:
    """The parameters Twilio sends on every voice webhook of a call."""
    params = {
        "AccountSid": account_sid,
        "CallSid": call_sid,
        "From": from_,
        "To": to,
        "Called": to,
        "Caller": from_,
        "Direction": direction,
        "ApiVersion": API_VERSION,
    }
    if answered_by:
        params["AnsweredBy"] = answered_by
    return params
