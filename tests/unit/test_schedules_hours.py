"""Support hours: open/closed decisions, holidays, next opening and open periods."""

from datetime import date, datetime, time, timedelta

import pytest

from schedules import (
    Closure,
    HolidayRules,
    Openness,
    SupportHours,
    Window,
    is_open,
    next_opening,
    open_periods,
    status,
)
from tests.wallclock import NEW_YORK, SAO_PAULO, ny, sp, utc

CHRISTMAS_EVE = Closure(date(2026, 12, 24), "Company Christmas Eve closure")
SP_RULES = HolidayRules(country="BR", subdivision="SP", closures=(CHRISTMAS_EVE,))
SP_LINE = SupportHours.standard(SAO_PAULO, SP_RULES)
NY_LINE = SupportHours.standard(NEW_YORK, HolidayRules(country="US", subdivision="NY"))
NO_HOURS = SupportHours(SAO_PAULO, ((),) * 7)
NINE_TO_SIX = (Window(time(9), time(18)),)
LUNCH_BREAK = (Window(time(9), time(12)), Window(time(13), time(18)))
SPLIT_LINE = SupportHours(SAO_PAULO, (LUNCH_BREAK,) * 5 + ((), ()))

ZUMBI = "National Day of Zumbi and Black Awareness"





# (at, expected description) on the São Paulo 09:00-18:00 line.
SAO_PAULO_STATUS = [
    (sp("2026-11-10 08:59:59"), "closed: outside hours"),  # Tuesday, a second before opening
    (sp("2026-11-10 09:00"), "open"),  # opening minute is open
    (sp("2026-11-10 12:00"), "open"),  # middle of the day
    (sp("2026-11-10 17:59:59"), "open"),  # last second is open
    (sp("2026-11-10 18:00"), "closed: outside hours"),  # closing minute is closed
    (sp("2026-11-10 23:30"), "closed: outside hours"),  # late evening
    (sp("2026-11-14 12:00"), "closed: weekend"),  # Saturday
    (sp("2026-11-15 12:00"), "closed: holiday Republic Proclamation Day"),  # a Sunday holiday: holiday wins
    (sp("2026-11-20 10:00"), f"closed: holiday {ZUMBI}"),  # Friday holiday from the package
    (sp("2026-11-20 08:00"), f"closed: holiday {ZUMBI}"),  # a holiday closes the whole day
    (sp("2026-12-24 10:00"), "closed: holiday Company Christmas Eve closure"),  # company closure
    (sp("2026-12-25 10:00"), "closed: holiday Christmas Day"),  # Christmas, named in English
    (sp("2027-01-01 10:00"), "closed: holiday Universal Fraternization Day"),  # next year's calendar
    (utc("2026-11-10 12:00"), "open"),  # 09:00 in São Paulo, given in UTC
    (utc("2026-11-10 21:30"), "closed: outside hours"),  # 18:30 in São Paulo
    (utc("2026-11-11 02:00"), "closed: outside hours"),  # Wednesday in UTC, still Tuesday 23:00 locally
    (utc("2026-11-14 01:00"), "closed: outside hours"),  # Saturday in UTC, still Friday 22:00 locally
]


@pytest.mark.parametrize(("at", "expected"), SAO_PAULO_STATUS)
def test_status_is_decided_in_the_lines_time_zone(at, expected):
    assert status(SP_LINE, at).describe() == expected


# (at, expected description) on the New York line around both 2026 DST changes.
NEW_YORK_STATUS = [
    (utc("2026-03-06 13:30"), "closed: outside hours"),  # Friday 08:30 EST, before the change
    (utc("2026-03-06 14:30"), "open"),  # Friday 09:30 EST
    (ny("2026-03-09 09:30"), "open"),  # Monday after the spring change, local time
    (utc("2026-03-09 13:30"), "open"),  # the same Monday 09:30, now EDT (UTC-4)
    (utc("2026-03-09 12:59:59"), "closed: outside hours"),  # Monday 08:59:59 EDT
    (utc("2026-03-09 22:30"), "closed: outside hours"),  # Monday 18:30 EDT (would be 17:30 under EST)
    (utc("2026-10-30 13:30"), "open"),  # Friday 09:30 EDT, before the autumn change
    (ny("2026-11-02 09:30"), "open"),  # Monday after the autumn change, local time
    (utc("2026-11-02 14:30"), "open"),  # the same Monday 09:30, now EST (UTC-5)
    (utc("2026-11-02 13:30"), "closed: outside hours"),  # Monday 08:30 EST (would be 09:30 under EDT)
    (ny("2026-11-03 10:00"), "closed: holiday Election Day"),  # a New York state holiday
    (ny("2026-07-03 10:00"), "closed: holiday Independence Day (observed)"),  # observed Friday
]


@pytest.mark.parametrize(("at", "expected"), NEW_YORK_STATUS)
def test_status_follows_daylight_saving_time(at, expected):
    assert status(NY_LINE, at).describe() == expected


# (at, expected is_open) on a line that closes for lunch.
LUNCH_STATUS = [
    (sp("2026-11-10 11:59:59"), True),  # last second of the morning window
    (sp("2026-11-10 12:00"), False),  # lunch starts
    (sp("2026-11-10 12:30"), False),  # during lunch
    (sp("2026-11-10 13:00"), True),  # afternoon window opens
]


@pytest.mark.parametrize(("at", "expected"), LUNCH_STATUS)
def test_a_day_can_have_several_windows(at, expected):
    assert is_open(SPLIT_LINE, at) is expected


# (openness, expected description) — the strings logged with a call.
DESCRIPTIONS = [
    (Openness(True, "open", None), "open"),  # open
    (Openness(False, "outside hours", None), "closed: outside hours"),  # closed on a working day
    (Openness(False, "weekend", None), "closed: weekend"),  # a day without hours
    (Openness(False, "holiday", "Christmas Day"), "closed: holiday Christmas Day"),  # named holiday
]


@pytest.mark.parametrize(("openness", "expected"), DESCRIPTIONS)
def test_openness_describes_itself_as_the_call_log_expects(openness, expected):
    assert openness.describe() == expected


def test_status_carries_the_holiday_name_separately():
    assert status(SP_LINE, sp("2026-11-20 10:00")) == Openness(False, "holiday", ZUMBI)


# (at, expected openness) on the São Paulo line: a closure is a holiday to the log, but flagged.
CLOSURE_STATUS = [
    (sp("2026-12-24 10:00"), Openness(False, "holiday", "Company Christmas Eve closure", closure=True)),  # closure
    (sp("2026-12-25 10:00"), Openness(False, "holiday", "Christmas Day", closure=False)),  # package holiday
    (sp("2026-12-23 10:00"), Openness(True, "open", None, closure=False)),  # an open day is no closure
]


@pytest.mark.parametrize(("at", "expected"), CLOSURE_STATUS)
def test_status_tells_a_company_closure_from_a_public_holiday(at, expected):
    assert status(SP_LINE, at) == expected


def test_a_closure_is_still_logged_as_a_holiday_by_name():
    assert status(SP_LINE, sp("2026-12-24 10:00")).describe() == "closed: holiday Company Christmas Eve closure"


# (rules, day, expected closure name) for HolidayRules.closure_on.
CLOSURE_NAMES = [
    (SP_RULES, date(2026, 12, 24), "Company Christmas Eve closure"),  # the company's own closure
    (SP_RULES, date(2026, 12, 25), None),  # the package's holiday is not a closure
    (SP_RULES, date(2026, 11, 10), None),  # an ordinary Tuesday
    (  # a closure on a package holiday is still a closure
        HolidayRules("BR", closures=(Closure(date(2026, 12, 25), "Office closed"),)),
        date(2026, 12, 25),
        "Office closed",
    ),
]


@pytest.mark.parametrize(("rules", "day", "expected"), CLOSURE_NAMES)
def test_holiday_rules_tell_the_companys_closures_apart(rules, day, expected):
    assert rules.closure_on(day) == expected


# (day, holiday name) of São Paulo city that the state calendar "SP" lacks.
SAO_PAULO_CITY_HOLIDAYS = [
    (date(2026, 1, 25), "São Paulo City Anniversary"),  # a Sunday in 2026
    (date(2026, 6, 4), "Corpus Christi"),  # a Thursday
]


@pytest.mark.parametrize(("day", "name"), SAO_PAULO_CITY_HOLIDAYS)
def test_the_sao_paulo_capital_calendar_adds_the_citys_holidays_to_the_states(day, name):
    assert HolidayRules("BR", "SP").holiday_on(day) is None
    assert HolidayRules("BR", "São Paulo Capital").holiday_on(day) == name


# (rules, day, expected name) for HolidayRules.holiday_on.
HOLIDAY_NAMES = [
    (SP_RULES, date(2026, 11, 20), ZUMBI),  # national holiday from the package
    (SP_RULES, date(2026, 7, 9), "Constitutionalist Revolution"),  # São Paulo state holiday
    (HolidayRules(country="BR"), date(2026, 7, 9), None),  # not a holiday outside São Paulo
    (SP_RULES, date(2026, 12, 24), "Company Christmas Eve closure"),  # closure the package lacks
    (SP_RULES, date(2026, 11, 10), None),  # an ordinary Tuesday
    (SP_RULES, date(2026, 2, 17), None),  # Carnival is optional, not in the default category
    (HolidayRules("BR", "SP", ("public", "optional")), date(2026, 2, 17), "Carnival"),  # opted in
    (  # a closure wins over the package's name for the same day
        HolidayRules("BR", closures=(Closure(date(2026, 12, 25), "Office closed"),)),
        date(2026, 12, 25),
        "Office closed",
    ),
    (  # several closures on one day are joined
        HolidayRules(closures=(Closure(date(2026, 6, 1), "Move"), Closure(date(2026, 6, 1), "Audit"))),
        date(2026, 6, 1),
        "Move; Audit",
    ),
    (HolidayRules(), date(2026, 12, 25), None),  # no country: only closures count
    (HolidayRules(country="IN"), date(2027, 8, 15), "Independence Day; Prophet's Birthday (estimated)"),  # two names
    (HolidayRules(country="GB"), date(2026, 12, 25), "Christmas Day"),  # no en_US translation: default names
]


@pytest.mark.parametrize(("rules", "day", "expected"), HOLIDAY_NAMES)
def test_holiday_rules_name_the_holiday_or_closure(rules, day, expected):
    assert rules.holiday_on(day) == expected


def test_holiday_names_are_english_whatever_the_process_locale(monkeypatch):
    # A year no other test uses, so the cached calendar is built under this locale.
    monkeypatch.setenv("LANGUAGE", "pt_BR")
    assert HolidayRules(country="BR").holiday_on(date(2031, 12, 25)) == "Christmas Day"


# (at, expected next opening) on the São Paulo line.
NEXT_OPENINGS = [
    (sp("2026-11-10 07:00"), sp("2026-11-10 09:00")),  # early morning: opens today
    (sp("2026-11-10 09:00"), sp("2026-11-10 09:00")),  # open now: now
    (sp("2026-11-13 17:00"), sp("2026-11-13 17:00")),  # open Friday afternoon: now
    (sp("2026-11-13 18:00"), sp("2026-11-16 09:00")),  # Friday closing: Monday (Sunday holiday irrelevant)
    (sp("2026-11-20 10:00"), sp("2026-11-23 09:00")),  # Friday holiday: next Monday
    (sp("2026-11-19 18:00"), sp("2026-11-23 09:00")),  # Thursday evening before the holiday
    (sp("2026-12-23 18:30"), sp("2026-12-28 09:00")),  # closure, Christmas, then the weekend
    (sp("2026-12-31 18:00"), sp("2027-01-04 09:00")),  # New Year's Day holiday, then the weekend
    (utc("2026-11-14 01:00"), sp("2026-11-16 09:00")),  # given in UTC: Friday 22:00 locally
]


@pytest.mark.parametrize(("at", "expected"), NEXT_OPENINGS)
def test_next_opening_skips_closed_time_weekends_and_holidays(at, expected):
    opening = next_opening(SP_LINE, at)
    assert opening == expected
    assert opening.tzinfo == SAO_PAULO
    assert opening.utcoffset() == timedelta(hours=-3)


# (at, expected next opening, expected UTC offset) across New York's DST changes.
NEW_YORK_OPENINGS = [
    (ny("2026-03-07 12:00"), utc("2026-03-09 13:00"), timedelta(hours=-4)),  # Saturday EST -> Monday 09:00 EDT
    (ny("2026-10-31 12:00"), utc("2026-11-02 14:00"), timedelta(hours=-5)),  # Saturday EDT -> Monday 09:00 EST
]


@pytest.mark.parametrize(("at", "expected", "offset"), NEW_YORK_OPENINGS)
def test_next_opening_across_dst_is_nine_local_with_the_new_offset(at, expected, offset):
    opening = next_opening(NY_LINE, at)
    assert opening == expected
    assert opening.time() == time(9)
    assert opening.utcoffset() == offset


def test_next_opening_gives_up_on_a_line_that_never_opens():
    with pytest.raises(ValueError, match="no opening within"):
        next_opening(NO_HOURS, sp("2026-11-10 12:00"))


# (line, start, end, expected periods) — whole periods intersecting [start, end).
OPEN_PERIODS = [
    (  # from Friday noon to Tuesday noon: Friday, Monday and Tuesday, not clipped
        SP_LINE, sp("2026-11-13 12:00"), sp("2026-11-17 12:00"),
        [
            (sp("2026-11-13 09:00"), sp("2026-11-13 18:00")),
            (sp("2026-11-16 09:00"), sp("2026-11-16 18:00")),
            (sp("2026-11-17 09:00"), sp("2026-11-17 18:00")),
        ],
    ),
    (  # the holiday Friday is skipped
        SP_LINE, sp("2026-11-19 00:00"), sp("2026-11-24 00:00"),
        [
            (sp("2026-11-19 09:00"), sp("2026-11-19 18:00")),
            (sp("2026-11-23 09:00"), sp("2026-11-23 18:00")),
        ],
    ),
    (SP_LINE, sp("2026-11-16 18:00"), sp("2026-11-17 09:00"), []),  # closing to opening: half-open, nothing
    (SP_LINE, sp("2026-11-17 12:00"), sp("2026-11-17 12:00"), []),  # empty range
    (SP_LINE, sp("2026-11-17 12:00"), sp("2026-11-16 12:00"), []),  # reversed range
    (  # lunch break: two periods in one day
        SPLIT_LINE, sp("2026-11-10 00:00"), sp("2026-11-11 00:00"),
        [
            (sp("2026-11-10 09:00"), sp("2026-11-10 12:00")),
            (sp("2026-11-10 13:00"), sp("2026-11-10 18:00")),
        ],
    ),
    (  # across the spring change: nine local on both sides, different offsets
        NY_LINE, ny("2026-03-06 12:00"), ny("2026-03-09 12:00"),
        [
            (utc("2026-03-06 14:00"), utc("2026-03-06 23:00")),
            (utc("2026-03-09 13:00"), utc("2026-03-09 22:00")),
        ],
    ),
]


@pytest.mark.parametrize(("line", "start", "end", "expected"), OPEN_PERIODS)
def test_open_periods_lists_whole_open_intervals_in_order(line, start, end, expected):
    periods = list(open_periods(line, start, end))
    assert periods == expected
    assert all(opens.tzinfo == line.timezone for opens, _closes in periods)


def test_standard_hours_are_monday_to_friday_nine_to_six():
    line = SupportHours.standard(SAO_PAULO)
    assert line.weekly == (NINE_TO_SIX,) * 5 + ((), ())
    assert line.holidays == HolidayRules()


def test_support_hours_accept_lists_and_store_tuples():
    line = SupportHours(SAO_PAULO, [list(NINE_TO_SIX)] * 5 + [[], []])
    assert line == SupportHours.standard(SAO_PAULO)
    assert hash(line) == hash(SupportHours.standard(SAO_PAULO))


# (weekly, expected error) — configuration mistakes SupportHours rejects.
INVALID_WEEKS = [
    ((NINE_TO_SIX,) * 6, "exactly 7 days"),  # a day missing
    ((NINE_TO_SIX,) * 8, "exactly 7 days"),  # a day too many
    (  # overlapping windows on Monday
        ((Window(time(9), time(13)), Window(time(12), time(18))),) + ((),) * 6,
        "weekday 0: windows must be sorted and must not overlap",
    ),
    (  # unsorted windows on Tuesday
        ((), (Window(time(13), time(18)), Window(time(9), time(12)))) + ((),) * 5,
        "weekday 1: windows must be sorted",
    ),
    (((("09:00", "18:00"),),) + ((),) * 6, "expected Window objects"),  # raw strings, not Windows
]


@pytest.mark.parametrize(("weekly", "message"), INVALID_WEEKS)
def test_support_hours_reject_invalid_weeks(weekly, message):
    with pytest.raises(ValueError, match=message):
        SupportHours(SAO_PAULO, weekly)


# (opens, closes) — windows that do not open before they close.
INVALID_WINDOWS = [
    (time(18), time(9)),  # reversed
    (time(9), time(9)),  # empty
]


@pytest.mark.parametrize(("opens", "closes"), INVALID_WINDOWS)
def test_a_window_must_open_before_it_closes(opens, closes):
    with pytest.raises(ValueError, match="must open before it closes"):
        Window(opens, closes)


def test_touching_windows_are_allowed():
    week = ((Window(time(9), time(12)), Window(time(12), time(18))),) * 5 + ((), ())
    assert is_open(SupportHours(SAO_PAULO, week), sp("2026-11-10 12:00"))


# (rules arguments, expected error) — holiday calendars the package cannot build.
INVALID_RULES = [
    ({"country": "XX"}, "invalid holiday calendar"),  # unknown country
    ({"country": "BR", "subdivision": "ZZ"}, "invalid holiday calendar"),  # unknown subdivision
    ({"country": "BR", "categories": ("nope",)}, "invalid holiday calendar"),  # unknown category
    ({"subdivision": "SP"}, "needs a country"),  # subdivision without country
]


@pytest.mark.parametrize(("arguments", "message"), INVALID_RULES)
def test_holiday_rules_reject_calendars_the_package_cannot_build(arguments, message):
    with pytest.raises(ValueError, match=message):
        HolidayRules(**arguments)


def test_naive_datetimes_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        status(SP_LINE, datetime(2026, 11, 10, 12))
