"""A report (router/reports.py) as figures: what each chart draws, the table beside it and the CSV rows.

One description of every figure serves all three, so the chart, its numbers and the export never differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from router.reports import Escalation, Hours, Report

Number = int | float | None

ESCALATION_LABELS = {
    Escalation.ESCALATED: "escalated to the next step",
    Escalation.NOBODY: "steps that reached nobody",
    Escalation.EXHAUSTED: "ran out of steps",
}
CSV_HEADER = ("line", "from", "to", "figure", "label", "series", "value")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Number, ...]


@dataclass(frozen=True)
class Fact:
    """A number shown beside a chart that the chart does not draw; `unit` "share" is a fraction of one."""

    label: str
    value: Number
    unit: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    chart: str  # Chart.js's type: "bar" or "doughnut"
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool = False
    unit: str = ""  # "seconds": the table reads them as durations, the chart draws minutes
    measure: str = ""  # what the chart's value axis counts
    facts: tuple[Fact, ...] = ()
    note: str = ""

    def rows(self) -> Iterator[tuple[str, tuple[Number, ...]]]:
        """The table's rows: each label with its value in every series."""
        for index, label in enumerate(self.labels):
            yield label, tuple(series.values[index] for series in self.series)


def figures(report: Report, person_name: Callable[[str], str]) -> tuple[Figure, ...]:
    """Every figure of the report, in the order the page shows them."""
    return (_calls(report), _after_hours(report), _pages(report), _acknowledge(report), _escalations(report),
            _first_responses(report), _interruptions(report, person_name))


def _single(key: str, title: str, pairs: tuple[tuple[str, int], ...], name: str, measure: str,
            note: str = "") -> Figure:
    """A bar chart of one series: each label's count."""
    return Figure(key, title, "bar", tuple(label for label, _ in pairs),
                  (Series(name, tuple(count for _, count in pairs)),), measure=measure, note=note)


def _calls(report: Report) -> Figure:
    return _single("calls", "Calls: open vs closed, by reason", report.calls.by_decision, "calls", measure="calls",
                   note="Inbound calls by what the line decided when they arrived; holidays by name.")


def _after_hours(report: Report) -> Figure:
    return _single("after-hours", "After-hours calls: critical vs messages", report.calls.after_hours, "calls",
                   measure="calls", note="Calls that found the line closed, by what came of them.")


def _pages(report: Report) -> Figure:
    pages = report.pages
    return _single("pages", "Pages opened", (("opened", pages.opened), ("acknowledged", pages.acknowledged),
                                             ("not acknowledged", pages.opened - pages.acknowledged)), "pages",
                   measure="pages")


def _acknowledge(report: Report) -> Figure:
    pages = report.pages
    return Figure("acknowledge", "Time to acknowledge", "bar", ("median", "90th percentile"),
                  (Series("seconds", (pages.median_seconds, pages.p90_seconds)),), unit="seconds",
                  measure="minutes", facts=(Fact("acknowledged pages", pages.acknowledged),),
                  note="From the page's opening to the first engineer taking it; pages never taken are left out.")


def _escalations(report: Report) -> Figure:
    rows = report.escalations
    return Figure("escalations", "Escalations", "bar", tuple(ESCALATION_LABELS[kind] for kind, _, _ in rows),
                  (Series("events", tuple(events for _, events, _ in rows)),
                   Series("pages", tuple(pages for _, _, pages in rows))), measure="events, pages")


def _first_responses(report: Report) -> Figure:
    found = report.first_responses
    return Figure(
        "first-response", "First response within one business day", "doughnut",
        ("met", "answered late", "not answered, past due"),
        (Series("cases", (found.met, found.late, found.overdue)),), measure="cases",
        facts=(Fact("within one business day", found.share, "share"),
               Fact("not answered, not yet due (left out)", found.not_yet_due)),
        note="Cases opened in the period whose first answer came by its due time; cases not yet answered "
             "and not yet due are left out of the share.")


def _interruptions(report: Report, person_name: Callable[[str], str]) -> Figure:
    people = report.interruptions
    return Figure(
        "interruptions", "Engineers' interruptions", "bar", tuple(person_name(person) for person, _ in people),
        tuple(Series(kind.value, tuple(counts[kind] for _, counts in people)) for kind in Hours), stacked=True,
        measure="notifications",
        note="An interruption is a notification sent (an SMS or a call), as PagerDuty counts them: sleep hours "
             "(22:00–08:00 in the line's zone) first, then the line's open hours, the rest off hours.")


def chart_data(shown: tuple[Figure, ...]) -> list[dict[str, object]]:
    """What the page's script draws, as JSON."""
    return [asdict(figure) for figure in shown]


def csv_rows(report: Report, shown: tuple[Figure, ...]) -> Iterator[tuple[str, ...]]:
    """The figures as one table: a row per number, the line and period on each, so exports can be stacked."""
    head = (report.line_number, report.period.first.isoformat(), report.period.last.isoformat())
    yield CSV_HEADER
    for figure in shown:
        for label, values in figure.rows():
            for series, value in zip(figure.series, values, strict=True):
                yield (*head, figure.key, label, series.name, _number(value))
        for fact in figure.facts:
            yield (*head, figure.key, fact.label, fact.unit, _number(fact.value))


def _number(value: Number) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{round(value, 4):g}"
