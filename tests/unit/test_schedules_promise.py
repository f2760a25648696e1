"""The first-response promise, counted on the line's business-day clock."""

from datetime import time

import pytest

from schedules import HolidayRules, SupportHours, Window, promise_status
from tests.wallclock import NEW_YORK, SAO_PAULO, ny, sp

LINE = SupportHours.standard(SAO_PAULO, HolidayRules("BR", "SP"))
DUE = sp("2026-11-24 10:00")  # a case opened Monday 2026-11-23 10:00

# (now, answered at, expected)
CASES = [
    (sp("2026-11-23 10:01"), None, "on track"),   # just opened: almost 9 open hours left
    (sp("2026-11-23 16:44"), None, "on track"),   # 1 h 16 today + 1 h tomorrow = 2 h 16 left, over 2 h 15
    (sp("2026-11-23 16:45"), None, "at risk"),    # 2 h 15 left: a quarter of the 9 h business day
    (sp("2026-11-23 23:00"), None, "at risk"),    # overnight: the 1 h left is all tomorrow morning
    (sp("2026-11-24 09:59"), None, "at risk"),    # a minute to go
    (sp("2026-11-24 10:00"), None, "breached"),   # due now
    (sp("2026-11-25 12:00"), sp("2026-11-24 09:30"), "met"),     # answered in time
    (sp("2026-11-25 12:00"), sp("2026-11-24 10:30"), "missed"),  # answered late
]


@pytest.mark.parametrize(("now", "answered", "expected"), CASES)
def test_where_the_promise_stands(now, answered, expected):
    assert promise_status(LINE, DUE, answered, now) == expected


def test_a_case_due_after_a_holiday_weekend_is_not_at_risk_on_the_friday_holiday():
    # Opened Thursday 2026-11-19 17:00, due Friday... which is a holiday, so Monday 2026-11-23 17:00.
    due = sp("2026-11-23 17:00")
    assert promise_status(LINE, due, None, sp("2026-11-20 12:00")) == "on track"  # 8 open hours left
    assert promise_status(LINE, due, None, sp("2026-11-20 12:00"), at_risk_share=0.95) == "at risk"


def week(*days):
    """Weekly hours from the given days, Monday first, the rest closed."""
    return tuple(days) + ((),) * (7 - len(days))


# The New York line of examples/support.toml: Monday to Thursday 08:00-18:00, Friday 08:00-17:00.
NY_LINE = SupportHours(NEW_YORK, week(*[(Window(time(8), time(18)),)] * 4, (Window(time(8), time(17)),)),
                       HolidayRules("US", "NY"))
# PRODUCT.md's short Friday: 09:00-18:00 Monday to Thursday, 09:00-13:00 on Friday.
SHORT_FRIDAY = SupportHours(SAO_PAULO, week(*[(Window(time(9), time(18)),)] * 4, (Window(time(9), time(13)),)),
                            HolidayRules("BR", "SP"))

# (line, due, now, expected): "a business day" is the open time of the day the case is due on.
UNEQUAL_DAYS = [
    (NY_LINE, ny("2026-11-20 17:00"), ny("2026-11-20 14:30"), "on track"),  # due on the 9 h Friday: 2 h 30 > 2 h 15
    (NY_LINE, ny("2026-11-20 17:00"), ny("2026-11-20 14:44"), "on track"),  # 2 h 16 left
    (NY_LINE, ny("2026-11-20 17:00"), ny("2026-11-20 14:45"), "at risk"),   # 2 h 15: a quarter of Friday's 9 h
    (NY_LINE, ny("2026-11-23 10:00"), ny("2026-11-20 16:29"), "on track"),  # due on the 10 h Monday: 2 h 31 left
    (NY_LINE, ny("2026-11-23 10:00"), ny("2026-11-20 16:30"), "at risk"),   # 2 h 30: a quarter of Monday's 10 h
    (NY_LINE, ny("2026-11-23 10:00"), ny("2026-11-21 12:00"), "at risk"),   # Saturday: the 2 h left are Monday's
    (SHORT_FRIDAY, sp("2026-11-27 13:00"), sp("2026-11-26 17:30"), "on track"),  # just opened, 4 h 30 left
    (SHORT_FRIDAY, sp("2026-11-27 13:00"), sp("2026-11-27 11:59"), "on track"),  # 1 h 01 left
    (SHORT_FRIDAY, sp("2026-11-27 13:00"), sp("2026-11-27 12:00"), "at risk"),   # 1 h: a quarter of Friday's 4 h
    # Due on a Saturday (the hours changed since the case opened): the longest day, 10 h, stands in.
    (NY_LINE, ny("2026-11-21 12:00"), ny("2026-11-20 14:29"), "on track"),  # 2 h 31 left
    (NY_LINE, ny("2026-11-21 12:00"), ny("2026-11-20 14:30"), "at risk"),   # 2 h 30 left
]


@pytest.mark.parametrize(("line", "due", "now", "expected"), UNEQUAL_DAYS)
def test_at_risk_is_a_share_of_the_due_days_open_time(line, due, now, expected):
    assert promise_status(line, due, None, now) == expected
