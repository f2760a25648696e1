"""The first-response promise, counted on the line's business-day clock."""

import pytest

from schedules import HolidayRules, SupportHours, promise_status
from tests.wallclock import SAO_PAULO, sp

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
