"""Overrides on top of a rotation: who is on call at a moment, and until when.

An override hands the pager to ``person`` over ``[starts, ends)``. With
``replaces`` set it is a swap and only applies while that person is scheduled;
without it, it covers whoever is on call (a holiday cover). When several
overrides apply at once, the one that started last wins.

Cover is reported as continuous pieces: the holder changes only at a rotation
hand-off or at an override's start or end, and neighbouring pieces held by the
same person are joined. Two plain rotation shifts of the same person (a
one-person rotation) stay separate, as the rotation lists them; joining them
would make "until when" endless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ._time import require_aware, to_utc
from .rotation import Rotation, Shift, shift_at

__all__ = ["Override", "effective_shifts", "on_call_now"]

# Datetimes have microsecond resolution, so "before t + 1 µs" means "at or before t".
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Override:
    """``person`` holds the pager over ``[starts, ends)``; only in ``replaces``'s shifts if set."""

    person: str
    starts: datetime
    ends: datetime
    replaces: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.person, str) or not self.person:
            raise ValueError("override person must be a non-empty person id")
        require_aware("override starts", self.starts)
        require_aware("override ends", self.ends)
        if to_utc(self.ends) <= to_utc(self.starts):
            raise ValueError(f"override for {self.person!r} must end after it starts: "
                             f"{self.starts.isoformat()} - {self.ends.isoformat()}")


@dataclass(frozen=True)
class _Holder:
    """Who holds the pager over one stretch between change points, and whether an override gave it."""

    person: str
    by_override: bool


def on_call_now(rotation: Rotation, overrides: Sequence[Override], at: datetime) -> Shift | None:
    """Return who is on call at ``at`` and the bounds of their continuous cover around it.

    The rotation's shift, cut by the overrides that apply. None when nobody is
    on call (before the rotation starts or with no participants, and no
    override). Bounds are given in the rotation's time zone.
    """
    require_aware("at", at)
    holder = _holder(rotation, overrides, at)
    if holder is None:
        return None
    starts = _cover_start(rotation, overrides, at, holder)
    ends = _cover_end(rotation, overrides, at, holder)
    zone = rotation.timezone
    return Shift(holder.person, starts.astimezone(zone), ends.astimezone(zone))


def effective_shifts(
    rotation: Rotation, overrides: Sequence[Override], start: datetime, end: datetime
) -> list[Shift]:
    """Return the pieces of cover overlapping ``[start, end)``, in order, with overrides cut in.

    Each piece is what :func:`on_call_now` returns inside it: not clipped to the
    range (like :func:`~schedules.rotation.shifts`), so a calendar event keeps
    its real start however the range moves. Stretches where nobody is on call
    are left out.
    """
    require_aware("start", start)
    require_aware("end", end)
    pieces: list[Shift] = []
    moment: datetime | None = to_utc(start)
    while moment is not None and moment < to_utc(end):
        piece = on_call_now(rotation, overrides, moment)
        if piece is None:
            moment = _next_change(rotation, overrides, moment)
            continue
        pieces.append(piece)
        moment = to_utc(piece.ends)
    return pieces


def _cover_start(rotation: Rotation, overrides: Sequence[Override], at: datetime, holder: _Holder) -> datetime:
    """Walk back from ``at`` over change points while the cover stays one piece; return its start."""
    starts = _previous_change(rotation, overrides, to_utc(at) + _TICK)
    if starts is None:
        raise AssertionError("a held pager always started at a hand-off or an override start")
    while (before := _previous_change(rotation, overrides, starts)) is not None:
        earlier = _holder(rotation, overrides, before)
        if earlier is None or not _joins(rotation, earlier, holder, starts):
            break
        starts, holder = before, earlier
    return starts


def _cover_end(rotation: Rotation, overrides: Sequence[Override], at: datetime, holder: _Holder) -> datetime:
    """Walk forward from ``at`` over change points while the cover stays one piece; return its end."""
    ends = _next_change(rotation, overrides, at)
    while ends is not None:
        later = _holder(rotation, overrides, ends)
        if later is None or not _joins(rotation, holder, later, ends):
            return ends
        ends, holder = _next_change(rotation, overrides, ends), later
    raise AssertionError("a held pager always ends at a hand-off or an override end")


def _holder(rotation: Rotation, overrides: Sequence[Override], at: datetime) -> _Holder | None:
    """Return who holds the pager at ``at``: the latest-started applicable override, else the rotation."""
    scheduled = shift_at(rotation, at)
    scheduled_person = scheduled.person if scheduled else None
    moment = to_utc(at)
    winner: Override | None = None
    for override in overrides:
        active = to_utc(override.starts) <= moment < to_utc(override.ends)
        applies = override.replaces is None or override.replaces == scheduled_person
        # ">=" lets the later of two overrides starting together win, so the order given decides ties.
        if active and applies and (winner is None or to_utc(override.starts) >= to_utc(winner.starts)):
            winner = override
    if winner is not None:
        return _Holder(winner.person, by_override=True)
    return _Holder(scheduled_person, by_override=False) if scheduled_person else None


def _joins(rotation: Rotation, left: _Holder | None, right: _Holder | None, at: datetime) -> bool:
    """Tell whether the cover before ``at`` (``left``) and after it (``right``) is one piece."""
    if left is None or right is None or left.person != right.person:
        return False
    return left.by_override or right.by_override or not _is_handoff(rotation, at)


def _is_handoff(rotation: Rotation, at: datetime) -> bool:
    """Tell whether a rotation shift starts exactly at ``at``."""
    shift = shift_at(rotation, at)
    return shift is not None and to_utc(shift.starts) == to_utc(at)


def _next_change(rotation: Rotation, overrides: Sequence[Override], at: datetime) -> datetime | None:
    """Return the first moment after ``at`` (in UTC) where the holder may change: a hand-off or an override bound."""
    moment = to_utc(at)
    candidates = [bound for o in overrides for bound in (to_utc(o.starts), to_utc(o.ends)) if bound > moment]
    if rotation.participants:
        shift = shift_at(rotation, moment)
        candidates.append(to_utc(shift.ends) if shift else to_utc(rotation.start))
    return min(candidates, default=None)


def _previous_change(rotation: Rotation, overrides: Sequence[Override], at: datetime) -> datetime | None:
    """Return the last moment before ``at`` (in UTC) where the holder may change."""
    moment = to_utc(at)
    candidates = [bound for o in overrides for bound in (to_utc(o.starts), to_utc(o.ends)) if bound < moment]
    shift = shift_at(rotation, moment - _TICK)
    if shift is not None:
        candidates.append(to_utc(shift.starts))
    return max(candidates, default=None)
