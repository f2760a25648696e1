"""Escalation policies as pure data: steps, rounds, the fallback, and whom a step reaches.

A policy runs its steps in order, the whole list ``1 + repeat`` times, then
pages its fallback people once. After that escalation stops and the page stays
open, as in GoAlert. A position is ``(round, step)``, the same pair the paging
engine stores; the fallback is round ``repeat + 1``, step 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ._time import require_aware, to_utc
from .oncall import Override, on_call_now
from .rotation import Rotation

__all__ = [
    "EscalationPolicy",
    "EscalationStep",
    "Position",
    "Target",
    "first_position",
    "next_position",
    "resolve",
    "step_at",
    "timeline",
]

MIN_DELAY, MAX_DELAY = timedelta(minutes=1), timedelta(hours=150)
MIN_RING, MAX_RING = 5, 120
MAX_REPEAT = 5


@dataclass(frozen=True)
class Target:
    """Whom a step pages: everyone on call in a rotation, or one person."""

    kind: Literal["rotation", "person"]
    id: str

    def __post_init__(self) -> None:
        if self.kind not in ("rotation", "person"):
            raise ValueError(f"target kind must be 'rotation' or 'person', got {self.kind!r}")
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"{self.kind} target needs a non-empty id")


@dataclass(frozen=True)
class EscalationStep:
    """Targets paged together, how long to wait for an acknowledgement, and the live-connect ring time."""

    targets: tuple[Target, ...]
    delay: timedelta
    ring_seconds: int = 25

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", tuple(self.targets))
        if not self.targets:
            raise ValueError("an escalation step needs at least one target")
        if not isinstance(self.delay, timedelta) or not MIN_DELAY <= self.delay <= MAX_DELAY:
            raise ValueError(f"step delay must be between 1 minute and 150 hours, got {self.delay!r}")
        if isinstance(self.ring_seconds, bool) or not isinstance(self.ring_seconds, int):
            raise ValueError(f"ring_seconds must be an integer, got {self.ring_seconds!r}")
        if not MIN_RING <= self.ring_seconds <= MAX_RING:
            raise ValueError(f"ring_seconds must be between {MIN_RING} and {MAX_RING}, got {self.ring_seconds}")


@dataclass(frozen=True)
class EscalationPolicy:
    """Ordered steps, run ``1 + repeat`` times, then the ``fallback`` people (the support manager, say)."""

    name: str
    steps: tuple[EscalationStep, ...]
    repeat: int = 0
    fallback: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Configuration often arrives as lists; tuples keep the policy hashable.
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "fallback", tuple(self.fallback))
        if not self.steps:
            raise ValueError(f"policy {self.name!r} needs at least one step")
        if isinstance(self.repeat, bool) or not isinstance(self.repeat, int):
            raise ValueError(f"policy {self.name!r}: repeat must be an integer")
        if not 0 <= self.repeat <= MAX_REPEAT:
            raise ValueError(f"policy {self.name!r}: repeat must be between 0 and {MAX_REPEAT}, got {self.repeat}")
        if not all(isinstance(person, str) and person for person in self.fallback):
            raise ValueError(f"policy {self.name!r}: fallback must be non-empty person ids")


@dataclass(frozen=True)
class Position:
    """Where a page is in its policy: ``round`` (0-based) and ``step`` (index in the steps).

    ``fallback`` is set on positions this module hands out for the fallback;
    the functions taking a policy also recognise a bare ``Position(repeat + 1, 0)``
    rebuilt from stored numbers.
    """

    round: int
    step: int
    fallback: bool = False

    def __post_init__(self) -> None:
        if self.round < 0 or self.step < 0:
            raise ValueError(f"position numbers cannot be negative: round {self.round}, step {self.step}")
        if self.fallback and self.step != 0:
            raise ValueError("the fallback position has step 0")

    @property
    def is_fallback(self) -> bool:
        """True for the fallback, paged after the last round."""
        return self.fallback


def first_position(policy: EscalationPolicy) -> Position:
    """Return where every page starts: the first step of the first round."""
    return Position(0, 0)


def next_position(policy: EscalationPolicy, position: Position) -> Position | None:
    """Return the position after ``position``, or None when escalation stops.

    The next step; after a round's last step, the next round; after the last
    round, the fallback if the policy has one; after the fallback, None.
    """
    position = _checked(policy, position)
    if position.is_fallback:
        return None
    if position.step + 1 < len(policy.steps):
        return Position(position.round, position.step + 1)
    if position.round < policy.repeat:
        return Position(position.round + 1, 0)
    return _fallback_position(policy) if policy.fallback else None


def step_at(policy: EscalationPolicy, position: Position) -> EscalationStep:
    """Return the step at ``position``.

    The fallback acts as a step paging its people, with the delay and ring
    time of the policy's last step.
    """
    position = _checked(policy, position)
    if not position.is_fallback:
        return policy.steps[position.step]
    last = policy.steps[-1]
    targets = tuple(Target("person", person) for person in policy.fallback)
    return EscalationStep(targets, last.delay, last.ring_seconds)


def resolve(
    step: EscalationStep,
    rotations: Mapping[str, Rotation],
    overrides: Mapping[str, Sequence[Override]],
    at: datetime,
) -> tuple[str, ...]:
    """Return the person ids ``step`` reaches at ``at``, in target order, without duplicates.

    A rotation target reaches whoever is on call in it (overrides applied); a
    person target reaches that person. An empty tuple means nobody, and the
    engine moves on at once. Raises ValueError for a rotation not in ``rotations``.
    """
    require_aware("at", at)
    people: dict[str, None] = {}
    for target in step.targets:
        if target.kind == "person":
            people[target.id] = None
            continue
        if target.id not in rotations:
            raise ValueError(f"unknown rotation {target.id!r}")
        shift = on_call_now(rotations[target.id], overrides.get(target.id, ()), at)
        if shift is not None:
            people[shift.person] = None
    return tuple(people)


def timeline(
    policy: EscalationPolicy,
    rotations: Mapping[str, Rotation],
    overrides: Mapping[str, Sequence[Override]],
    opened_at: datetime,
) -> list[tuple[datetime, Position, tuple[str, ...]]]:
    """Return when each step fires if nobody acknowledges: ``(moment, position, people)``.

    The first step fires at ``opened_at``, each next one its predecessor's
    ``delay`` later, except that a step reaching nobody is passed at once. Ends
    with the fallback (or the last step). Moments are in ``opened_at``'s zone.
    """
    require_aware("opened_at", opened_at)
    entries: list[tuple[datetime, Position, tuple[str, ...]]] = []
    moment = to_utc(opened_at)
    position: Position | None = first_position(policy)
    while position is not None:
        step = step_at(policy, position)
        people = resolve(step, rotations, overrides, moment)
        entries.append((moment.astimezone(opened_at.tzinfo), position, people))
        if people:
            # Elapsed time, in UTC: a 1-hour wait across a DST change is still an hour.
            moment += step.delay
        position = next_position(policy, position)
    return entries


def _fallback_position(policy: EscalationPolicy) -> Position:
    """Return the fallback's position in ``policy``."""
    return Position(policy.repeat + 1, 0, fallback=True)


def _checked(policy: EscalationPolicy, position: Position) -> Position:
    """Return ``position`` as a position of ``policy`` (fallback flag set), or raise ValueError."""
    if position.round == policy.repeat + 1 and position.step == 0 and policy.fallback:
        return _fallback_position(policy)
    if position.is_fallback or position.round > policy.repeat or position.step >= len(policy.steps):
        raise ValueError(f"{position!r} is not a position of policy {policy.name!r}")
    return position
