"""The on-call page's computations: gaps where a step reaches nobody, the calendar's marked overrides."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from router.oncall_board import Gap, calendar, gaps, policy_now
from schedules import EscalationPolicy, EscalationStep, Override, Rotation, Target

SP = ZoneInfo("America/Sao_Paulo")
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SP)
LATE = Rotation("late", SP, dt.datetime(2026, 11, 26, 9, 0, tzinfo=SP), ("ana",), shift_days=1)
WEEKLY = Rotation("weekly", SP, dt.datetime(2026, 1, 5, 9, 0, tzinfo=SP), ("carla", "diego"))
ROTATIONS = {"late": LATE, "weekly": WEEKLY}


def _policy(*targets: Target) -> EscalationPolicy:
    return EscalationPolicy("p", (EscalationStep(targets, dt.timedelta(minutes=5)),), fallback=("marta",))


def test_a_rotation_that_starts_later_leaves_its_step_reaching_nobody_until_then():
    found = gaps(_policy(Target("rotation", "late")), ROTATIONS, {}, NOW, NOW + dt.timedelta(days=14))
    assert found == [Gap("p", 1, NOW, dt.datetime(2026, 11, 26, 9, 0, tzinfo=SP), "America/Sao_Paulo")]


def test_an_override_closes_the_gap_and_a_person_target_never_has_one():
    cover = {"late": (Override("bruno", NOW - dt.timedelta(hours=1), dt.datetime(2026, 11, 26, 9, 0, tzinfo=SP)),)}
    assert gaps(_policy(Target("rotation", "late")), ROTATIONS, cover, NOW, NOW + dt.timedelta(days=14)) == []
    assert gaps(_policy(Target("rotation", "late"), Target("person", "gabriel")), ROTATIONS, {}, NOW,
                NOW + dt.timedelta(days=14)) == []


def test_two_rotations_of_a_step_cover_for_each_other():
    step = _policy(Target("rotation", "late"), Target("rotation", "weekly"))
    assert gaps(step, ROTATIONS, {}, NOW, NOW + dt.timedelta(days=14)) == []


def test_the_calendar_marks_the_hours_an_override_holds_the_pager():
    swap = Override("diego", dt.datetime(2026, 11, 24, 9, 0, tzinfo=SP), dt.datetime(2026, 11, 25, 9, 0, tzinfo=SP),
                    replaces="carla")
    days = calendar(WEEKLY, (swap,), NOW.date(), 3)
    assert [[(s.person, s.starts.hour, s.by_override) for s in day.segments] for day in days] == [
        [("diego", 0, False), ("carla", 9, False)],
        [("carla", 0, False), ("diego", 9, True)],
        [("diego", 0, True), ("carla", 9, False)],
    ]


def test_the_steps_now_name_whom_they_reach_and_end_with_the_fallback():
    steps = policy_now(_policy(Target("rotation", "weekly")), ROTATIONS, {}, NOW)
    assert [(s.label, s.reaches) for s in steps] == [("Step 1", ("carla",)), ("Fallback", ("marta",))]
