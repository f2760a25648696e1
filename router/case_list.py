"""Cases by where their first-response promise stands, a page at a time (the console's list, `router case list`).

Met, missed and breached are plain conditions on the stored times. On track and at risk depend on the
business time left, which only the line's hours can count: SQL keeps the cases that may be in the state
asked for, and the page's rows are checked in Python. Pages follow the last case shown (keyset), so the
hundredth page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, select, true, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from router.case_report import duration
from router.cases import CaseStatus, PromiseState, find_case, promise
from router.config import Line, SupportConfig
from router.models import Case
from schedules import SupportHours, business_day_length, business_time_between, open_periods

UTC = dt.timezone.utc
# How far ahead to look for the open time that makes a case safely on track; a line closed for longer
# than this gets no bound, and its unanswered cases are all checked in Python.
HORIZON_SEARCH = dt.timedelta(days=30)
# A day's open time can exceed the longest weekday by the hour gained when the clocks go back.
DST_GAIN = dt.timedelta(hours=1)


class Order(StrEnum):
    NEWEST = "newest"  # opened most recently first
    URGENT = "urgent"  # still waiting for a first response first, soonest due first


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list; None (or no states) lets every case through."""

    states: frozenset[PromiseState] = frozenset()
    status: CaseStatus | None = CaseStatus.OPEN
    tier: int | None = None
    severity: str | None = None
    line: str | None = None
    customer: str | None = None


@dataclass(frozen=True)
class Standing:
    """Where a case's promise stands at a moment, and by how much."""

    state: PromiseState
    left: dt.timedelta | None  # business time left before it is due (on track, at risk)
    margin: dt.timedelta | None  # how long ago it was breached, or how early or late it was answered

    def phrase(self) -> str:
        """The time left as people say it: "2 h 10 min of business time left", "breached 3 h ago"."""
        if self.left is not None:
            return f"{duration(self.left)} of business time left"
        if self.state == PromiseState.BREACHED:
            return f"breached {duration(self.margin)} ago"
        if self.state == PromiseState.MET:
            return f"answered {duration(self.margin)} before it was due"
        return f"answered {duration(self.margin)} late"


@dataclass(frozen=True)
class CaseRow:
    case: Case
    standing: Standing


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    next_after: int | None  # the case number the next page follows, if there is a next page


def standing(case: Case, support: SupportConfig, at: dt.datetime) -> Standing:
    """The case's promise at `at`, with the business time left or the margin it was kept or broken by."""
    state = promise(case, support, at)
    due = case.first_response_due
    if state in (PromiseState.ON_TRACK, PromiseState.AT_RISK):
        hours = support.line(case.line_number).support_hours
        return Standing(state, business_time_between(hours, at, due), None)
    if state == PromiseState.BREACHED:
        return Standing(state, None, at - due)
    return Standing(state, None, abs(case.first_answered_at - due))


def list_cases(session: Session, support: SupportConfig, filters: CaseFilter, at: dt.datetime, *,
               order: Order = Order.NEWEST, after: int | None = None, limit: int = 50,
               scope: ColumnElement[bool] | None = None) -> CasePage:
    """A page of the cases `filters` (and `scope`, what the reader may see) let through, in `order`.

    `after` is the number of the last case of the previous page. Raises ValueError for a number no
    listed case has.
    """
    query = select(Case).where(scope if scope is not None else true(), *_conditions(filters, support, at))
    last = _follow(session, after) if after is not None else None
    runs = _runs(order, filters.states)
    if last is not None:  # the runs before the one the last case shown is in are done
        runs = runs[next((i for i, run in enumerate(runs) if run.holds(last)), len(runs)):]
    rows: list[CaseRow] = []
    for run in runs:
        for case in _walk(session, query, run, last if last is not None and run.holds(last) else None, limit):
            found = standing(case, support, at)
            if not filters.states or found.state in filters.states:
                rows.append(CaseRow(case, found))
            if len(rows) > limit:
                return CasePage(rows[:limit], rows[limit - 1].case.number)
    return CasePage(rows, None)


@dataclass(frozen=True)
class _Run:
    """A stretch of an order that one index walks: the cases still waiting for a first response (or those
    answered, or all of them when `waiting` is None), by `keys`."""

    waiting: bool | None
    keys: tuple[InstrumentedAttribute, ...]
    descending: bool

    def holds(self, case: Case) -> bool:
        return self.waiting is None or (case.first_answered_at is None) == self.waiting

    def condition(self) -> ColumnElement[bool]:
        if self.waiting is None:
            return true()
        return Case.first_answered_at.is_(None) if self.waiting else Case.first_answered_at.is_not(None)


WAITING_STATES = frozenset({PromiseState.ON_TRACK, PromiseState.AT_RISK, PromiseState.BREACHED})


def _runs(order: Order, states: frozenset[PromiseState]) -> list[_Run]:
    """Newest first is one run; most urgent first the waiting cases soonest due first, then the answered
    ones (each run only if the states asked for can be in it)."""
    if order == Order.NEWEST:
        return [_Run(None, (Case.opened_at, Case.id), descending=True)]
    due = (Case.first_response_due, Case.id)
    return [_Run(waiting, due, descending=False) for waiting in (True, False)
            if not states or (states & WAITING_STATES if waiting else states - WAITING_STATES)]


def _walk(session: Session, query: Select, run: _Run, last: Case | None, limit: int) -> Iterator[Case]:
    """The run's cases after `last`, in its order, read `limit` + 1 at a time as the caller goes on."""
    ordered = query.where(run.condition()).order_by(*(k.desc() if run.descending else k.asc() for k in run.keys))
    while True:
        batch = session.scalars(_after(ordered, run, last).limit(limit + 1)).all()
        yield from batch
        if len(batch) <= limit:
            return
        last = batch[-1]


def _follow(session: Session, number: int) -> Case:
    case = find_case(session, number)
    if case is None:
        raise ValueError(f"no case {number} to continue the list from")
    return case


def _after(query: Select, run: _Run, last: Case | None) -> Select:
    """The query's rows that come after `last` in the run's order."""
    if last is None:
        return query
    # Each value bound as its column's type, so a time is stored-form UTC on SQLite too.
    bound = tuple_(*(literal(getattr(last, key.key), key.type) for key in run.keys))
    row = tuple_(*run.keys)
    return query.where(row < bound if run.descending else row > bound)


def _conditions(filters: CaseFilter, support: SupportConfig, at: dt.datetime) -> list[ColumnElement[bool]]:
    conditions = []
    for column, value in ((Case.status, filters.status), (Case.tier, filters.tier),
                          (Case.severity, filters.severity), (Case.line_number, filters.line),
                          (Case.customer_id, filters.customer)):
        if value is not None:
            conditions.append(column == value)
    if filters.states:
        lines = [line for line in support.lines if filters.line in (None, line.number)]
        conditions.append(or_(*(_may_be(state, lines, support, at) for state in filters.states)))
    return conditions


def _may_be(state: PromiseState, lines: list[Line], support: SupportConfig, at: dt.datetime) -> ColumnElement[bool]:
    """A condition every case in `state` at `at` meets (exactly, but for at risk and on track)."""
    answered, due = Case.first_answered_at, Case.first_response_due
    if state == PromiseState.MET:
        return and_(answered.is_not(None), answered <= due)
    if state == PromiseState.MISSED:
        return and_(answered.is_not(None), answered > due)
    if state == PromiseState.BREACHED:
        return and_(answered.is_(None), due <= at)
    waiting = and_(answered.is_(None), due > at)
    if state == PromiseState.ON_TRACK:
        return waiting
    soon = []
    for line in lines:
        horizon = _at_risk_horizon(line.support_hours, at, support.service.at_risk_share)
        soon.append(Case.line_number == line.number if horizon is None
                    else and_(Case.line_number == line.number, due <= horizon))
    return and_(waiting, or_(false(), *soon))


def _at_risk_horizon(hours: SupportHours, at: dt.datetime, share: float) -> dt.datetime | None:
    """A due time after which an unanswered case is on track at `at`: later ones have more business time
    left than any day's at-risk share. None when the line is not open enough within `HORIZON_SEARCH`."""
    needed = (business_day_length(hours) + DST_GAIN) * share
    counted = dt.timedelta()
    for opens, closes in open_periods(hours, at, at + HORIZON_SEARCH):
        start, end = max(opens.astimezone(UTC), at.astimezone(UTC)), closes.astimezone(UTC)
        if counted + (end - start) >= needed:
            return start + (needed - counted)
        counted += end - start
    return None
