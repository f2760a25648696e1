"""Escalation policies: the walk through steps and rounds, whom a step reaches, when steps fire,
and how each reached person is contacted (SMS, voice, the quiet interval between calls)."""

from datetime import timedelta

import pytest

from schedules import (
    DEFAULT_CONTACT,
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    Override,
    Position,
    Rotation,
    Target,
    contact_plan,
    first_position,
    next_position,
    quiet_until,
    resolve,
    step_at,
    timeline,
)
from tests.wallclock import NEW_YORK, SAO_PAULO, ny, sp, utc

MINUTE = timedelta(minutes=1)
# Hands off every Monday at 09:00 São Paulo time: ana from 2026-11-09, bruno from 11-16, carla from 11-23.
TIER2 = Rotation("tier 2", SAO_PAULO, sp("2026-11-09 09:00"), ("ana", "bruno", "carla"))
# A second weekly rotation: dora from 2026-11-09, erik from 11-16.
BACKUP = Rotation("backup", SAO_PAULO, sp("2026-11-09 09:00"), ("dora", "erik"))
EMPTY = Rotation("empty", SAO_PAULO, sp("2026-11-09 09:00"), ())
# Daily hand-off at 09:00 New York time: ana on 2026-03-07, bruno on 03-08 (the spring-forward Sunday).
US = Rotation("us", NEW_YORK, ny("2026-03-07 09:00"), ("ana", "bruno"), shift_days=1)
ROTATIONS = {"tier2": TIER2, "backup": BACKUP, "empty": EMPTY, "us": US}
# Dora covers tier 2 from Wednesday 18:00 to Friday 09:00 in bruno's week.
OVERRIDES = {"tier2": (Override("dora", sp("2026-11-18 18:00"), sp("2026-11-20 09:00")),)}


def step(*targets, minutes=5):
    """A step from "kind:id" strings."""
    return EscalationStep(tuple(Target(*t.split(":")) for t in targets), minutes * MINUTE)


TWO_STEPS = (step("rotation:tier2"), step("person:lead", minutes=10))
WITH_FALLBACK = EscalationPolicy("critical", TWO_STEPS, repeat=1, fallback=("manager",))
WITHOUT_FALLBACK = EscalationPolicy("critical", TWO_STEPS, repeat=1)
SINGLE = EscalationPolicy("single", (step("person:lead"),))

# (policy, expected positions from the first one, in order, until None)
WALKS = [
    (  # two steps, two rounds, then the fallback
        WITH_FALLBACK,
        [Position(0, 0), Position(0, 1), Position(1, 0), Position(1, 1), Position(2, 0, fallback=True)],
    ),
    (WITHOUT_FALLBACK, [Position(0, 0), Position(0, 1), Position(1, 0), Position(1, 1)]),  # stops after round 2
    (SINGLE, [Position(0, 0)]),  # one step, no repeat, no fallback
    (  # one step repeated twice, then the fallback
        EscalationPolicy("p", (step("person:lead"),), repeat=2, fallback=("manager",)),
        [Position(0, 0), Position(1, 0), Position(2, 0), Position(3, 0, fallback=True)],
    ),
]


@pytest.mark.parametrize(("policy", "expected"), WALKS)
def test_next_position_walks_steps_then_rounds_then_the_fallback_then_stops(policy, expected):
    walked, position = [], first_position(policy)
    while position is not None:
        walked.append(position)
        position = next_position(policy, position)
    assert walked == expected


def test_only_the_fallback_position_says_it_is_the_fallback():
    assert next_position(WITH_FALLBACK, Position(1, 1)).is_fallback
    assert not next_position(WITH_FALLBACK, Position(0, 1)).is_fallback


# (position rebuilt from stored numbers, expected next position)
STORED_POSITIONS = [
    (Position(0, 1), Position(1, 0)),  # end of round 1 → round 2
    (Position(2, 0), None),  # the fallback, stored as plain numbers: escalation stops
]


@pytest.mark.parametrize(("position", "expected"), STORED_POSITIONS)
def test_next_position_reads_positions_rebuilt_from_stored_numbers(position, expected):
    assert next_position(WITH_FALLBACK, position) == expected


# (policy, position, expected targets, delay, ring seconds)
STEPS_AT = [
    (WITH_FALLBACK, Position(0, 0), (Target("rotation", "tier2"),), 5 * MINUTE, 25),  # first step
    (WITH_FALLBACK, Position(1, 1), (Target("person", "lead"),), 10 * MINUTE, 25),  # second step, second round
    # the fallback pages its people with the last step's delay
    (WITH_FALLBACK, Position(2, 0, fallback=True), (Target("person", "manager"),), 10 * MINUTE, 25),
    (WITH_FALLBACK, Position(2, 0), (Target("person", "manager"),), 10 * MINUTE, 25),  # same, from stored numbers
    (  # the fallback's ring time is the last step's too
        EscalationPolicy("p", (EscalationStep((Target("person", "a"),), MINUTE, 40),), fallback=("m", "n")),
        Position(1, 0), (Target("person", "m"), Target("person", "n")), MINUTE, 40,
    ),
]


@pytest.mark.parametrize(("policy", "position", "targets", "delay", "ring"), STEPS_AT)
def test_step_at_returns_the_step_or_the_fallback_as_a_step(policy, position, targets, delay, ring):
    found = step_at(policy, position)
    assert (found.targets, found.delay, found.ring_seconds) == (targets, delay, ring)


# (policy, position) — positions outside the policy.
OUTSIDE = [
    (WITH_FALLBACK, Position(0, 2)),  # only two steps
    (WITH_FALLBACK, Position(3, 0)),  # past the fallback
    (WITH_FALLBACK, Position(1, 0, fallback=True)),  # the fallback flag on a round
    (WITHOUT_FALLBACK, Position(2, 0)),  # no fallback to be at
]


@pytest.mark.parametrize(("policy", "position"), OUTSIDE)
def test_positions_outside_the_policy_are_refused(policy, position):
    with pytest.raises(ValueError, match="is not a position of policy"):
        step_at(policy, position)
    with pytest.raises(ValueError, match="is not a position of policy"):
        next_position(policy, position)


# (targets, at, expected people reached)
RESOLVED = [
    (("rotation:tier2", "person:lead"), sp("2026-11-18 12:00"), ("bruno", "lead")),  # bruno's week, then lead
    (("rotation:tier2", "person:bruno"), sp("2026-11-18 12:00"), ("bruno",)),  # duplicate dropped
    (("person:bruno", "rotation:tier2"), sp("2026-11-18 12:00"), ("bruno",)),  # first mention kept
    (("rotation:tier2", "rotation:backup"), sp("2026-11-18 12:00"), ("bruno", "erik")),  # two rotations
    (("rotation:tier2", "person:lead"), sp("2026-11-19 12:00"), ("dora", "lead")),  # dora's cover applies
    (("rotation:tier2", "rotation:backup"), sp("2026-11-11 12:00"), ("ana", "dora")),  # first week
    (("rotation:backup", "rotation:tier2"), sp("2026-11-19 12:00"), ("erik", "dora")),  # order kept
    (("rotation:tier2", "rotation:backup"), sp("2026-11-09 12:00") - timedelta(days=1), ()),  # before both start
    (("rotation:backup",), sp("2026-11-19 12:00"), ("erik",)),  # tier 2's override does not touch backup
    (("rotation:empty",), sp("2026-11-19 12:00"), ()),  # nobody in the rotation
    (("rotation:empty", "person:lead"), sp("2026-11-19 12:00"), ("lead",)),  # the person still reached
]


@pytest.mark.parametrize(("targets", "at", "expected"), RESOLVED)
def test_resolve_reaches_who_is_on_call_with_overrides_in_order_without_duplicates(targets, at, expected):
    assert resolve(step(*targets), ROTATIONS, OVERRIDES, at) == expected


def test_resolve_refuses_an_unknown_rotation():
    with pytest.raises(ValueError, match="unknown rotation 'nights'"):
        resolve(step("rotation:nights"), ROTATIONS, OVERRIDES, sp("2026-11-18 12:00"))


def test_timeline_skips_a_step_reaching_nobody_at_once_and_waits_each_delay_otherwise():
    policy = EscalationPolicy(
        "critical",
        (step("rotation:empty"), step("rotation:tier2"), step("person:lead", minutes=10)),
        fallback=("manager",),
    )
    assert timeline(policy, ROTATIONS, OVERRIDES, sp("2026-11-18 10:00")) == [
        (sp("2026-11-18 10:00"), Position(0, 0), ()),  # the empty rotation: passed at once
        (sp("2026-11-18 10:00"), Position(0, 1), ("bruno",)),  # same moment
        (sp("2026-11-18 10:05"), Position(0, 2), ("lead",)),  # 5 minutes later
        (sp("2026-11-18 10:15"), Position(1, 0, fallback=True), ("manager",)),  # 10 minutes later
    ]


def test_timeline_resolves_each_step_at_the_moment_it_fires():
    policy = EscalationPolicy("p", (step("rotation:tier2", minutes=60),), repeat=2)
    assert timeline(policy, ROTATIONS, OVERRIDES, sp("2026-11-18 16:30")) == [
        (sp("2026-11-18 16:30"), Position(0, 0), ("bruno",)),  # before dora's cover
        (sp("2026-11-18 17:30"), Position(1, 0), ("bruno",)),  # still before it
        (sp("2026-11-18 18:30"), Position(2, 0), ("dora",)),  # the cover started at 18:00
    ]


def test_timeline_delays_are_elapsed_time_across_the_spring_change():
    policy = EscalationPolicy("p", (step("rotation:us", minutes=60),), repeat=1)
    assert timeline(policy, ROTATIONS, {}, ny("2026-03-08 01:30")) == [
        (ny("2026-03-08 01:30"), Position(0, 0), ("ana",)),  # Saturday's shift runs to Sunday 09:00
        (ny("2026-03-08 03:30"), Position(1, 0), ("ana",)),  # one hour later: 02:30 does not exist
    ]


def test_timeline_ends_after_the_last_step_without_a_fallback():
    entries = timeline(WITHOUT_FALLBACK, ROTATIONS, OVERRIDES, sp("2026-11-18 10:00"))
    assert [(moment, people) for moment, _, people in entries] == [
        (sp("2026-11-18 10:00"), ("bruno",)),  # round 1, step 1
        (sp("2026-11-18 10:05"), ("lead",)),  # round 1, step 2
        (sp("2026-11-18 10:15"), ("bruno",)),  # round 2, step 1
        (sp("2026-11-18 10:20"), ("lead",)),  # round 2, step 2; then escalation stops
    ]


TARGET = (Target("person", "lead"),)

# (constructor, arguments, expected error) — policies that cannot work.
INVALID = [
    (EscalationPolicy, ("p", ()), "at least one step"),  # no steps
    (EscalationPolicy, ("p", TWO_STEPS, 6), "repeat must be between 0 and 5"),  # too many repeats
    (EscalationPolicy, ("p", TWO_STEPS, -1), "repeat must be between 0 and 5"),  # negative repeat
    (EscalationPolicy, ("p", TWO_STEPS, 0, ("",)), "fallback must be non-empty person ids"),  # blank fallback
    (EscalationStep, ((), MINUTE), "at least one target"),  # no targets
    (EscalationStep, (TARGET, timedelta(seconds=59)), "between 1 minute and 150 hours"),  # too short
    (EscalationStep, (TARGET, timedelta(hours=150, seconds=1)), "between 1 minute and 150 hours"),  # too long
    (EscalationStep, (TARGET, 5), "between 1 minute and 150 hours"),  # minutes as a bare number
    (EscalationStep, (TARGET, MINUTE, 4), "ring_seconds must be between 5 and 120"),  # rings too briefly
    (EscalationStep, (TARGET, MINUTE, 121), "ring_seconds must be between 5 and 120"),  # rings too long
    (Target, ("team", "x"), "must be 'rotation' or 'person'"),  # unknown kind
    (Target, ("person", ""), "non-empty id"),  # blank id
    (Position, (-1, 0), "cannot be negative"),  # negative round
]


@pytest.mark.parametrize(("kind", "arguments", "message"), INVALID)
def test_invalid_policies_are_refused_when_built(kind, arguments, message):
    with pytest.raises(ValueError, match=message):
        kind(*arguments)


# (delay, ring seconds) at the limits, which are allowed.
LIMITS = [
    (MINUTE, 5),  # shortest delay, shortest ring
    (timedelta(hours=150), 120),  # longest delay (9000 minutes, as GoAlert), longest ring
]


@pytest.mark.parametrize(("delay", "ring"), LIMITS)
def test_steps_at_the_limits_are_accepted(delay, ring):
    assert EscalationStep(TARGET, delay, ring).delay == delay


SMS, VOICE = ContactMethod("sms"), ContactMethod("voice")

# (methods, reached at, expected plan)
PLANS = [
    (DEFAULT_CONTACT, sp("2026-11-18 10:00"), [(sp("2026-11-18 10:00"), "sms"), (sp("2026-11-18 10:00"), "voice")]),
    # a call a minute after the SMS, listed first: sorted by time
    ((ContactMethod("voice", MINUTE), SMS), sp("2026-11-18 10:00"),
     [(sp("2026-11-18 10:00"), "sms"), (sp("2026-11-18 10:01"), "voice")]),
    # equal times keep the order given
    ((VOICE, SMS), sp("2026-11-18 10:00"), [(sp("2026-11-18 10:00"), "voice"), (sp("2026-11-18 10:00"), "sms")]),
    # several delays interleaved
    ((ContactMethod("voice", 5 * MINUTE), ContactMethod("sms", 2 * MINUTE), SMS), sp("2026-11-18 10:00"),
     [(sp("2026-11-18 10:00"), "sms"), (sp("2026-11-18 10:02"), "sms"), (sp("2026-11-18 10:05"), "voice")]),
    # elapsed minutes across the spring change: 01:59 EST + 2 min is 03:01 EDT
    ((ContactMethod("voice", 2 * MINUTE),), ny("2026-03-08 01:59"), [(ny("2026-03-08 03:01"), "voice")]),
    ((), sp("2026-11-18 10:00"), []),  # no methods: nothing sent
]


@pytest.mark.parametrize(("methods", "reached_at", "expected"), PLANS)
def test_contact_plan_lists_sends_in_time_order(methods, reached_at, expected):
    assert contact_plan(methods, reached_at) == expected


def test_contact_plan_keeps_the_zone_of_the_moment_given():
    (when, _), = contact_plan((ContactMethod("voice", MINUTE),), sp("2026-11-18 10:00"))
    assert (when.tzinfo, when.hour, when.minute) == (sp("2026-11-18 10:00").tzinfo, 10, 1)


# (voice calls placed, quiet interval, expected first moment of the next call)
QUIET = [
    ((), 15 * MINUTE, None),  # never called: call at once
    ((sp("2026-11-18 10:00"),), 15 * MINUTE, sp("2026-11-18 10:15")),  # one call
    ((sp("2026-11-18 10:00"), sp("2026-11-18 10:20"), sp("2026-11-18 10:05")), 15 * MINUTE,
     sp("2026-11-18 10:35")),  # the latest call counts, whatever the order
    ((sp("2026-11-18 10:00"), utc("2026-11-18 12:30")), 15 * MINUTE,
     sp("2026-11-18 10:15")),  # 12:30 UTC is 09:30 in São Paulo: earlier, by instant
    ((sp("2026-11-18 10:00"),), timedelta(0), sp("2026-11-18 10:00")),  # no quiet interval
    ((ny("2026-03-08 01:50"),), 15 * MINUTE, ny("2026-03-08 03:05")),  # elapsed across the spring change
]


@pytest.mark.parametrize(("calls", "quiet", "expected"), QUIET)
def test_quiet_until_is_the_quiet_interval_after_the_latest_call(calls, quiet, expected):
    assert quiet_until(calls, quiet) == expected


# (constructor call, expected error) — contact settings that cannot work.
INVALID_CONTACT = [
    (lambda: ContactMethod("email"), "must be 'sms' or 'voice'"),  # unknown channel
    (lambda: ContactMethod("voice", -MINUTE), "non-negative timedelta"),  # before the page
    (lambda: ContactMethod("voice", 1), "non-negative timedelta"),  # a bare number
    (lambda: quiet_until((), -MINUTE), "cannot be negative"),  # negative quiet interval
    (lambda: contact_plan(DEFAULT_CONTACT, sp("2026-11-18 10:00").replace(tzinfo=None)), "timezone-aware"),
]


@pytest.mark.parametrize(("call", "message"), INVALID_CONTACT)
def test_invalid_contact_settings_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
