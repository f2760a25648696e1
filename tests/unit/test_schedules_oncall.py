"""Overrides on rotations: who is on call now, until when, and the timeline of cover."""

from datetime import timedelta

import pytest

from schedules import Override, Rotation, Shift, effective_shifts, on_call_now
from tests.wallclock import NEW_YORK, SAO_PAULO, UTC, ny, sp, utc

# Hands off every Monday at 09:00 São Paulo time: ana from 2026-11-09, bruno from 11-16, carla from 11-23.
WEEKLY = Rotation("tier 2", SAO_PAULO, sp("2026-11-09 09:00"), ("ana", "bruno", "carla"))
# One person, every week: her shifts stay separate weeks.
SOLO = Rotation("solo", SAO_PAULO, sp("2026-11-09 09:00"), ("ana",))
EMPTY = Rotation("nobody", SAO_PAULO, sp("2026-11-09 09:00"), ())
# Hands off Mondays 09:00 New York time; 2026-03-08 is the spring-forward Sunday (EST -5 to EDT -4).
NY_WEEKLY = Rotation("us", NEW_YORK, ny("2026-03-02 09:00"), ("ana", "bruno"))

# Dora covers Wednesday 18:00 to Friday 09:00 in the middle of bruno's week (a holiday cover).
HOLIDAY = Override("dora", sp("2026-11-18 18:00"), sp("2026-11-20 09:00"))
# Carla takes ana's shifts from Friday 13th 00:00 to Wednesday 18th; bruno's week starts in between.
SWAP = Override("carla", sp("2026-11-13 00:00"), sp("2026-11-18 00:00"), replaces="ana")
# Dora covers three days; erik covers one day inside them, starting later.
LONG = Override("dora", sp("2026-11-17 00:00"), sp("2026-11-20 00:00"))
INNER = Override("erik", sp("2026-11-18 00:00"), sp("2026-11-19 00:00"))
# Carla covers bruno's last weekend, right before her own week (Friday 18:00 to Monday 09:00).
WEEKEND = Override("carla", sp("2026-11-20 18:00"), sp("2026-11-23 09:00"))
# Dora covers the weekend before the rotation starts.
BEFORE_START = Override("dora", sp("2026-11-06 18:00"), sp("2026-11-09 09:00"))


def shift(person, starts, ends):
    """A São Paulo shift written as text."""
    return Shift(person, sp(starts), sp(ends))


# (rotation, overrides, at, expected shift: who and the bounds of their continuous cover)
ON_CALL_NOW = [
    # no override: the rotation's whole shift
    (WEEKLY, [], sp("2026-11-11 12:00"), shift("ana", "2026-11-09 09:00", "2026-11-16 09:00")),
    # holiday cover coming later in bruno's shift: his cover ends where it starts
    (WEEKLY, [HOLIDAY], sp("2026-11-17 12:00"), shift("bruno", "2026-11-16 09:00", "2026-11-18 18:00")),
    # the first minute of the cover belongs to dora
    (WEEKLY, [HOLIDAY], sp("2026-11-18 18:00"), shift("dora", "2026-11-18 18:00", "2026-11-20 09:00")),
    # during the cover: exactly the override's range
    (WEEKLY, [HOLIDAY], sp("2026-11-19 12:00"), shift("dora", "2026-11-18 18:00", "2026-11-20 09:00")),
    # the end minute is bruno's again, until his hand-off
    (WEEKLY, [HOLIDAY], sp("2026-11-20 09:00"), shift("bruno", "2026-11-20 09:00", "2026-11-23 09:00")),
    # an override in another week changes nothing
    (WEEKLY, [HOLIDAY], sp("2026-11-24 12:00"), shift("carla", "2026-11-23 09:00", "2026-11-30 09:00")),
    # a swap for ana: ana until it starts
    (WEEKLY, [SWAP], sp("2026-11-12 12:00"), shift("ana", "2026-11-09 09:00", "2026-11-13 00:00")),
    # the swap applies in ana's shift and stops at her hand-off
    (WEEKLY, [SWAP], sp("2026-11-14 12:00"), shift("carla", "2026-11-13 00:00", "2026-11-16 09:00")),
    # the swap does not apply while bruno is scheduled, though it is still running
    (WEEKLY, [SWAP], sp("2026-11-17 12:00"), shift("bruno", "2026-11-16 09:00", "2026-11-23 09:00")),
    # two overlapping covers: before the later one starts, the earlier one holds
    (WEEKLY, [LONG, INNER], sp("2026-11-17 12:00"), shift("dora", "2026-11-17 00:00", "2026-11-18 00:00")),
    # the later-started cover wins while it runs
    (WEEKLY, [LONG, INNER], sp("2026-11-18 12:00"), shift("erik", "2026-11-18 00:00", "2026-11-19 00:00")),
    # whatever the order they are listed in
    (WEEKLY, [INNER, LONG], sp("2026-11-18 12:00"), shift("erik", "2026-11-18 00:00", "2026-11-19 00:00")),
    # after the inner one ends, the earlier cover resumes to its own end
    (WEEKLY, [INNER, LONG], sp("2026-11-19 12:00"), shift("dora", "2026-11-19 00:00", "2026-11-20 00:00")),
    # a cover right before the person's own week joins it: continuous cover to the end of her week
    (WEEKLY, [WEEKEND], sp("2026-11-21 12:00"), shift("carla", "2026-11-20 18:00", "2026-11-30 09:00")),
    # the same piece seen from inside her own week
    (WEEKLY, [WEEKEND], sp("2026-11-25 12:00"), shift("carla", "2026-11-20 18:00", "2026-11-30 09:00")),
    # an override before the rotation starts
    (WEEKLY, [BEFORE_START], sp("2026-11-07 12:00"), shift("dora", "2026-11-06 18:00", "2026-11-09 09:00")),
    # before the rotation and before any override: nobody
    (WEEKLY, [BEFORE_START], sp("2026-11-05 12:00"), None),
    # a rotation with no participants: only the override
    (EMPTY, [HOLIDAY], sp("2026-11-19 12:00"), shift("dora", "2026-11-18 18:00", "2026-11-20 09:00")),
    # a rotation with no participants, outside the override: nobody
    (EMPTY, [HOLIDAY], sp("2026-11-21 12:00"), None),
    # a one-person rotation lists her weeks separately, so "until when" is the next hand-off
    (SOLO, [], sp("2026-11-18 12:00"), shift("ana", "2026-11-16 09:00", "2026-11-23 09:00")),
    # a cover by the scheduled person herself does not cut her shift
    (WEEKLY, [Override("bruno", sp("2026-11-17 00:00"), sp("2026-11-18 00:00"))], sp("2026-11-17 12:00"),
     shift("bruno", "2026-11-16 09:00", "2026-11-23 09:00")),
]


@pytest.mark.parametrize(("rotation", "overrides", "at", "expected"), ON_CALL_NOW)
def test_on_call_now_tells_who_is_on_call_and_until_when(rotation, overrides, at, expected):
    assert on_call_now(rotation, overrides, at) == expected


# (at, expected person, expected starts and ends in UTC) — New York, a cover across the 2026-03-08 change.
DST_COVER = Override("dora", ny("2026-03-07 18:00"), ny("2026-03-09 09:00"))
NEW_YORK_ON_CALL = [
    # ana until Saturday 18:00 EST (23:00 UTC); her week started Monday 09:00 EST (14:00 UTC)
    (utc("2026-03-05 12:00"), "ana", utc("2026-03-02 14:00"), utc("2026-03-07 23:00")),
    # Sunday after the change: dora until Monday 09:00 EDT (13:00 UTC)
    (utc("2026-03-08 12:00"), "dora", utc("2026-03-07 23:00"), utc("2026-03-09 13:00")),
    # Monday 09:00 EDT: bruno's week, ending the next Monday 09:00 EDT
    (utc("2026-03-09 13:00"), "bruno", utc("2026-03-09 13:00"), utc("2026-03-16 13:00")),
]


@pytest.mark.parametrize(("at", "person", "starts", "ends"), NEW_YORK_ON_CALL)
def test_cover_across_the_spring_change_keeps_local_hand_offs(at, person, starts, ends):
    found = on_call_now(NY_WEEKLY, [DST_COVER], at)
    assert (found.person, found.starts, found.ends) == (person, starts, ends)


def test_a_cover_across_the_spring_change_lasts_one_hour_less_than_its_wall_clock_span():
    found = on_call_now(NY_WEEKLY, [DST_COVER], ny("2026-03-08 12:00"))
    assert (found.starts.utcoffset(), found.ends.utcoffset()) == (timedelta(hours=-5), timedelta(hours=-4))
    assert found.ends - found.starts == timedelta(hours=39)  # same tzinfo: wall-clock difference
    assert found.ends.astimezone(UTC) - found.starts.astimezone(UTC) == timedelta(hours=38)  # real


# (rotation, overrides, start, end, expected (person, starts, ends) in São Paulo time)
EFFECTIVE = [
    (  # a holiday cover cut into bruno's week; the whole shifts at both ends, not clipped
        WEEKLY, [HOLIDAY], sp("2026-11-12 00:00"), sp("2026-11-24 00:00"),
        [("ana", "2026-11-09 09:00", "2026-11-16 09:00"), ("bruno", "2026-11-16 09:00", "2026-11-18 18:00"),
         ("dora", "2026-11-18 18:00", "2026-11-20 09:00"), ("bruno", "2026-11-20 09:00", "2026-11-23 09:00"),
         ("carla", "2026-11-23 09:00", "2026-11-30 09:00")],
    ),
    (  # carla's weekend cover merges with her own week that follows it
        WEEKLY, [WEEKEND], sp("2026-11-19 00:00"), sp("2026-11-25 00:00"),
        [("bruno", "2026-11-16 09:00", "2026-11-20 18:00"), ("carla", "2026-11-20 18:00", "2026-11-30 09:00")],
    ),
    (  # overlapping covers: the later-started one cuts into the earlier one
        WEEKLY, [LONG, INNER], sp("2026-11-17 00:00"), sp("2026-11-20 00:00"),
        [("dora", "2026-11-17 00:00", "2026-11-18 00:00"), ("erik", "2026-11-18 00:00", "2026-11-19 00:00"),
         ("dora", "2026-11-19 00:00", "2026-11-20 00:00")],
    ),
    (  # a swap covers only ana's part and leaves bruno's week whole
        WEEKLY, [SWAP], sp("2026-11-10 00:00"), sp("2026-11-17 00:00"),
        [("ana", "2026-11-09 09:00", "2026-11-13 00:00"), ("carla", "2026-11-13 00:00", "2026-11-16 09:00"),
         ("bruno", "2026-11-16 09:00", "2026-11-23 09:00")],
    ),
    (  # the gap between a cover before the start and the first shift is left out
        WEEKLY, [Override("dora", sp("2026-11-06 18:00"), sp("2026-11-07 18:00"))],
        sp("2026-11-05 00:00"), sp("2026-11-10 00:00"),
        [("dora", "2026-11-06 18:00", "2026-11-07 18:00"), ("ana", "2026-11-09 09:00", "2026-11-16 09:00")],
    ),
    (  # a cover ending at the first hand-off joins nothing: dora then ana
        WEEKLY, [BEFORE_START], sp("2026-11-08 00:00"), sp("2026-11-10 00:00"),
        [("dora", "2026-11-06 18:00", "2026-11-09 09:00"), ("ana", "2026-11-09 09:00", "2026-11-16 09:00")],
    ),
    (  # a one-person rotation: one piece per week
        SOLO, [], sp("2026-11-12 00:00"), sp("2026-11-24 00:00"),
        [("ana", "2026-11-09 09:00", "2026-11-16 09:00"), ("ana", "2026-11-16 09:00", "2026-11-23 09:00"),
         ("ana", "2026-11-23 09:00", "2026-11-30 09:00")],
    ),
    (EMPTY, [], sp("2026-11-12 00:00"), sp("2026-11-24 00:00"), []),  # nobody at all
    (  # a range ending exactly where a piece starts excludes that piece
        WEEKLY, [HOLIDAY], sp("2026-11-17 00:00"), sp("2026-11-18 18:00"),
        [("bruno", "2026-11-16 09:00", "2026-11-18 18:00")],
    ),
]


@pytest.mark.parametrize(("rotation", "overrides", "start", "end", "expected"), EFFECTIVE)
def test_effective_shifts_cut_overrides_into_the_rotation_and_merge_same_person_pieces(
    rotation, overrides, start, end, expected
):
    found = effective_shifts(rotation, overrides, start, end)
    assert found == [shift(*piece) for piece in expected]


def test_effective_shifts_agree_with_on_call_now_inside_every_piece():
    overrides = [HOLIDAY, SWAP, WEEKEND, LONG, INNER]
    for piece in effective_shifts(WEEKLY, overrides, sp("2026-11-10 00:00"), sp("2026-11-30 00:00")):
        assert on_call_now(WEEKLY, overrides, piece.starts) == piece
        assert on_call_now(WEEKLY, overrides, piece.ends - timedelta(seconds=1)) == piece


def test_effective_shifts_across_the_spring_change_in_new_york():
    found = effective_shifts(NY_WEEKLY, [DST_COVER], ny("2026-03-03 00:00"), ny("2026-03-10 00:00"))
    assert [(p.person, p.starts, p.ends) for p in found] == [
        ("ana", utc("2026-03-02 14:00"), utc("2026-03-07 23:00")),  # Monday 09:00 EST to Saturday 18:00 EST
        ("dora", utc("2026-03-07 23:00"), utc("2026-03-09 13:00")),  # to Monday 09:00 EDT
        ("bruno", utc("2026-03-09 13:00"), utc("2026-03-16 13:00")),  # Monday 09:00 EDT to Monday 09:00 EDT
    ]


# (override arguments, expected error) — overrides that cannot work.
INVALID_OVERRIDES = [
    (("dora", sp("2026-11-18 18:00"), sp("2026-11-18 18:00")), "must end after it starts"),  # empty range
    (("dora", sp("2026-11-19 18:00"), sp("2026-11-18 18:00")), "must end after it starts"),  # reversed
    (("dora", utc("2026-11-18 21:00"), sp("2026-11-18 18:00")), "must end after it starts"),  # same instant
    (("", sp("2026-11-18 18:00"), sp("2026-11-19 18:00")), "non-empty person"),  # nobody
    (("dora", sp("2026-11-18 18:00").replace(tzinfo=None), sp("2026-11-19 18:00")), "timezone-aware"),  # naive
]


@pytest.mark.parametrize(("arguments", "message"), INVALID_OVERRIDES)
def test_overrides_reject_invalid_ranges(arguments, message):
    with pytest.raises(ValueError, match=message):
        Override(*arguments)


def test_on_call_now_rejects_a_naive_moment():
    with pytest.raises(ValueError, match="timezone-aware"):
        on_call_now(WEEKLY, [], sp("2026-11-18 12:00").replace(tzinfo=None))
