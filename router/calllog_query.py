"""The call log as managers search it: the filtered SELECT, its keyset pages, and its CSV streamed.

No Flask here: the console (router/console/calls.py) and `router calls` (router/calls_cli.py) share it.
The filters themselves are read in router/calllog_filters.py.

Pages are keyset pages (a cursor names the sort value, time and id of the row a page starts after),
never OFFSET nor COUNT(*): each page is one index range scan whatever the log's size. A nullable sort
column (an anonymous caller, a call still going) is walked in two segments, the rows with a value and
then those without, so each segment's order is one index's and no row is lost to NULL comparisons.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, literal_column, or_, select, true, tuple_
from sqlalchemy.orm import Session, aliased

from router.calllog_filters import CallFilters, Hours, Sort, midnight, search_terms
from router.config import SupportConfig
from router.console.scope import visible_calls, visible_cases
from router.models import Call, Case, Role, User
from router.models.base import MAX_ID
from router.models.calls import HOLIDAY_DECISIONS
from router.models.cases import CASE_NUMBER_OFFSET
from schedules.hours import HOLIDAY, OPEN, OUTSIDE_HOURS, WEEKEND

__all__ = ["CallFilters", "CallPage", "CallRow", "Cursor", "call_page", "csv_lines", "csv_rows"]

PAGE_SIZE = 50
CHUNK = 1000  # rows fetched at a time by the CSV export
# Any holiday: the partial index ix_calls_holiday_started holds just these rows, in time order. A literal,
# not a parameter, so that the planner sees that the query's condition is the index's.
ANY_HOLIDAY = literal_column(f"'{HOLIDAY_DECISIONS}'")
CallCase = aliased(Case, name="call_case")  # its own name: the scope's subqueries on cases stay uncorrelated
SORT_COLUMNS = {Sort.TIME: None, Sort.DURATION: Call.duration_seconds, Sort.LINE: Call.line_number,
                Sort.CALLER: Call.from_number, Sort.OUTCOME: Call.outcome}
COLUMNS = (Call.id, Call.started_at, Call.line_number, Call.from_number, Call.customer_id, Call.decision,
           Call.path, Call.outcome, Call.case_id, Call.duration_seconds, Call.ended_at, CallCase.severity,
           CallCase.page_id)
CSV_HEADER = ("time", "line", "caller", "caller number", "hours", "path", "outcome", "case", "severity",
              "paged", "duration seconds")


@dataclass(frozen=True)
class Cursor:
    """A place in the log's order: the row a page starts after (or, `backward`, ends before)."""

    sort: Sort
    value: str | int | None  # the sort column's value (None for the time sort, or the column is NULL)
    started_at: dt.datetime
    id: int
    backward: bool = False

    def token(self) -> str:
        text = json.dumps([self.sort.value, self.value, self.started_at.isoformat(), self.id])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def read(cls, token: str | None, sort: Sort, backward: bool = False) -> Cursor | None:
        """The cursor a page link carries; None for anything else (another sort's, tampered, garbage)."""
        if not token or len(token) > 400:
            return None
        try:
            sort_name, value, at, row = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            started_at = dt.datetime.fromisoformat(at)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
        wanted = int if sort == Sort.DURATION else str
        if (sort_name != sort.value or not isinstance(row, int) or not 0 < row <= MAX_ID
                or started_at.tzinfo is None or (value is not None and type(value) is not wanted)
                or (sort == Sort.TIME and value is not None)):
            return None
        if isinstance(value, str) and (len(value) > 200 or "\0" in value):
            return None
        if isinstance(value, int) and not -(2**31) <= value < 2**31:
            return None
        return cls(sort, value, started_at, row, backward)


@dataclass(frozen=True)
class CallRow:
    """One call as the log shows it (and its CSV writes it)."""

    id: int
    started_at: dt.datetime  # UTC
    zone: str | None  # the line's time zone
    line_number: str | None
    line_name: str
    caller: str  # the customer's name, else the number
    caller_number: str | None
    hours: str  # "open", "closed: holiday Christmas Day"
    path: str
    outcome: str | None
    case_number: int | None
    severity: str | None
    paged: bool
    duration_seconds: int | None
    ongoing: bool  # no final status from Twilio yet

    def cursor(self, sort: Sort, backward: bool = False) -> Cursor:
        value = {Sort.TIME: None, Sort.DURATION: self.duration_seconds, Sort.LINE: self.line_number,
                 Sort.CALLER: self.caller_number, Sort.OUTCOME: self.outcome}[sort]
        return Cursor(sort, value, self.started_at, self.id, backward)

    def local_time(self) -> dt.datetime:
        return self.started_at.astimezone(dt.timezone.utc if self.zone is None else ZoneInfo(self.zone))

    def csv(self) -> list[str]:
        return [self.local_time().isoformat(), self.line_name, self.caller, self.caller_number or "", self.hours,
                self.path, self.outcome or ("in progress" if self.ongoing else ""),
                str(self.case_number or ""), self.severity or "", "yes" if self.paged else "no",
                "" if self.duration_seconds is None else str(self.duration_seconds)]


@dataclass(frozen=True)
class CallPage:
    rows: list[CallRow]
    previous: Cursor | None  # where the page before this one ends (None on the first page)
    next: Cursor | None  # where the page after this one starts (None on the last)


def call_page(session: Session, support: SupportConfig, filters: CallFilters, user: User | None,
              cursor: Cursor | None = None, size: int = PAGE_SIZE) -> CallPage:
    """One page of the calls `user` may see (None: the command line, which sees all) that match `filters`."""
    found = _walk(session, _base(filters, support, user), filters, cursor, size + 1)
    if cursor is not None and cursor.backward:
        if len(found) <= size:  # back at the start: the first page, in full
            return call_page(session, support, filters, user, None, size)
        rows = [_row(r, support) for r in reversed(found[:size])]
        return CallPage(rows, rows[0].cursor(filters.sort, backward=True), rows[-1].cursor(filters.sort))
    rows = [_row(r, support) for r in found[:size]]
    more = len(found) > size
    return CallPage(rows, rows[0].cursor(filters.sort, backward=True) if cursor and rows else None,
                    rows[-1].cursor(filters.sort) if more else None)


def csv_rows(session: Session, support: SupportConfig, filters: CallFilters, user: User | None) -> Iterator[list[str]]:
    """The CSV of every matching call, header first, in the log's order, never holding more than a chunk.

    PostgreSQL streams each segment through a server-side cursor. On SQLite every transaction holds the
    write lock (router/db.py), so the export reads keyset chunks, each in a transaction of its own, and
    calls go on being logged while a long export runs.
    """
    yield list(CSV_HEADER)
    base = _base(filters, support, user)
    if session.get_bind().dialect.name == "postgresql":
        for segment in _segments(filters, backward=False):
            statement = _segment_select(base, filters.sort, segment, None)
            for found in session.execute(statement.execution_options(yield_per=CHUNK, stream_results=True)):
                yield _row(found, support).csv()
        return
    cursor = None
    while True:
        found = _walk(session, base, filters, cursor, CHUNK)
        session.rollback()  # ends the read, and with it the write lock
        rows = [_row(r, support) for r in found]
        yield from (row.csv() for row in rows)
        if len(found) < CHUNK:
            return
        cursor = rows[-1].cursor(filters.sort)


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV rows as text lines, one at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _base(filters: CallFilters, support: SupportConfig, user: User | None) -> Select:
    return (select(*COLUMNS).outerjoin(CallCase, CallCase.id == Call.case_id)
            .where(Call.direction == "inbound", _scope(user), *_conditions(filters, support)))


def _scope(user: User | None) -> ColumnElement[bool]:
    """The calls `user` may see (router/console/scope.py); None, the command line, sees them all."""
    if user is None:
        return true()
    if user.role != Role.ENGINEER:
        return visible_calls(user)
    # An engineer's customer calls are those of the cases of their pages: saying so as well lets the planner
    # start from those few cases, where the scope's OR alone made it read the whole log for them (1.3 s at
    # a million calls for an engineer paged ten times).
    return and_(visible_calls(user), Call.case_id.in_(select(Case.id).where(visible_cases(user))))


def _conditions(filters: CallFilters, support: SupportConfig) -> list[ColumnElement[bool]]:
    zone = filters.zone(support)
    found: list[ColumnElement[bool]] = []
    if filters.date_from:
        found.append(Call.started_at >= midnight(filters.date_from, zone))
    if filters.date_to:
        found.append(Call.started_at < midnight(filters.date_to + dt.timedelta(days=1), zone))
    if filters.line:
        found.append(Call.line_number == filters.line)
    if filters.hours:
        found.append(_hours(filters.hours, filters.holiday))
    if filters.outcome:
        found.append(Call.outcome == filters.outcome.value)
    if filters.severity:
        found.append(CallCase.severity == filters.severity.value)
    if filters.customer:
        found.append(Call.customer_id == filters.customer)
    if filters.paged is not None:
        found.append(CallCase.page_id.is_not(None) if filters.paged else CallCase.page_id.is_(None))
    if filters.search:
        found.append(_search(filters.search, support))
    return found


def _hours(hours: Hours, holiday: str | None) -> ColumnElement[bool]:
    if hours == Hours.OPEN:
        return Call.decision == OPEN
    if hours == Hours.CLOSED:
        return Call.decision.like(literal_column("'closed: %'"))
    if hours == Hours.HOLIDAY:
        if holiday:
            return Call.decision == f"closed: {HOLIDAY} {holiday}"
        return Call.decision.like(ANY_HOLIDAY)
    return Call.decision == f"closed: {OUTSIDE_HOURS if hours == Hours.OUTSIDE_HOURS else WEEKEND}"


def _search(text: str, support: SupportConfig) -> ColumnElement[bool]:
    terms = search_terms(text, support)
    if terms.empty:
        return false()  # neither a number nor a case number: no call is that
    found = [Call.from_number.in_(terms.numbers)] if terms.numbers else []
    if terms.case_id is not None:
        found.append(Call.case_id == terms.case_id)
    return or_(*found)


@dataclass(frozen=True)
class _Segment:
    nulls: bool  # the rows whose sort column is NULL: after the others, in either direction
    ascending: bool


def _segments(filters: CallFilters, backward: bool) -> list[_Segment]:
    """The segments of the log's order, from its start (or, `backward`, from its end)."""
    ascending = filters.descending == backward
    if SORT_COLUMNS[filters.sort] is None:
        return [_Segment(False, ascending)]
    order = [_Segment(False, ascending), _Segment(True, ascending)]
    return order[::-1] if backward else order


def _segment_select(base: Select, sort: Sort, segment: _Segment, start: Cursor | None) -> Select:
    """One segment's rows in order, those after `start` if it is in this segment."""
    column = SORT_COLUMNS[sort]
    keys = [Call.started_at, Call.id]
    statement = base
    if column is not None:
        statement = statement.where(column.is_(None) if segment.nulls else column.is_not(None))
        keys = keys if segment.nulls else [column, *keys]
    if start is not None:
        values = [start.started_at, start.id] if len(keys) == 2 else [start.value, start.started_at, start.id]
        bound = tuple_(*keys)
        statement = statement.where(bound > tuple(values) if segment.ascending else bound < tuple(values))
    return statement.order_by(*(key.asc() if segment.ascending else key.desc() for key in keys))


def _walk(session: Session, base: Select, filters: CallFilters, start: Cursor | None, limit: int) -> list:
    """Up to `limit` rows in the log's order after `start` (before it, reversed, if it looks backward)."""
    segments = _segments(filters, backward=bool(start and start.backward))
    if start is not None:  # the segments before the cursor's are behind it
        in_nulls = start.value is None and SORT_COLUMNS[filters.sort] is not None
        segments = segments[next(i for i, s in enumerate(segments) if s.nulls == in_nulls):]
    found: list = []
    for segment in segments:
        cursor = start if segment is segments[0] else None
        found.extend(session.execute(_segment_select(base, filters.sort, segment, cursor).limit(limit - len(found))))
        if len(found) >= limit:
            break
    return found


def _row(found, support: SupportConfig) -> CallRow:
    line = support.line(found.line_number)
    customer = support.customer(found.customer_id)
    return CallRow(
        id=found.id, started_at=found.started_at, zone=line.timezone.key if line else None,
        line_number=found.line_number, line_name=line.name if line else (found.line_number or ""),
        caller=customer.name if customer else (found.from_number or "anonymous"), caller_number=found.from_number,
        hours=found.decision or "", path=found.path or "", outcome=found.outcome,
        case_number=found.case_id + CASE_NUMBER_OFFSET if found.case_id else None, severity=found.severity,
        paged=found.page_id is not None, duration_seconds=found.duration_seconds, ongoing=found.ended_at is None)
