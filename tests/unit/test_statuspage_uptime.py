"""90-day uptime from a component's status history: outages count, degradation and maintenance do not,
days are the page's local days, today counts up to now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from statuspage.uptime import DAYS, uptime, uptime_percent, window_start
from statuspage.vocabulary import ComponentStatus

S = ComponentStatus
SP = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")


def local(text: str, zone: ZoneInfo = SP) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


NOW = local("2026-11-23 10:00")
COUNTED = (DAYS - 1) * 86400 + 10 * 3600  # São Paulo keeps no summer time


def test_no_history_is_ninety_days_up():
    bars = uptime(S.OPERATIONAL, [], NOW, SP)
    assert len(bars.days) == 90 and bars.percent == 100.0 and bars.down == 0
    assert bars.days[0].date == dt.date(2026, 8, 26) and bars.days[-1].date == dt.date(2026, 11, 23)
    assert bars.days[-1].counted == 10 * 3600 and bars.days[0].counted == 86400
    assert {d.worst for d in bars.days} == {S.OPERATIONAL}


def test_partial_and_major_outages_count_as_down_and_the_rest_does_not():
    changes = [(local("2026-11-20 10:00"), S.MAJOR_OUTAGE), (local("2026-11-20 11:00"), S.DEGRADED_PERFORMANCE),
               (local("2026-11-20 12:00"), S.PARTIAL_OUTAGE), (local("2026-11-20 12:30"), S.UNDER_MAINTENANCE),
               (local("2026-11-20 15:00"), S.OPERATIONAL)]
    bars = uptime(S.OPERATIONAL, changes, NOW, SP)
    friday = bars.days[-4]
    assert friday.date == dt.date(2026, 11, 20)
    assert (friday.down, friday.worst, friday.percent) == (5400, S.MAJOR_OUTAGE, round(100 * (1 - 5400 / 86400), 2))
    assert bars.down == 5400 and bars.percent == round(100 * (1 - 5400 / COUNTED), 2) == 99.93


def test_an_outage_across_midnight_is_split_between_the_days_and_one_still_open_runs_to_now():
    changes = [(local("2026-11-21 23:00"), S.MAJOR_OUTAGE), (local("2026-11-22 01:00"), S.OPERATIONAL),
               (local("2026-11-23 09:00"), S.PARTIAL_OUTAGE)]
    bars = uptime(S.OPERATIONAL, changes, NOW, SP)
    assert [d.down for d in bars.days[-3:]] == [3600, 3600, 3600]
    assert bars.days[-1].worst is S.PARTIAL_OUTAGE


def test_the_status_in_force_before_the_window_counts_from_its_first_day():
    bars = uptime(S.MAJOR_OUTAGE, [(local("2026-08-27 00:00"), S.OPERATIONAL)], NOW, SP)
    assert bars.days[0].down == 86400 and bars.days[0].percent == 0.0 and bars.days[1].down == 0
    # Changes before the window only set the status it starts with.
    earlier = uptime(S.OPERATIONAL, [(local("2026-01-01 00:00"), S.MAJOR_OUTAGE),
                                     (local("2026-08-27 00:00"), S.OPERATIONAL)], NOW, SP)
    assert earlier.days[0].down == 86400


def test_a_day_of_a_clock_change_has_its_own_length():
    now = local("2026-11-03 12:00", NEW_YORK)  # New York left summer time on Sun 1 Nov 2026
    bars = uptime(S.MAJOR_OUTAGE, [], now, NEW_YORK, days=3)
    assert [d.counted for d in bars.days] == [25 * 3600, 86400, 12 * 3600]
    assert window_start(now, NEW_YORK, days=3) == local("2026-11-01 00:00", NEW_YORK)


def test_the_percentage_has_two_decimals_and_nothing_counted_is_all_up():
    assert uptime_percent(86400, 1) == 100.0 and uptime_percent(86400, 864) == 99.0 and uptime_percent(0, 0) == 100.0


@given(st.lists(st.tuples(st.integers(0, 90 * 86400), st.sampled_from(list(S))), max_size=30),
       st.sampled_from(list(S)))
def test_the_days_add_up_to_the_window_and_down_never_exceeds_counted(changes, initial):
    start = window_start(NOW, SP)
    history = [(start + dt.timedelta(seconds=s), status) for s, status in changes]
    bars = uptime(initial, history, NOW, SP)
    assert sum(d.counted for d in bars.days) == COUNTED
    assert all(0 <= d.down <= d.counted for d in bars.days)
    assert 0 <= bars.percent <= 100
