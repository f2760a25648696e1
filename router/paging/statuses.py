"""The paging vocabulary: a page's status, a notification's channel and kind, and Twilio's statuses.

Twilio's words live here and nowhere else: the order in which a notification's
status may move, which statuses are final, which mean the call reached nobody.
"""

from __future__ import annotations

from enum import StrEnum


class PageStatus(StrEnum):
    """Where a page stands: escalating, out of steps (still waiting to be taken), or taken."""

    OPEN = "open"
    EXHAUSTED = "exhausted"
    ACKNOWLEDGED = "acknowledged"

    @property
    def untaken(self) -> bool:
        """Nobody has taken the page yet: it can still be acknowledged."""
        return self is not PageStatus.ACKNOWLEDGED


class Channel(StrEnum):
    SMS = "sms"
    VOICE = "voice"


class Kind(StrEnum):
    """A page's own notification, or the SMS telling of cases that joined it."""

    PAGE = "page"
    JOINED = "joined"


class Via(StrEnum):
    """How a page was taken."""

    VOICE = "voice"
    SMS = "sms"
    CONNECT = "connect"


class Delivery(StrEnum):
    """A notification's status: ours until Twilio takes it, Twilio's after."""

    PENDING = "pending"
    SENDING = "sending"
    QUEUED = "queued"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    INITIATED = "initiated"
    SENT = "sent"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    READ = "read"
    MACHINE = "machine"  # ours: a call completed by voicemail, which reached nobody

    @property
    def rank(self) -> int:
        """Statuses in the order they happen, so a late callback never moves a status back."""
        return _RANK[self]

    @property
    def final(self) -> bool:
        return self.rank == _FINAL_RANK

    @property
    def in_flight(self) -> bool:
        """Twilio has it and has not finished with it."""
        return Delivery.QUEUED.rank <= self.rank < _FINAL_RANK

    @property
    def unreached(self) -> bool:
        """A call with this status reached nobody (a canceled one never rang)."""
        return self in _UNREACHED


_ORDER: tuple[tuple[Delivery, ...], ...] = (
    (Delivery.PENDING,), (Delivery.SENDING,), (Delivery.QUEUED, Delivery.ACCEPTED, Delivery.SCHEDULED),
    (Delivery.INITIATED, Delivery.SENT), (Delivery.RINGING,), (Delivery.IN_PROGRESS,),
    (Delivery.COMPLETED, Delivery.BUSY, Delivery.NO_ANSWER, Delivery.FAILED, Delivery.CANCELED,
     Delivery.DELIVERED, Delivery.UNDELIVERED, Delivery.READ, Delivery.MACHINE),
)
_RANK = {status: rank for rank, statuses in enumerate(_ORDER) for status in statuses}
_FINAL_RANK = len(_ORDER) - 1
_UNREACHED = frozenset({Delivery.BUSY, Delivery.NO_ANSWER, Delivery.FAILED, Delivery.CANCELED, Delivery.MACHINE})
# Twilio's AnsweredBy values (answering machine detection) that mean voicemail or a fax took the call.
MACHINE_ANSWERS = frozenset({"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"})


def twilio_status(text: str | None) -> Delivery | None:
    """A status word from Twilio (a callback, a fetched resource), or None if it is not one we know."""
    try:
        return Delivery(text or "")
    except ValueError:
        return None


def call_result(status: Delivery, answered_by: str | None) -> Delivery:
    """A call Twilio says completed was voicemail's when machine detection says so."""
    machine = (answered_by or "") in MACHINE_ANSWERS or (answered_by or "").startswith("machine")
    return Delivery.MACHINE if status is Delivery.COMPLETED and machine else status
