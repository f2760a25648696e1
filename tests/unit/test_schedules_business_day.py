"""Business-time arithmetic: the one-business-day first-response promise."""

from datetime import date, time, timedelta, timezone

import pytest

from schedules import (
    Closure,
    HolidayRules,
    SupportHours,
    Window,
    business_day_length,
    business_time_between,
    first_response_due,
)
from tests.wallclock import NEW_YORK, SAO_PAULO, ny, sp, utc

SP_RULES = HolidayRules(
    country="BR",
    subdivision="SP",
    closures=(Closure(date(2026, 12, 24), "Company Christmas Eve closure"),),
)
SP_LINE = SupportHours.standard(SAO_PAULO, SP_RULES)
NY_LINE = SupportHours.standard(NEW_YORK, HolidayRules(country="US", subdivision="NY"))
# Open only on Sundays from midnight to 06:00, so the window contains the 02:00 DST change.
NY_SUNDAY_NIGHT = SupportHours(NEW_YORK, ((),) * 6 + ((Window(time(0), time(6)),),))





def week(*days: tuple[Window, ...]) -> tuple[tuple[Window, ...], ...]:
    """Weekly hours from the given days, Monday first, the rest closed."""
    return tuple(days) + ((),) * (7 - len(days))


NINE_TO_SIX = (Window(time(9), time(18)),)

# (weekly hours, expected business day length)
LENGTHS = [
    (week(*[NINE_TO_SIX] * 5), timedelta(hours=9)),  # the standard 09:00-18:00
    (week((Window(time(9), time(12)), Window(time(13), time(18)))), timedelta(hours=8)),  # lunch break
    (week(NINE_TO_SIX, (), (), (), (), (Window(time(10), time(14)),)), timedelta(hours=9)),  # longest day wins
    (week((Window(time(0), time(23, 30)),)), timedelta(hours=23, minutes=30)),  # near round-the-clock
]


@pytest.mark.parametrize(("weekly", "expected"), LENGTHS)
def test_business_day_is_the_open_time_of_the_longest_weekday(weekly, expected):
    assert business_day_length(SupportHours(SAO_PAULO, weekly)) == expected


def test_a_line_without_hours_has_no_business_day():
    with pytest.raises(ValueError, match="no support hours"):
        business_day_length(SupportHours(SAO_PAULO, week()))


# (opened_at, expected due) on the São Paulo 09:00-18:00 line.
SAO_PAULO_DUE = [
    (sp("2026-11-13 17:00"), sp("2026-11-16 17:00")),  # Friday 17:00 -> Monday 17:00
    (sp("2026-11-14 10:00"), sp("2026-11-16 18:00")),  # Saturday -> Monday 18:00
    (sp("2026-11-15 10:00"), sp("2026-11-16 18:00")),  # Sunday (and a holiday) -> Monday 18:00
    (sp("2026-11-10 10:00"), sp("2026-11-11 10:00")),  # Tuesday 10:00 -> Wednesday 10:00
    (sp("2026-11-09 08:00"), sp("2026-11-09 18:00")),  # Monday before opening -> Monday closing
    (sp("2026-11-09 09:00"), sp("2026-11-09 18:00")),  # Monday at opening -> Monday closing
    (sp("2026-11-09 17:59:59"), sp("2026-11-10 17:59:59")),  # last open second -> next day
    (sp("2026-11-09 18:00"), sp("2026-11-10 18:00")),  # Monday at closing -> Tuesday 18:00
    (sp("2026-11-19 17:00"), sp("2026-11-23 17:00")),  # Thursday before the Zumbi holiday Friday
    (sp("2026-11-20 10:00"), sp("2026-11-23 18:00")),  # opened on the holiday itself
    (sp("2026-12-23 12:00"), sp("2026-12-28 12:00")),  # closure, Christmas and weekend skipped
    (sp("2026-12-31 17:00"), sp("2027-01-04 17:00")),  # year boundary: Jan 1 holiday, then weekend
    (utc("2026-11-13 20:00"), sp("2026-11-16 17:00")),  # given in UTC: Friday 17:00 locally
]


@pytest.mark.parametrize(("opened_at", "expected"), SAO_PAULO_DUE)
def test_first_response_is_due_after_one_business_day_of_open_time(opened_at, expected):
    assert first_response_due(SP_LINE, opened_at) == expected


def test_first_response_due_is_returned_in_utc():
    due = first_response_due(SP_LINE, sp("2026-12-31 17:00"))
    assert due.utcoffset() == timedelta(0)
    assert due.isoformat() == "2027-01-04T20:00:00+00:00"


# (opened_at, expected due in UTC) on the New York line across both 2026 DST changes.
NEW_YORK_DUE = [
    (ny("2026-03-06 17:00"), "2026-03-09T21:00:00+00:00"),  # Friday EST -> Monday 17:00 EDT
    (ny("2026-03-07 10:00"), "2026-03-09T22:00:00+00:00"),  # Saturday EST -> Monday 18:00 EDT
    (ny("2026-10-30 17:00"), "2026-11-02T22:00:00+00:00"),  # Friday EDT -> Monday 17:00 EST
    (ny("2026-11-02 18:00"), "2026-11-04T23:00:00+00:00"),  # Monday -> Election Day skipped -> Wed 18:00 EST
]


@pytest.mark.parametrize(("opened_at", "expected"), NEW_YORK_DUE)
def test_first_response_due_spans_dst_changes_in_local_hours(opened_at, expected):
    assert first_response_due(NY_LINE, opened_at).isoformat() == expected


# (opened_at, expected due in UTC) when the open window itself contains a DST change.
DST_WINDOW_DUE = [
    (ny("2026-03-07 12:00"), "2026-03-15T05:00:00+00:00"),  # Mar 8 window is 5 real hours; 1 more next Sunday
    (ny("2026-10-31 12:00"), "2026-11-01T10:00:00+00:00"),  # Nov 1 window is 7 real hours; due 05:00 EST
]


@pytest.mark.parametrize(("opened_at", "expected"), DST_WINDOW_DUE)
def test_first_response_due_counts_real_elapsed_open_time(opened_at, expected):
    assert first_response_due(NY_SUNDAY_NIGHT, opened_at).isoformat() == expected


def test_first_response_due_needs_a_line_with_hours():
    with pytest.raises(ValueError, match="no support hours"):
        first_response_due(SupportHours(SAO_PAULO, week()), sp("2026-11-10 10:00"))


# (line, start, end, expected open time elapsed in [start, end))
BUSINESS_TIME = [
    (SP_LINE, sp("2026-11-13 17:00"), sp("2026-11-16 10:00"), timedelta(hours=2)),  # Fri 1 h + Mon 1 h
    (SP_LINE, sp("2026-11-16 09:00"), sp("2026-11-16 18:00"), timedelta(hours=9)),  # exactly one day
    (SP_LINE, sp("2026-11-16 00:00"), sp("2026-11-23 00:00"), timedelta(hours=36)),  # week with a holiday
    (SP_LINE, sp("2026-11-14 00:00"), sp("2026-11-16 00:00"), timedelta(0)),  # weekend only
    (SP_LINE, sp("2026-11-16 12:00"), sp("2026-11-16 12:00"), timedelta(0)),  # empty range
    (SP_LINE, sp("2026-11-16 12:00"), sp("2026-11-16 10:00"), timedelta(0)),  # reversed range
    (SP_LINE, sp("2026-11-16 17:30"), utc("2026-11-16 22:00"), timedelta(minutes=30)),  # mixed time zones
    (NY_SUNDAY_NIGHT, ny("2026-03-08 00:00"), ny("2026-03-09 00:00"), timedelta(hours=5)),  # spring: 1 h lost
    (NY_SUNDAY_NIGHT, ny("2026-11-01 00:00"), ny("2026-11-02 00:00"), timedelta(hours=7)),  # autumn: 1 h gained
]


@pytest.mark.parametrize(("line", "start", "end", "expected"), BUSINESS_TIME)
def test_business_time_between_counts_only_open_time(line, start, end, expected):
    assert business_time_between(line, start, end) == expected


def test_due_time_is_exactly_one_business_day_of_open_time_later():
    opened = sp("2026-12-23 12:00")
    due = first_response_due(SP_LINE, opened)
    assert business_time_between(SP_LINE, opened, due) == business_day_length(SP_LINE)
    assert due.tzinfo == timezone.utc
