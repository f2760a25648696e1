"""On-call rotations: who holds the pager at a moment, and the shifts in a range.

Hand-offs keep the same local clock time across DST changes (as GoAlert does):
shift ``n`` starts on the local date ``date(start) + n * shift_days`` at the
local clock time of ``start``. Shift numbers come from local calendar dates,
not from elapsed seconds, so a 23- or 25-hour day never moves a hand-off. A
hand-off time that does not exist on a spring-forward day resolves with
zoneinfo's ``fold=0`` (the offset before the change, i.e. an hour later on the
new clock); an ambiguous one means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from ._time import require_aware, to_utc

__all__ = ["Rotation", "Shift", "on_call", "shift_at", "shifts"]


@dataclass(frozen=True)
class Rotation:
    """An ordered list of people taking turns, handing off every ``shift_days`` days."""

    name: str
    timezone: tzinfo
    start: datetime
    participants: tuple[str, ...]
    shift_days: int = 7

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, tzinfo):
            raise ValueError(f"rotation {self.name!r}: timezone must be a tzinfo such as ZoneInfo")
        require_aware(f"rotation {self.name!r} start", self.start)
        # Configuration often arrives as a list; a tuple keeps the rotation hashable.
        object.__setattr__(self, "participants", tuple(self.participants))
        if isinstance(self.shift_days, bool) or not isinstance(self.shift_days, int):
            raise ValueError(f"rotation {self.name!r}: shift_days must be an integer")
        if self.shift_days < 1:
            raise ValueError(f"rotation {self.name!r}: shift_days must be positive, got {self.shift_days}")


@dataclass(frozen=True)
class Shift:
    """One person's turn: ``[starts, ends)``, aware in the rotation's time zone."""

    person: str
    starts: datetime
    ends: datetime


def shift_at(rotation: Rotation, at: datetime) -> Shift | None:
    """Return the shift in progress at ``at``.

    None before the rotation starts or when it has no participants.
    """
    require_aware("at", at)
    if not rotation.participants or to_utc(at) < to_utc(rotation.start):
        return None
    return _shift(rotation, _shift_number(rotation, at))


def on_call(rotation: Rotation, at: datetime) -> str | None:
    """Return the person id on call at ``at``, or None."""
    shift = shift_at(rotation, at)
    return shift.person if shift else None


def shifts(rotation: Rotation, start: datetime, end: datetime) -> Iterator[Shift]:
    """Yield the whole shifts overlapping ``[start, end)``, in order (not clipped)."""
    require_aware("start", start)
    require_aware("end", end)
    if not rotation.participants:
        return
    number = 0 if to_utc(start) < to_utc(rotation.start) else _shift_number(rotation, start)
    while to_utc(_handoff(rotation, number)) < to_utc(end):
        shift = _shift(rotation, number)
        if to_utc(shift.ends) > to_utc(start):
            yield shift
        number += 1


def _local_start(rotation: Rotation) -> datetime:
    """Return the rotation start on the rotation's local clock."""
    return rotation.start.astimezone(rotation.timezone)


def _handoff(rotation: Rotation, number: int) -> datetime:
    """Return when shift ``number`` starts: same local clock time, ``number`` shifts later."""
    local_start = _local_start(rotation)
    if number == 0:
        return local_start
    day = local_start.date() + timedelta(days=number * rotation.shift_days)
    clock = local_start.time().replace(fold=0)
    return datetime.combine(day, clock, tzinfo=rotation.timezone)


def _shift(rotation: Rotation, number: int) -> Shift:
    """Build shift ``number`` (0 = the first, starting at ``rotation.start``)."""
    person = rotation.participants[number % len(rotation.participants)]
    return Shift(person, _handoff(rotation, number), _handoff(rotation, number + 1))


def _shift_number(rotation: Rotation, at: datetime) -> int:
    """Return the number of the shift running at ``at`` (at or after the rotation start)."""
    local_day = at.astimezone(rotation.timezone).date()
    elapsed_days = (local_day - _local_start(rotation).date()).days
    number = elapsed_days // rotation.shift_days
    # On a hand-off day but before the hand-off time, the previous shift still runs.
    if to_utc(_handoff(rotation, number)) > to_utc(at):
        number -= 1
    return number
