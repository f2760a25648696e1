"""Cases by where their first-response promise stands, a page at a time (the console's list, `router case list`).

Met, missed and breached are plain conditions on the stored times. On track and at risk depend on the
business time left, which only the line's hours can count: SQL keeps the cases that may be in the state
asked for, and the page's rows are checked in Python. Pages follow the last case shown (keyset), so the
hundredth page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, select, true, tuple_
from sqlalchemy import case as when
from sqlalchemy.orm import Session

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
    keys = _sort_keys(order)
    query = query.order_by(*(k.desc() if order == Order.NEWEST else k.asc() for k in keys))
    last = _follow(session, after) if after is not None else None
    rows: list[CaseRow] = []
    while len(rows) <= limit:
        batch = session.scalars(_after(query, keys, order, last).limit(limit + 1)).all()
        for case in batch:
            found = standing(case, support, at)
            if not filters.states or found.state in filters.states:
                rows.append(CaseRow(case, found))
        if len(batch) <= limit:
            break
        last = batch[-1]
    more = len(rows) > limit
    return CasePage(rows[:limit], rows[limit - 1].case.number if more else None)


def _follow(session: Session, number: int) -> Case:
    case = find_case(session, number)
    if case is None:
        raise ValueError(f"no case {number} to continue the list from")
    return case


def _sort_keys(order: Order) -> tuple[ColumnElement, ...]:
    if order == Order.NEWEST:
        return Case.opened_at, Case.id
    waiting = when((Case.first_answered_at.is_(None), 0), else_=1)
    return waiting, Case.first_response_due, Case.id


def _key_values(case: Case, order: Order) -> tuple:
    if order == Order.NEWEST:
        return case.opened_at, case.id
    return (0 if case.first_answered_at is None else 1), case.first_response_due, case.id


def _after(query: Select, keys: tuple[ColumnElement, ...], order: Order, last: Case | None) -> Select:
    """The query's rows that come after `last` in its order."""
    if last is None:
        return query
    # Each value bound as its column's type, so a time is stored-form UTC on SQLite too.
    bound = tuple_(*(literal(value, key.type) for key, value in zip(keys, _key_values(last, order), strict=True)))
    row = tuple_(*keys)
    return query.where(row < bound if order == Order.NEWEST else row > bound)


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
