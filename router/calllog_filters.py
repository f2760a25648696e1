"""What a manager asks of the call log, read from a query string (any odd value ignored) and written back.

The console's URL keeps the filters, `router calls` passes the same names: one parser for both, no Flask.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlencode

import phonenumbers

from callflows.decision import CallOutcome
from router.config import SupportConfig
from router.facts import phone_number
from router.models import Case
from schedules.holiday_rules import HolidayRules

E = TypeVar("E", bound=enum.StrEnum)
LONGEST_VALUE = 100  # a query-string value longer than any name, number or date we know is cut here
FIRST_YEAR, LAST_YEAR = 1970, 2999  # dates outside are typos, and the far ones overflow a datetime
CASE_NUMBER = re.compile(r"(?:case\s*)?#?\s*(\d{1,12})", re.IGNORECASE)


class Hours(enum.StrEnum):
    """Whether the line was open when the call came, and if not why (`Call.decision`)."""

    OPEN = "open"
    CLOSED = "closed"  # for any reason
    OUTSIDE_HOURS = "outside hours"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # any holiday, or the one `CallFilters.holiday` names


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    NORMAL = "normal"


class Sort(enum.StrEnum):
    """The call log's sortable columns."""

    TIME = "time"
    DURATION = "duration"
    LINE = "line"
    CALLER = "caller"
    OUTCOME = "outcome"


# Times and lengths read best largest first, names in alphabetical order.
DESCENDING_FIRST = frozenset({Sort.TIME, Sort.DURATION})
HOLIDAY_PREFIX = "holiday:"  # hours=holiday:Christmas Day names one holiday
ANSWERS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


@dataclass(frozen=True)
class CallFilters:
    """One search of the call log. Dates are the line's local dates when a line is chosen, else UTC."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    line: str | None = None  # the line's number, E.164
    hours: Hours | None = None
    holiday: str | None = None  # with hours=HOLIDAY: this holiday only
    outcome: CallOutcome | None = None
    severity: Severity | None = None  # the call's case's
    customer: str | None = None  # a configured customer's id
    paged: bool | None = None  # the call's case has a page
    search: str = ""  # a phone number in any notation, or a case number
    sort: Sort = Sort.TIME
    descending: bool = True

    @classmethod
    def parse(cls, args: Mapping[str, Any], support: SupportConfig) -> CallFilters:
        """The filters a query string asks for; a value that means nothing here is left out, never an error."""
        value = _reader(args)
        hours, holiday = _hours(value("hours"))
        sort = _enum(Sort, value("sort")) or Sort.TIME
        direction = value("dir")
        descending = direction == "desc" if direction in ("asc", "desc") else sort in DESCENDING_FIRST
        line = phone_number(value("line"))
        customer = value("customer")
        return cls(date_from=_date(value("from")), date_to=_date(value("to")),
                   line=line if support.line(line) else None, hours=hours, holiday=holiday,
                   outcome=_enum(CallOutcome, value("outcome")), severity=_enum(Severity, value("severity")),
                   customer=customer if support.customer(customer) else None,
                   paged=ANSWERS.get((value("paged") or "").lower()), search=value("q") or "",
                   sort=sort, descending=descending)

    def args(self) -> dict[str, str]:
        """The query string's names and values of these filters (those left at their default omitted)."""
        hours = f"{HOLIDAY_PREFIX}{self.holiday}" if self.hours == Hours.HOLIDAY and self.holiday else self.hours
        paged = None if self.paged is None else ("yes" if self.paged else "no")
        given = {"from": self.date_from, "to": self.date_to, "line": self.line, "hours": hours,
                 "outcome": self.outcome, "severity": self.severity, "customer": self.customer,
                 "paged": paged, "q": self.search}
        shown = {name: str(value) for name, value in given.items() if value}
        if self.sort != Sort.TIME:
            shown["sort"] = self.sort.value
        if self.descending != (self.sort in DESCENDING_FIRST):
            shown["dir"] = "desc" if self.descending else "asc"
        return shown

    def query_string(self, **extra: str) -> str:
        """These filters as a URL's query string, with `extra` (a page's cursor) after them."""
        return urlencode({**self.args(), **extra})

    def sorted_by(self, sort: Sort) -> CallFilters:
        """The same search sorted by `sort`: the other direction if it is sorted so already."""
        if sort == self.sort:
            return replace(self, descending=not self.descending)
        return replace(self, sort=sort, descending=sort in DESCENDING_FIRST)

    def zone(self, support: SupportConfig) -> dt.tzinfo:
        """The zone the dates are read in: the chosen line's, else UTC."""
        line = support.line(self.line)
        return line.timezone if line else dt.timezone.utc

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order is asked for."""
        return any(getattr(self, f.name) != f.default for f in fields(self) if f.name not in ("sort", "descending"))


def _reader(args: Mapping[str, Any]):
    """A query string's first value of a name, as text without control characters, at most LONGEST_VALUE."""
    def value(name: str) -> str | None:
        try:
            found = args.get(name)
        except (TypeError, ValueError):
            return None
        if isinstance(found, list | tuple):
            found = found[0] if found else None
        if not isinstance(found, str):
            return None
        cleaned = "".join(c for c in found[:LONGEST_VALUE * 2] if c.isprintable()).strip()
        return cleaned[:LONGEST_VALUE] or None
    return value


def _enum(kind: type[E], text: str | None) -> E | None:
    try:
        return kind(text) if text else None
    except ValueError:
        return None


def _date(text: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _hours(text: str | None) -> tuple[Hours | None, str | None]:
    if text and text.startswith(HOLIDAY_PREFIX):
        name = text[len(HOLIDAY_PREFIX):].strip()
        return Hours.HOLIDAY, name or None
    return _enum(Hours, text), None


@dataclass(frozen=True)
class SearchTerms:
    """What a search text can mean: the numbers it may be written for (E.164), a case's row id."""

    numbers: tuple[str, ...] = ()
    case_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.numbers and self.case_id is None


def search_terms(text: str, support: SupportConfig) -> SearchTerms:
    """A phone number in any notation (read in each line's region), or a case number (1001, #1001, case 1001)."""
    if not text:
        return SearchTerms()
    found = CASE_NUMBER.fullmatch(text.strip())
    case_id = Case.id_for(int(found.group(1))) if found else None
    written = [text]
    if text.isdigit():  # a number keyed in with its country code but without the +
        written.append("+" + text)
    numbers = dict.fromkeys(number for each in written for region in regions(support)
                            if (number := _possible(each, region)))
    return SearchTerms(tuple(numbers), case_id)


def regions(support: SupportConfig) -> tuple[str, ...]:
    """Where the lines' callers are: each line's region (or its holidays' country), then the service's default."""
    found = [line.region or line.holidays.country for line in support.lines]
    return tuple(dict.fromkeys(r for r in [*found, support.service.default_region]
                               if r in phonenumbers.SUPPORTED_REGIONS))


def _possible(text: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def holiday_names(support: SupportConfig, today: dt.date) -> tuple[str, ...]:
    """The holidays and closures that closed a line last year or this year, as the call log names them."""
    return tuple(sorted({name for line in support.lines
                         for name in _holidays_of(line.support_hours.holidays, today.year)}))


@lru_cache(maxsize=32)
def _holidays_of(rules: HolidayRules, year: int) -> frozenset[str]:
    day, last = dt.date(year - 1, 1, 1), dt.date(year, 12, 31)
    names = set()
    while day <= last:
        name = rules.holiday_on(day)
        if name:
            names.add(name)
        day += dt.timedelta(days=1)
    return frozenset(names)


def midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The instant a local day starts."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)

