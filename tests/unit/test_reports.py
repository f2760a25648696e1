"""The reports' pure parts: periods, the calls' tally, percentiles, the kinds of hours, figures and CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from router.paging.machine import decide
from router.paging.page import Record, TimedOut
from router.paging.statuses import PageStatus
from router.report_figures import csv_rows, figures
from router.reports import (
    Acknowledgement,
    CallFigures,
    Escalation,
    FirstResponses,
    Hours,
    Period,
    Report,
    default_period,
    hour_spans,
    percentile,
    period_from,
    runs_of_hours,
    tally_calls,
)
from schedules import SupportHours, Window
from tests.unit.test_paging_machine import AT_STEP_1, NOW, RULES
from tests.wallclock import ny, sp, utc

NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def test_the_default_period_is_the_last_four_weeks_today_included():
    assert default_period(dt.date(2026, 11, 23)) == Period(dt.date(2026, 10, 27), dt.date(2026, 11, 23))


def test_a_period_is_read_from_the_form_and_refused_when_it_is_none():
    today = dt.date(2026, 11, 23)
    assert period_from("2025-01-01", "2026-01-01", today).first == dt.date(2025, 1, 1)  # 366 days, the most
    assert period_from("2026-11-01", "2026-11-07", today) == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 7))
    assert period_from(None, "", today) == default_period(today)
    assert period_from("2026-11-20", None, today) == Period(dt.date(2026, 11, 20), today)
    for first, last, problem in [("2026-11-07", "2026-11-01", "ends before it starts"),
                                 ("11/01/2026", None, "YYYY-MM-DD"), ("2025-01-01", "2026-01-02", "at most 366")]:
        with pytest.raises(ValueError, match=problem):
            period_from(first, last, today)


def test_a_period_runs_from_the_first_local_midnight_to_the_one_after_the_last_day():
    start, end = Period(dt.date(2026, 10, 31), dt.date(2026, 11, 1)).bounds(NEW_YORK)
    assert (start, end) == (utc("2026-10-31 04:00"), utc("2026-11-02 05:00"))  # New York falls back on 1 November


def test_calls_are_tallied_by_reason_holidays_named_and_the_closed_ones_by_what_came_of_them():
    found = tally_calls([
        ("open", "tier 1", 5), ("open", "paged", 1),  # an open line's critical call is no after-hours call
        ("closed: weekend", "paged", 2), ("closed: weekend", "critical", 1), ("closed: weekend", "hung up", 4),
        ("closed: holiday Christmas Day", "message", 3), ("closed: holiday All Souls' Day", "message", 1),
        ("closed: outside hours", "message", 6), (None, None, 1),
    ])
    assert found == CallFigures(
        (("open", 6), ("closed: outside hours", 6), ("closed: weekend", 7), ("no decision logged", 1),
         ("closed: holiday All Souls' Day", 1), ("closed: holiday Christmas Day", 3)),
        (("critical (paged or put through)", 3), ("message for the next business day", 10), ("other", 4)))


def test_no_calls_still_name_every_reason_a_line_has():
    assert [label for label, _ in tally_calls([]).by_decision] == ["open", "closed: outside hours",
                                                                   "closed: weekend"]


@pytest.mark.parametrize(("values", "median", "p90"), [
    ([], None, None), ([42], 42, 42), ([60, 600, 120], 120, 504), ([10, 20], 15, 19),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 9.1),
])
def test_percentiles_interpolate_between_the_nearest_ranks(values, median, p90):
    assert percentile(values, 0.5) == (None if median is None else pytest.approx(median))
    assert percentile(values, 0.9) == (None if p90 is None else pytest.approx(p90))


def test_sleep_hours_are_each_night_22_to_08_local_even_across_a_change_of_clocks():
    spans = hour_spans(SupportHours.standard(NEW_YORK), Period(dt.date(2026, 10, 31), dt.date(2026, 11, 1)))
    assert spans.sleep == ((ny("2026-10-30 22:00"), ny("2026-10-31 08:00")),
                           (ny("2026-10-31 22:00"), ny("2026-11-01 08:00")),  # 11 hours: clocks fall back
                           (ny("2026-11-01 22:00"), ny("2026-11-02 08:00")))
    assert spans.sleep[1][1] - spans.sleep[1][0] == dt.timedelta(hours=11)
    assert spans.business == ()  # a weekend


def test_business_hours_are_the_lines_open_periods_not_its_holidays():
    from router.config import load_config

    line = load_config("examples/support.toml").line("+551130000000")
    spans = hour_spans(line.support_hours, Period(dt.date(2026, 11, 19), dt.date(2026, 11, 21)))
    assert spans.business == ((sp("2026-11-19 09:00"), sp("2026-11-19 18:00")),)  # the 20th is a holiday
    assert all(end.tzinfo == dt.timezone.utc for _, end in spans.sleep + spans.business)


def test_the_period_is_cut_into_runs_of_sleep_business_and_off_hours_sleep_first():
    hours = SupportHours(SAO_PAULO, ((Window(dt.time(7), dt.time(23)),),) * 7)  # open into sleep hours
    period = Period(dt.date(2026, 11, 18), dt.date(2026, 11, 19))
    start, end = period.bounds(SAO_PAULO)
    assert runs_of_hours(hour_spans(hours, period), start, end) == (
        (sp("2026-11-18 00:00"), Hours.SLEEP), (sp("2026-11-18 08:00"), Hours.BUSINESS),
        (sp("2026-11-18 22:00"), Hours.SLEEP), (sp("2026-11-19 08:00"), Hours.BUSINESS),
        (sp("2026-11-19 22:00"), Hours.SLEEP))
    day = Period(dt.date(2026, 11, 18), dt.date(2026, 11, 18))
    assert runs_of_hours(hour_spans(SupportHours.standard(SAO_PAULO), day), *day.bounds(SAO_PAULO)) == (
        (sp("2026-11-18 00:00"), Hours.SLEEP), (sp("2026-11-18 08:00"), Hours.OFF),
        (sp("2026-11-18 09:00"), Hours.BUSINESS), (sp("2026-11-18 18:00"), Hours.OFF),
        (sp("2026-11-18 22:00"), Hours.SLEEP))


def test_the_share_answered_in_time_leaves_out_what_is_not_yet_due():
    assert FirstResponses(met=3, late=1, overdue=0, not_yet_due=9).share == 0.75
    assert FirstResponses(0, 0, 0, 2).share is None


def test_the_escalation_kinds_counted_are_those_the_page_machine_records():
    late = NOW + dt.timedelta(minutes=6)
    recorded = {c.kind for c in decide(AT_STEP_1, TimedOut(), RULES, late) if isinstance(c, Record)}
    assert Escalation.ESCALATED in recorded
    nobody = replace(RULES, reaches=lambda step, at: ())
    recorded = {c.kind for c in decide(AT_STEP_1, TimedOut(), nobody, late) if isinstance(c, Record)}
    assert {Escalation.NOBODY, Escalation.EXHAUSTED} <= recorded
    assert decide(replace(AT_STEP_1, status=PageStatus.ACKNOWLEDGED), TimedOut(), RULES, late) == ()


REPORT = Report(
    "+551130000000", Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
    calls=tally_calls([("open", "tier 1", 2), ("closed: holiday Christmas Day", "paged", 1)]),
    pages=Acknowledgement(opened=3, acknowledged=2, median_seconds=90.0, p90_seconds=114.0),
    escalations=((Escalation.ESCALATED, 2, 1), (Escalation.NOBODY, 0, 0), (Escalation.EXHAUSTED, 1, 1)),
    first_responses=FirstResponses(met=2, late=1, overdue=0, not_yet_due=1),
    interruptions=(("carla", {Hours.BUSINESS: 1, Hours.OFF: 0, Hours.SLEEP: 2}),),
)


def test_every_figure_has_a_value_for_each_label_in_each_series():
    shown = figures(REPORT, {"carla": "Carla Mendes"}.get)
    assert [f.key for f in shown] == ["calls", "after-hours", "pages", "acknowledge", "escalations",
                                      "first-response", "interruptions"]
    for figure in shown:
        assert all(len(series.values) == len(figure.labels) for series in figure.series), figure.key
    interruptions = shown[-1]
    assert list(interruptions.rows()) == [("Carla Mendes", (1, 0, 2))]
    assert [s.name for s in interruptions.series] == ["business hours", "off hours", "sleep hours"]


def test_the_csv_is_one_row_per_number_with_the_line_and_period_on_each():
    rows = list(csv_rows(REPORT, figures(REPORT, {"carla": "Carla Mendes"}.get)))
    head = ("+551130000000", "2026-11-16", "2026-11-22")
    assert rows[0] == ("line", "from", "to", "figure", "label", "series", "value")
    assert (*head, "calls", "closed: holiday Christmas Day", "calls", "1") in rows
    assert (*head, "after-hours", "critical (paged or put through)", "calls", "1") in rows
    assert (*head, "pages", "not acknowledged", "pages", "1") in rows
    assert (*head, "acknowledge", "90th percentile", "seconds", "114") in rows
    assert (*head, "first-response", "within one business day", "share", "0.6667") in rows
    assert (*head, "interruptions", "Carla Mendes", "sleep hours", "2") in rows
    assert len(rows) == 1 + sum(len(f.labels) * len(f.series) + len(f.facts)
                                for f in figures(REPORT, str))


def test_a_figure_without_a_value_leaves_its_cell_empty_in_the_csv():
    empty = replace(REPORT, pages=Acknowledgement(0, 0, None, None))
    rows = list(csv_rows(empty, figures(empty, str)))
    assert ("+551130000000", "2026-11-16", "2026-11-22", "acknowledge", "median", "seconds", "") in rows
