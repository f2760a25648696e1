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
    open_periods,
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
LUNCH_BREAK = (Window(time(9), time(12)), Window(time(13), time(18)))
NY_RULES = HolidayRules(country="US", subdivision="NY")
# The New York line of examples/support.toml: Monday to Thursday 08:00-18:00, Friday 08:00-17:00.
NY_EXAMPLE = SupportHours(NEW_YORK, week(*[(Window(time(8), time(18)),)] * 4, (Window(time(8), time(17)),)),
                          NY_RULES)
# PRODUCT.md's short Friday: 09:00-18:00 Monday to Thursday, 09:00-13:00 on Friday.
SHORT_FRIDAY = SupportHours(SAO_PAULO, week(*[NINE_TO_SIX] * 4, (Window(time(9), time(13)),)), SP_RULES)
SP_LUNCH = SupportHours(SAO_PAULO, week(*[LUNCH_BREAK] * 5), SP_RULES)
NY_LUNCH = SupportHours(NEW_YORK, week(*[LUNCH_BREAK] * 5), NY_RULES)

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
    (sp("2026-11-13 20:00"), sp("2026-11-16 18:00")),  # Friday after closing -> Monday 18:00
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


# (opened_at, expected due in UTC) when the open window itself contains a DST change:
# the Sunday 00:00-06:00 window is 5 real hours on 2026-03-08 and 7 on 2026-11-01.
DST_WINDOW_DUE = [
    (ny("2026-03-07 12:00"), "2026-03-08T10:00:00+00:00"),  # Saturday, closed -> close of Mar 8, 06:00 EDT
    (ny("2026-03-08 04:00"), "2026-03-15T07:00:00+00:00"),  # 3 real hours in (01:00 EST + 2 h EDT) -> 03:00 EDT
    (ny("2026-03-01 05:30"), "2026-03-08T10:00:00+00:00"),  # 5.5 h in, Mar 8 has 5 -> its close, 06:00 EDT
    (ny("2026-10-31 12:00"), "2026-11-01T11:00:00+00:00"),  # Saturday, closed -> close of Nov 1, 06:00 EST
    (ny("2026-10-25 05:30"), "2026-11-01T09:30:00+00:00"),  # 5.5 real hours into Nov 1 -> 04:30 EST, not 05:30
    (ny("2026-11-01 05:30"), "2026-11-08T11:00:00+00:00"),  # 6.5 real hours in, Nov 8 has 6 -> its close
]


@pytest.mark.parametrize(("opened_at", "expected"), DST_WINDOW_DUE)
def test_first_response_due_counts_real_elapsed_open_time(opened_at, expected):
    assert first_response_due(NY_SUNDAY_NIGHT, opened_at).isoformat() == expected


# (opened_at, expected due) on PRODUCT.md's line with a 09:00-13:00 Friday (São Paulo, week of 2026-11-23).
SHORT_FRIDAY_DUE = [
    (sp("2026-11-26 17:30"), sp("2026-11-27 13:00")),  # PRODUCT.md: Thursday 17:30 -> Friday 13:00
    (sp("2026-11-26 12:00"), sp("2026-11-27 12:00")),  # 3 h into Thursday -> 3 h into Friday
    (sp("2026-11-26 13:00"), sp("2026-11-27 13:00")),  # 4 h in: exactly all of Friday -> its close
    (sp("2026-11-26 18:00"), sp("2026-11-27 13:00")),  # Thursday at closing: closed -> Friday's close
    (sp("2026-11-27 12:30"), sp("2026-11-30 12:30")),  # 3.5 h into Friday -> 3.5 h into Monday
    (sp("2026-11-27 13:00"), sp("2026-11-30 18:00")),  # Friday at closing -> Monday's close
    (sp("2026-11-27 09:00"), sp("2026-11-27 13:00")),  # Friday at opening -> that Friday's close
]


@pytest.mark.parametrize(("opened_at", "expected"), SHORT_FRIDAY_DUE)
def test_a_case_opened_later_into_its_day_than_the_next_day_is_long_is_due_at_its_close(opened_at, expected):
    assert first_response_due(SHORT_FRIDAY, opened_at) == expected


# (opened_at, expected due) on the New York line of examples/support.toml (Mon-Thu 08-18, Fri 08-17).
NY_EXAMPLE_DUE = [
    (ny("2026-11-19 20:00"), ny("2026-11-20 17:00")),  # Thursday 20:00 -> Friday's close, not Monday 09:00
    (ny("2026-11-20 10:00"), ny("2026-11-23 10:00")),  # Friday 10:00 -> Monday 10:00, not 11:00
    (ny("2026-11-19 17:30"), ny("2026-11-20 17:00")),  # 9.5 h into Thursday, Friday has 9 -> Friday 17:00
    (ny("2026-11-19 16:00"), ny("2026-11-20 16:00")),  # 8 h in -> 8 h into Friday
    (ny("2026-11-20 16:59"), ny("2026-11-23 16:59")),  # last minute of Friday -> same point of Monday
    (ny("2026-11-20 17:00"), ny("2026-11-23 18:00")),  # Friday at closing -> Monday's close
    (ny("2026-11-20 08:00"), ny("2026-11-20 17:00")),  # Friday at opening -> Friday's close
    (ny("2026-11-20 07:59"), ny("2026-11-20 17:00")),  # Friday before opening -> Friday's close
    (ny("2026-11-25 15:00"), ny("2026-11-27 15:00")),  # Wednesday before Thanksgiving -> Friday 15:00
    (ny("2026-11-25 17:30"), ny("2026-11-27 17:00")),  # 9.5 h in, the day after the holiday is Friday -> 17:00
    (ny("2026-11-26 10:00"), ny("2026-11-27 17:00")),  # on Thanksgiving itself -> Friday's close
    (ny("2026-12-24 12:00"), ny("2026-12-28 12:00")),  # Thursday before Christmas Friday -> Monday 12:00
]


@pytest.mark.parametrize(("opened_at", "expected"), NY_EXAMPLE_DUE)
def test_one_business_day_on_the_new_york_line_with_a_short_friday(opened_at, expected):
    assert first_response_due(NY_EXAMPLE, opened_at) == expected


# (opened_at, expected due in UTC) on the New York example line across the 2026 DST changes.
NY_EXAMPLE_DST_DUE = [
    (ny("2026-03-05 20:00"), utc("2026-03-06 22:00")),  # Thursday EST -> Friday 17:00 EST
    (ny("2026-03-06 10:00"), utc("2026-03-09 14:00")),  # Friday 10:00 EST -> Monday 10:00 EDT
    (ny("2026-03-08 10:00"), utc("2026-03-09 22:00")),  # Sunday of the change -> Monday 18:00 EDT
    (ny("2026-10-30 10:00"), utc("2026-11-02 15:00")),  # Friday 10:00 EDT -> Monday 10:00 EST
    (ny("2026-11-01 10:00"), utc("2026-11-02 23:00")),  # Sunday of the change -> Monday 18:00 EST
    (ny("2026-11-02 10:00"), utc("2026-11-04 15:00")),  # Monday EST, Election Day skipped -> Wednesday 10:00
]


@pytest.mark.parametrize(("opened_at", "expected"), NY_EXAMPLE_DST_DUE)
def test_one_business_day_keeps_local_hours_across_dst_changes(opened_at, expected):
    assert first_response_due(NY_EXAMPLE, opened_at) == expected


# (opened_at, expected due) on a São Paulo line open 09:00-12:00 and 13:00-18:00, Monday to Friday.
LUNCH_DUE = [
    (sp("2026-11-10 10:00"), sp("2026-11-11 10:00")),  # Tuesday morning -> Wednesday morning
    (sp("2026-11-10 12:00"), sp("2026-11-11 12:00")),  # as the morning closes: 3 h in -> 12:00, not 13:00
    (sp("2026-11-10 12:30"), sp("2026-11-11 12:00")),  # during lunch: still 3 h in
    (sp("2026-11-10 13:00"), sp("2026-11-11 12:00")),  # as the afternoon opens: 3 h in
    (sp("2026-11-10 14:00"), sp("2026-11-11 14:00")),  # 4 h in -> 4 h into Wednesday
    (sp("2026-11-10 09:00"), sp("2026-11-10 18:00")),  # at opening -> that day's close
    (sp("2026-11-10 18:00"), sp("2026-11-11 18:00")),  # at closing -> the next day's close
    (sp("2026-11-19 12:30"), sp("2026-11-23 12:00")),  # Thursday before the Friday holiday -> Monday
]


@pytest.mark.parametrize(("opened_at", "expected"), LUNCH_DUE)
def test_a_lunch_break_counts_as_inside_the_day_but_adds_no_open_time(opened_at, expected):
    assert first_response_due(SP_LUNCH, opened_at) == expected


def _one_longest_day_of_open_time(hours, opened_at):
    """The rule before unequal days: the longest weekday's open time, counted on from ``opened_at``."""
    remaining = max(sum((w.length() for w in day), timedelta()) for day in hours.weekly)
    start = opened_at.astimezone(timezone.utc)
    for opens, closes in open_periods(hours, start, start + timedelta(days=60)):
        begin = max(opens.astimezone(timezone.utc), start)
        available = closes.astimezone(timezone.utc) - begin
        if available >= remaining:
            return begin + remaining
        remaining -= available
    raise AssertionError(f"no due time within 60 days of {opened_at}")


# (line, first day of a fortnight in its zone): lines whose days are all equal.
EQUAL_DAY_FORTNIGHTS = [
    (SP_LINE, sp("2026-11-14 00:00")),  # 09:00-18:00, with the Nov 15 and Nov 20 holidays
    (SP_LINE, sp("2026-12-19 00:00")),  # 09:00-18:00, the Christmas closure, Christmas and New Year
    (SP_LUNCH, sp("2026-11-14 00:00")),  # lunch break, with the Nov 20 holiday
    (NY_LUNCH, ny("2026-10-26 00:00")),  # lunch break, the Nov 1 DST change and Election Day
]


@pytest.mark.parametrize(("line", "first"), EQUAL_DAY_FORTNIGHTS)
def test_where_days_are_equal_the_rule_is_one_day_of_open_time_as_before(line, first):
    moments = [first + timedelta(minutes=15 * step) for step in range(14 * 24 * 4)]
    differ = [(m, first_response_due(line, m), _one_longest_day_of_open_time(line, m)) for m in moments]
    assert [row for row in differ if row[1] != row[2]] == []


def test_first_response_due_needs_a_business_day_within_the_search():
    # Every Sunday from 2026-03-08 on is a closure, for longer than the search looks ahead.
    closed = tuple(Closure(date(2026, 3, 8) + timedelta(weeks=n), "closed") for n in range(60))
    line = SupportHours(NEW_YORK, NY_SUNDAY_NIGHT.weekly, HolidayRules(closures=closed))
    for opened_at in (ny("2026-03-07 12:00"), ny("2026-03-01 03:00")):  # closed, then inside the last window
        with pytest.raises(ValueError, match="no business day within"):
            first_response_due(line, opened_at)


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
