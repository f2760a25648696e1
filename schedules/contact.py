"""How a paged person is contacted: SMS and voice, each some time after the step reaches them.

Delays are elapsed time: they are added in UTC, so a one-minute wait across a
DST change is still one minute. Results keep the zone of the moment given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ._time import require_aware, to_utc

__all__ = ["DEFAULT_CONTACT", "ContactMethod", "contact_plan", "quiet_until"]


@dataclass(frozen=True)
class ContactMethod:
    """One way to reach a person, ``after`` the escalation step reaches them."""

    channel: Literal["sms", "voice"]
    after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.channel not in ("sms", "voice"):
            raise ValueError(f"contact channel must be 'sms' or 'voice', got {self.channel!r}")
        if not isinstance(self.after, timedelta) or self.after < timedelta(0):
            raise ValueError(f"contact delay must be a non-negative timedelta, got {self.after!r}")


DEFAULT_CONTACT = (ContactMethod("sms"), ContactMethod("voice"))


def contact_plan(methods: Sequence[ContactMethod], reached_at: datetime) -> list[tuple[datetime, str]]:
    """Return ``(when, channel)`` for each method, in time order; equal times keep the given order."""
    require_aware("reached_at", reached_at)
    start = to_utc(reached_at)
    plan = [((start + method.after).astimezone(reached_at.tzinfo), method.channel) for method in methods]
    # sorted() is stable, so an SMS listed before a voice call at the same moment goes first.
    return sorted(plan, key=lambda item: to_utc(item[0]))


def quiet_until(last_voice_calls: Sequence[datetime], quiet: timedelta) -> datetime | None:
    """Return the first moment a person may be called again, ``quiet`` after their latest call.

    None when they were never called (a call may be placed at once).
    """
    if quiet < timedelta(0):
        raise ValueError(f"quiet interval cannot be negative, got {quiet!r}")
    if not last_voice_calls:
        return None
    for index, call in enumerate(last_voice_calls):
        require_aware(f"last_voice_calls[{index}]", call)
    latest = max(last_voice_calls, key=to_utc)
    return (to_utc(latest) + quiet).astimezone(latest.tzinfo)
