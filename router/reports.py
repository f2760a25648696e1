"""The managers' reports: per line and period, what its calls, pages and cases came to.

The database counts (GROUP BY over the period's rows, on the indexes of router/models). Two figures read
rows: the acknowledged pages' times, for the percentiles SQLite cannot take (a line's pages are its
after-hours critical calls), and the notifications' sending times, placed among the runs of the line's
calendar (its hours and holidays, the engineers' sleep hours) worked out here.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from callflows.decision import CallOutcome
from router.models import Call, Case, Notification, Page, PageEvent
from schedules import Openness, SupportHours, open_periods
from schedules.hours import OUTSIDE_HOURS, WEEKEND

UTC = dt.timezone.utc
DEFAULT_DAYS = 28  # four weeks, today included
LONGEST_DAYS = 366
SLEEP_STARTS, SLEEP_ENDS = dt.time(22), dt.time(8)  # PagerDuty's sleep hours, in the line's local time
# A page notifies while it escalates, within hours of opening: the period's notifications are those of the
# pages opened in it or a week before, which the line's index on pages finds without reading every page.
PAGE_NOTIFIES_WITHIN = dt.timedelta(days=7)

OPEN = Openness(True, "open").describe()
CLOSED_REASONS = (Openness(False, OUTSIDE_HOURS).describe(), Openness(False, WEEKEND).describe())
HOLIDAY_PREFIX = "closed: holiday "  # Openness.describe() of a holiday, its name after it
UNDECIDED = "no decision logged"


class Hours(StrEnum):
    """When an interruption came, as PagerDuty's analytics split them; sleep hours win over the others."""

    BUSINESS = "business hours"
    OFF = "off hours"
    SLEEP = "sleep hours"


class Escalation(StrEnum):
    """The page events that tell of escalation (router/paging/machine.py records them)."""

    ESCALATED = "escalated"  # nobody acknowledged in time, or every call of a step reached nobody
    NOBODY = "nobody"        # a step that reached nobody, passed at once
    EXHAUSTED = "exhausted"  # escalation ran out of steps


@dataclass(frozen=True)
class Period:
    """Local dates of the line, both included."""

    first: dt.date
    last: dt.date

    def bounds(self, zone: tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The period as UTC instants [start, end): from the first day's midnight to the day after the last's."""
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def days(self) -> Iterable[dt.date]:
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)


def default_period(today: dt.date) -> Period:
    return Period(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)


def period_from(first: str | None, last: str | None, today: dt.date) -> Period:
    """The period a form asks for (ISO dates; one left out is the default's); ValueError if it is none."""
    default = default_period(today)
    try:
        period = Period(dt.date.fromisoformat(first) if first else default.first,
                        dt.date.fromisoformat(last) if last else default.last)
    except ValueError:
        raise ValueError("dates are written YYYY-MM-DD") from None
    if period.last < period.first:
        raise ValueError("the period ends before it starts")
    if (period.last - period.first).days >= LONGEST_DAYS:
        raise ValueError(f"a report covers at most {LONGEST_DAYS} days")
    return period


# ---- the pure parts: what the counted rows come to ----

@dataclass(frozen=True)
class CallFigures:
    by_decision: tuple[tuple[str, int], ...]  # open, each closed reason, each holiday by name
    after_hours: tuple[tuple[str, int], ...]  # closed-line calls: critical, messages, the rest


def tally_calls(rows: Iterable[tuple[str | None, str | None, int]]) -> CallFigures:
    """Calls counted by (decision, outcome): open vs closed by reason, and what came of the closed ones."""
    by_decision = dict.fromkeys((OPEN, *CLOSED_REASONS), 0)
    holidays: dict[str, int] = {}
    after = {"critical (paged or put through)": 0, "message for the next business day": 0, "other": 0}
    for decision, outcome, count in rows:
        if decision is not None and decision.startswith(HOLIDAY_PREFIX):
            holidays[decision] = holidays.get(decision, 0) + count
        else:
            key = decision if decision in by_decision else UNDECIDED
            by_decision[key] = by_decision.get(key, 0) + count
        if decision is not None and decision != OPEN:
            if outcome in (CallOutcome.PAGED, CallOutcome.CRITICAL):
                after["critical (paged or put through)"] += count
            elif outcome == CallOutcome.MESSAGE:
                after["message for the next business day"] += count
            else:
                after["other"] += count
    return CallFigures(tuple(by_decision.items()) + tuple(sorted(holidays.items())), tuple(after.items()))


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` percentile of `values`, interpolated between the nearest ranks (PostgreSQL's
    percentile_cont); None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Spans:
    """The period's instants (UTC) by kind of hours: sleep spans, the line's open periods; the rest is off."""

    sleep: tuple[tuple[dt.datetime, dt.datetime], ...]
    business: tuple[tuple[dt.datetime, dt.datetime], ...]


def hour_spans(hours: SupportHours, period: Period) -> Spans:
    """Sleep hours (22:00 to 08:00 local, each night one span) and the line's open periods, in UTC."""
    zone = hours.timezone
    nights = [(dt.datetime.combine(day - dt.timedelta(days=1), SLEEP_STARTS, tzinfo=zone),
               dt.datetime.combine(day, SLEEP_ENDS, tzinfo=zone)) for day in (*period.days(), period.last
                                                                             + dt.timedelta(days=1))]
    start, end = period.bounds(zone)
    return Spans(sleep=tuple((a.astimezone(UTC), b.astimezone(UTC)) for a, b in nights),
                 business=tuple((a.astimezone(UTC), b.astimezone(UTC)) for a, b in open_periods(hours, start, end)))


Run = tuple[dt.datetime, Hours]  # from this instant on, until the next run's, this kind of hours


def runs_of_hours(spans: Spans, start: dt.datetime, end: dt.datetime) -> tuple[Run, ...]:
    """[start, end) cut into runs of one kind of hours: sleep hours first, then the line's open hours, else off."""
    cuts = sorted({start, end, *(t for span in spans.sleep + spans.business for t in span if start < t < end)})
    runs: list[Run] = []
    for at in cuts[:-1]:  # each cut starts a stretch no span begins or ends in: its first instant tells its kind
        kind = Hours.SLEEP if _within(at, spans.sleep) else Hours.BUSINESS if _within(at, spans.business) else Hours.OFF
        if not runs or runs[-1][1] is not kind:
            runs.append((at, kind))
    return tuple(runs)


def _within(at: dt.datetime, ranges: tuple[tuple[dt.datetime, dt.datetime], ...]) -> bool:
    index = bisect_right(ranges, at, key=lambda span: span[0]) - 1
    return index >= 0 and at < ranges[index][1]


def kind_of_hours(at: dt.datetime, runs: tuple[Run, ...], starts: Sequence[dt.datetime]) -> Hours:
    """The kind of hours of `at` (within the runs' period; `starts` are the runs' first instants)."""
    return runs[max(bisect_right(starts, at) - 1, 0)][1]


# ---- the report: one query per figure ----

@dataclass(frozen=True)
class Acknowledgement:
    opened: int
    acknowledged: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class FirstResponses:
    """Cases opened in the period, by whether their first response came within one business day."""

    met: int
    late: int          # answered after it was due
    overdue: int       # not answered, and past due
    not_yet_due: int   # not answered, not yet due: left out of the share

    @property
    def share(self) -> float | None:
        counted = self.met + self.late + self.overdue
        return self.met / counted if counted else None


@dataclass(frozen=True)
class Report:
    line_number: str
    period: Period
    calls: CallFigures
    pages: Acknowledgement
    escalations: tuple[tuple[Escalation, int, int], ...]  # kind, events, pages
    first_responses: FirstResponses
    interruptions: tuple[tuple[str, dict[Hours, int]], ...]  # person id, notifications by hours


def build_report(session: Session, line_number: str, hours: SupportHours, period: Period,
                 now: dt.datetime) -> Report:
    """The line's figures over the period (local dates in the line's zone); `now` decides what is past due."""
    start, end = period.bounds(hours.timezone)
    runs = runs_of_hours(hour_spans(hours, period), start, end)
    return Report(line_number, period, calls=call_figures(session, line_number, start, end),
                  pages=acknowledgement(session, line_number, start, end),
                  escalations=escalations(session, line_number, start, end),
                  first_responses=first_responses(session, line_number, start, end, now),
                  interruptions=interruptions(session, line_number, runs, start, end))


def call_figures(session: Session, line_number: str, start: dt.datetime, end: dt.datetime) -> CallFigures:
    query = (select(Call.decision, Call.outcome, func.count())
             .where(Call.line_number == line_number, Call.started_at >= start, Call.started_at < end,
                    Call.direction == "inbound")
             .group_by(Call.decision, Call.outcome))
    return tally_calls(session.execute(query))


def _pages_of(line_number: str, start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    return and_(Page.line_number == line_number, Page.opened_at >= start, Page.opened_at < end)


def acknowledgement(session: Session, line_number: str, start: dt.datetime, end: dt.datetime) -> Acknowledgement:
    opened = session.scalar(select(func.count()).select_from(Page).where(_pages_of(line_number, start, end)))
    taken = session.execute(select(Page.opened_at, Page.acknowledged_at).where(
        _pages_of(line_number, start, end), Page.acknowledged_at.is_not(None)))
    seconds = [(acknowledged - opened_at).total_seconds() for opened_at, acknowledged in taken]
    return Acknowledgement(opened or 0, len(seconds), percentile(seconds, 0.5), percentile(seconds, 0.9))


def escalations(session: Session, line_number: str, start: dt.datetime,
                end: dt.datetime) -> tuple[tuple[Escalation, int, int], ...]:
    """Each escalation event's count over the period's pages, and how many pages had it."""
    query = (select(PageEvent.kind, func.count(), func.count(PageEvent.page_id.distinct()))
             .join(Page, Page.id == PageEvent.page_id)
             .where(_pages_of(line_number, start, end), PageEvent.kind.in_([kind.value for kind in Escalation]))
             .group_by(PageEvent.kind))
    counted = {kind: (events, pages) for kind, events, pages in session.execute(query)}
    return tuple((kind, *counted.get(kind, (0, 0))) for kind in Escalation)


def first_responses(session: Session, line_number: str, start: dt.datetime, end: dt.datetime,
                    now: dt.datetime) -> FirstResponses:
    answered, due = Case.first_answered_at, Case.first_response_due

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(select(
        count(answered <= due), count(answered > due), count(answered.is_(None) & (due <= now)),
        count(answered.is_(None) & (due > now)),
    ).where(Case.line_number == line_number, Case.opened_at >= start, Case.opened_at < end)).one()
    return FirstResponses(*(int(n) for n in row))


def interruptions(session: Session, line_number: str, runs: tuple[Run, ...], start: dt.datetime,
                  end: dt.datetime) -> tuple[tuple[str, dict[Hours, int]], ...]:
    """Notifications sent (Twilio took them) to each person for the line's pages, by kind of hours.

    Their sending times are read and placed among the runs here: in SQL the same search (a CASE per run,
    nested) took PostgreSQL 0.3-1.1 s over a year's notifications at a million calls, reading them 0.17 s.
    """
    sent = (select(Notification.person_id, Notification.sent_at)
            .join(Page, Page.id == Notification.page_id)
            .where(Page.line_number == line_number, Page.opened_at >= start - PAGE_NOTIFIES_WITHIN,
                   Page.opened_at < end, Notification.sent_at >= start, Notification.sent_at < end))
    starts = [run_start for run_start, _kind in runs]
    people: dict[str, dict[Hours, int]] = {}
    for person, at in session.execute(sent):
        people.setdefault(person, dict.fromkeys(Hours, 0))[kind_of_hours(at, runs, starts)] += 1
    return tuple(sorted(people.items(), key=lambda item: (-sum(item[1].values()), item[0])))
