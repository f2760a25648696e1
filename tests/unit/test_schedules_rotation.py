"""On-call rotations: who is on call, hand-offs, and shifts in a range."""

from datetime import datetime, time, timedelta

import pytest

from schedules import Rotation, Shift, on_call, shift_at, shifts
from tests.wallclock import NEW_YORK, SAO_PAULO, UTC, ny, sp, utc

# Hands off every Monday at 09:00 São Paulo time, starting Monday 2026-11-09.
WEEKLY = Rotation("tier 2", SAO_PAULO, sp("2026-11-09 09:00"), ("ana", "bruno", "carla"))
# Hands off every day at 08:00 São Paulo time.
DAILY = Rotation("nights", SAO_PAULO, sp("2026-11-09 08:00"), ("ana", "bruno"), shift_days=1)
# Hands off every Monday at 09:00 New York time, across both 2026 DST changes.
NY_WEEKLY = Rotation("us", NEW_YORK, ny("2026-03-02 09:00"), ("ana", "bruno"))
# Hands off daily at 02:30 New York time, a time that does not exist on 2026-03-08.
NY_SMALL_HOURS = Rotation("late", NEW_YORK, ny("2026-03-07 02:30"), ("ana", "bruno"), shift_days=1)
EMPTY = Rotation("nobody", SAO_PAULO, sp("2026-11-09 09:00"), ())

# (rotation, at, expected person on call)
ON_CALL = [
    (WEEKLY, sp("2026-11-09 08:59:59"), None),  # before the rotation starts
    (WEEKLY, sp("2026-11-09 09:00"), "ana"),  # the first hand-off
    (WEEKLY, sp("2026-11-15 23:00"), "ana"),  # Sunday night, still the first week
    (WEEKLY, sp("2026-11-16 08:59:59"), "ana"),  # hand-off day, before the hand-off time
    (WEEKLY, sp("2026-11-16 09:00"), "bruno"),  # hand-off minute belongs to the new shift
    (WEEKLY, sp("2026-11-23 09:00"), "carla"),  # third week
    (WEEKLY, sp("2026-11-30 09:00"), "ana"),  # wraps around
    (WEEKLY, sp("2027-11-08 09:00"), "bruno"),  # 52 weeks later: 52 % 3 = 1
    (WEEKLY, utc("2026-11-16 11:59:59"), "ana"),  # 08:59:59 in São Paulo, given in UTC
    (WEEKLY, utc("2026-11-16 12:00"), "bruno"),  # 09:00 in São Paulo
    (DAILY, sp("2026-11-09 08:00"), "ana"),  # first daily shift
    (DAILY, sp("2026-11-10 07:59"), "ana"),  # next morning before the hand-off
    (DAILY, sp("2026-11-10 08:00"), "bruno"),  # daily hand-off
    (DAILY, sp("2026-11-10 23:59"), "bruno"),  # late evening
    (DAILY, sp("2026-11-11 08:00"), "ana"),  # wraps around daily
    (DAILY, sp("2026-11-01 08:00"), None),  # a week before the start
    (EMPTY, sp("2026-11-10 12:00"), None),  # no participants
]


@pytest.mark.parametrize(("rotation", "at", "expected"), ON_CALL)
def test_on_call_follows_hand_offs_at_the_local_hand_off_time(rotation, at, expected):
    assert on_call(rotation, at) == expected


# (at, expected person) on a weekly New York rotation; hand-offs stay Monday 09:00 local.
NEW_YORK_ON_CALL = [
    (utc("2026-03-09 12:59:59"), "ana"),  # Monday 08:59:59 EDT, after the spring change
    (utc("2026-03-09 13:00"), "bruno"),  # Monday 09:00 EDT (elapsed-seconds would say 14:00 UTC)
    (utc("2026-03-09 13:30"), "bruno"),  # 09:30 EDT
    (utc("2026-11-02 13:30"), "ana"),  # Monday 08:30 EST, after the autumn change
    (utc("2026-11-02 14:00"), "bruno"),  # Monday 09:00 EST (elapsed-seconds would say 13:00 UTC)
]


@pytest.mark.parametrize(("at", "expected"), NEW_YORK_ON_CALL)
def test_weekly_hand_off_stays_at_nine_local_across_dst(at, expected):
    assert on_call(NY_WEEKLY, at) == expected


# (at, expected shift) — the whole shift in progress.
SHIFTS_AT = [
    (sp("2026-11-18 15:00"), Shift("bruno", sp("2026-11-16 09:00"), sp("2026-11-23 09:00"))),  # mid-week
    (sp("2026-11-09 09:00"), Shift("ana", sp("2026-11-09 09:00"), sp("2026-11-16 09:00"))),  # first shift
    (sp("2026-11-23 08:00"), Shift("bruno", sp("2026-11-16 09:00"), sp("2026-11-23 09:00"))),  # last hour
]


@pytest.mark.parametrize(("at", "expected"), SHIFTS_AT)
def test_shift_at_returns_the_whole_shift_in_progress(at, expected):
    assert shift_at(WEEKLY, at) == expected


# (at, expected start offset, expected end offset) on the New York weekly rotation.
NEW_YORK_SHIFT_BOUNDS = [
    (ny("2026-03-05 12:00"), timedelta(hours=-5), timedelta(hours=-4)),  # week containing the spring change
    (ny("2026-10-29 12:00"), timedelta(hours=-4), timedelta(hours=-5)),  # week containing the autumn change
]


@pytest.mark.parametrize(("at", "starts_offset", "ends_offset"), NEW_YORK_SHIFT_BOUNDS)
def test_shift_bounds_are_nine_local_with_the_offset_of_their_day(at, starts_offset, ends_offset):
    shift = shift_at(NY_WEEKLY, at)
    assert (shift.starts.time(), shift.ends.time()) == (time(9), time(9))
    assert (shift.starts.utcoffset(), shift.ends.utcoffset()) == (starts_offset, ends_offset)
    assert shift.ends - shift.starts == timedelta(days=7)  # same tzinfo: wall-clock difference
    assert shift.ends.astimezone(UTC) - shift.starts.astimezone(UTC) != timedelta(days=7)  # real: 7 d ± 1 h


# (at, expected person) where the 02:30 hand-off does not exist on 2026-03-08; fold=0 puts it at 03:30 EDT.
MISSING_HAND_OFF = [
    (utc("2026-03-08 07:15"), "ana"),  # 03:15 EDT: the skipped 02:30 has not yet resolved
    (utc("2026-03-08 07:30"), "bruno"),  # 03:30 EDT, i.e. 02:30 at the pre-change offset
    (ny("2026-03-09 02:30"), "ana"),  # the next day is back to 02:30 local
]


@pytest.mark.parametrize(("at", "expected"), MISSING_HAND_OFF)
def test_a_hand_off_in_the_skipped_hour_uses_the_pre_change_offset(at, expected):
    assert on_call(NY_SMALL_HOURS, at) == expected


# (rotation, start, end, expected people with their shift starts) for shifts overlapping [start, end).
SHIFT_RANGES = [
    (  # mid-shift to mid-shift: three whole shifts, not clipped
        WEEKLY, sp("2026-11-12 00:00"), sp("2026-11-24 00:00"),
        [("ana", sp("2026-11-09 09:00")), ("bruno", sp("2026-11-16 09:00")), ("carla", sp("2026-11-23 09:00"))],
    ),
    (  # ending exactly at a hand-off excludes the next shift
        WEEKLY, sp("2026-11-12 00:00"), sp("2026-11-16 09:00"),
        [("ana", sp("2026-11-09 09:00"))],
    ),
    (  # starting exactly at a hand-off excludes the previous shift
        WEEKLY, sp("2026-11-16 09:00"), sp("2026-11-16 10:00"),
        [("bruno", sp("2026-11-16 09:00"))],
    ),
    (  # a range beginning before the rotation starts at the first shift
        WEEKLY, sp("2026-11-01 00:00"), sp("2026-11-10 00:00"),
        [("ana", sp("2026-11-09 09:00"))],
    ),
    (WEEKLY, sp("2026-11-01 00:00"), sp("2026-11-09 09:00"), []),  # entirely before the start
    (EMPTY, sp("2026-11-10 00:00"), sp("2026-12-10 00:00"), []),  # no participants
    (  # daily shifts over three days
        DAILY, sp("2026-11-10 12:00"), sp("2026-11-12 12:00"),
        [("bruno", sp("2026-11-10 08:00")), ("ana", sp("2026-11-11 08:00")), ("bruno", sp("2026-11-12 08:00"))],
    ),
    (  # New York across the spring change: hand-offs stay at 09:00 local
        NY_WEEKLY, ny("2026-03-03 00:00"), ny("2026-03-17 00:00"),
        [("ana", ny("2026-03-02 09:00")), ("bruno", ny("2026-03-09 09:00")), ("ana", ny("2026-03-16 09:00"))],
    ),
]


@pytest.mark.parametrize(("rotation", "start", "end", "expected"), SHIFT_RANGES)
def test_shifts_lists_the_shifts_overlapping_a_range(rotation, start, end, expected):
    found = list(shifts(rotation, start, end))
    assert [(s.person, s.starts) for s in found] == expected
    assert all(a.ends == b.starts for a, b in zip(found, found[1:], strict=False))  # contiguous


# (rotation arguments, expected error) — rotations that cannot work.
INVALID_ROTATIONS = [
    ({"shift_days": 0}, "shift_days must be positive"),  # zero-day shifts
    ({"shift_days": -7}, "shift_days must be positive"),  # negative
    ({"shift_days": 1.5}, "shift_days must be an integer"),  # fractional days
    ({"start": datetime(2026, 11, 9, 9)}, "timezone-aware"),  # naive start
]


@pytest.mark.parametrize(("changes", "message"), INVALID_ROTATIONS)
def test_rotations_reject_invalid_settings(changes, message):
    arguments = {"name": "x", "timezone": SAO_PAULO, "start": sp("2026-11-09 09:00"), "participants": ("a",)}
    with pytest.raises(ValueError, match=message):
        Rotation(**(arguments | changes))


def test_rotation_participants_given_as_a_list_are_stored_as_a_tuple():
    rotation = Rotation("x", SAO_PAULO, sp("2026-11-09 09:00"), ["ana", "bruno"])
    assert rotation.participants == ("ana", "bruno")
    assert on_call(rotation, sp("2026-11-16 09:00")) == "bruno"
