"""What the console's on-call page shows, computed from the schedules and the overrides in force.

Who holds each rotation's pager now and next, whom each policy's steps reach now, the coming weeks as a
calendar, and the stretches where a step of a policy reaches nobody. Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from schedules import (
    EscalationPolicy,
    Override,
    Rotation,
    Shift,
    effective_shifts,
    first_position,
    next_position,
    on_call_now,
    resolve,
    shift_at,
    step_at,
)

Overrides = Mapping[str, Sequence[Override]]


@dataclass(frozen=True)
class RotationNow:
    rotation: Rotation
    now: Shift | None
    after: Shift | None  # who takes over when `now` ends


@dataclass(frozen=True)
class StepNow:
    label: str  # "Step 1", "Step 2 (round 2)", "Fallback"
    targets: tuple[str, ...]  # "rotation:on-call-brazil", "person:gabriel"
    reaches: tuple[str, ...]  # person ids
    delay: dt.timedelta


@dataclass(frozen=True)
class Segment:
    """Who holds the pager over part of a day, and whether an override gave it to them."""

    person: str | None
    starts: dt.datetime
    ends: dt.datetime
    by_override: bool


@dataclass(frozen=True)
class Day:
    date: dt.date
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Gap:
    """A stretch in which a step of a policy reaches nobody."""

    policy: str
    step: int  # 1-based, as people count steps
    starts: dt.datetime
    ends: dt.datetime
    zone: str  # the time zone of the step's first rotation, to read the times in


def rotations_now(rotations: Mapping[str, Rotation], overrides: Overrides, at: dt.datetime) -> list[RotationNow]:
    """Each rotation's holder at `at` (with the bounds of their cover) and the next one."""
    found = []
    for rotation_id, rotation in rotations.items():
        applied = overrides.get(rotation_id, ())
        now = on_call_now(rotation, applied, at)
        found.append(RotationNow(rotation, now, on_call_now(rotation, applied, now.ends) if now else None))
    return found


def policy_now(policy: EscalationPolicy, rotations: Mapping[str, Rotation], overrides: Overrides,
               at: dt.datetime) -> list[StepNow]:
    """Every step of the policy, in the order a page runs them (rounds, then the fallback), and whom each
    reaches at `at`. Repeated rounds reach the same people as the first, so they are listed once."""
    found, position = [], first_position(policy)
    while position is not None:
        if position.round == 0 or position.is_fallback:
            step = step_at(policy, position)
            label = "Fallback" if position.is_fallback else f"Step {position.step + 1}"
            targets = tuple(f"{t.kind}:{t.id}" for t in step.targets)
            found.append(StepNow(label, targets, resolve(step, rotations, overrides, at), step.delay))
        position = next_position(policy, position)
    return found


def calendar(rotation: Rotation, overrides: Sequence[Override], first_day: dt.date, days: int) -> list[Day]:
    """`days` local days of the rotation from `first_day`: who holds the pager when, overrides marked."""
    zone = rotation.timezone
    found = []
    for number in range(days):
        date = first_day + dt.timedelta(days=number)
        starts = dt.datetime.combine(date, dt.time(), zone)
        ends = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), zone)
        found.append(Day(date, _segments(rotation, overrides, starts, ends)))
    return found


def _segments(rotation: Rotation, overrides: Sequence[Override], starts: dt.datetime,
              ends: dt.datetime) -> tuple[Segment, ...]:
    """The day cut where the holder may change (the pieces of cover, the overrides' bounds), neighbours of
    the same holder joined."""
    cuts = {starts, ends}
    for piece in effective_shifts(rotation, overrides, starts, ends):
        cuts.update(moment for moment in (piece.starts, piece.ends) if starts < moment < ends)
    for override in overrides:
        cuts.update(moment for moment in (override.starts, override.ends) if starts < moment < ends)
    ordered = sorted(cut.astimezone(rotation.timezone) for cut in cuts)
    segments: list[Segment] = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        holder = on_call_now(rotation, overrides, left)
        segment = Segment(holder.person if holder else None, left, right, _covered(rotation, overrides, left))
        if segments and (segments[-1].person, segments[-1].by_override) == (segment.person, segment.by_override):
            segment = Segment(segment.person, segments.pop().starts, right, segment.by_override)
        segments.append(segment)
    return tuple(segments)


def _covered(rotation: Rotation, overrides: Sequence[Override], at: dt.datetime) -> bool:
    """Whether an override holds the pager at `at` (a swap applies only in the shifts of whom it replaces)."""
    scheduled = shift_at(rotation, at)
    return any(o.starts <= at < o.ends and (o.replaces is None or (scheduled and scheduled.person == o.replaces))
               for o in overrides)


def gaps(policy: EscalationPolicy, rotations: Mapping[str, Rotation], overrides: Overrides,
         starts: dt.datetime, ends: dt.datetime) -> list[Gap]:
    """The stretches of [starts, ends) in which a step of the policy reaches nobody: every target of the
    step a rotation, and none of them with anyone on call. A step naming a person always reaches them."""
    found = []
    for number, step in enumerate(policy.steps, start=1):
        if any(target.kind == "person" for target in step.targets):
            continue
        covered = sorted((max(piece.starts, starts), min(piece.ends, ends))
                         for target in step.targets
                         for piece in effective_shifts(rotations[target.id], overrides.get(target.id, ()),
                                                       starts, ends))
        zone = rotations[step.targets[0].id].timezone
        moment = starts
        for piece_starts, piece_ends in [*covered, (ends, ends)]:
            if piece_starts > moment:
                found.append(Gap(policy.name, number, moment.astimezone(zone), piece_starts.astimezone(zone),
                                 zone.key))
            moment = max(moment, piece_ends)
    return found
