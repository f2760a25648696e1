"""Support hours of a line: weekly windows, holidays, open/closed and open periods.

Everything is decided in the line's time zone. Wall-clock window times are
turned into instants with ``datetime.combine(day, time, tzinfo=zone)``, so
zoneinfo applies the right offset on DST days. A wall time that does not exist
(the skipped hour of a spring-forward day) resolves with ``fold=0``, i.e. with
the offset in force before the change; an ambiguous one (the repeated hour in
autumn) means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from ._time import require_aware, to_utc
from .holiday_rules import Closure, HolidayRules

__all__ = [
    "Closure",
    "HolidayRules",
    "Openness",
    "SupportHours",
    "Window",
    "is_open",
    "next_opening",
    "open_periods",
    "status",
]

SEARCH_DAYS = 400
OPEN, OUTSIDE_HOURS, WEEKEND, HOLIDAY = "open", "outside hours", "weekend", "holiday"


@dataclass(frozen=True)
class Window:
    """One open period of a local day, ``[opens, closes)`` in wall-clock time."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        for value in (self.opens, self.closes):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"window times must be naive datetime.time, got {value!r}")
        if not self.opens < self.closes:
            raise ValueError(f"window must open before it closes: {self.opens}-{self.closes}")

    def length(self) -> timedelta:
        """Return the wall-clock length of the window."""
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)


@dataclass(frozen=True)
class SupportHours:
    """A line's weekly hours (Monday=0 .. Sunday=6) in its time zone, and its holidays."""

    timezone: tzinfo
    weekly: tuple[tuple[Window, ...], ...]
    holidays: HolidayRules = field(default_factory=HolidayRules)

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, tzinfo):
            raise ValueError(f"timezone must be a tzinfo such as ZoneInfo, got {self.timezone!r}")
        if not isinstance(self.holidays, HolidayRules):
            raise ValueError(f"holidays must be HolidayRules, got {self.holidays!r}")
        # Configuration often arrives as lists; tuples keep the hours hashable.
        weekly = tuple(tuple(day) for day in self.weekly)
        object.__setattr__(self, "weekly", weekly)
        if len(weekly) != 7:
            raise ValueError(f"weekly hours need exactly 7 days (Monday..Sunday), got {len(weekly)}")
        for weekday, windows in enumerate(weekly):
            _check_day(weekday, windows)

    @classmethod
    def standard(cls, timezone: tzinfo, holidays: HolidayRules | None = None) -> SupportHours:
        """Return the policy's default hours: Monday to Friday, 09:00 to 18:00."""
        day = (Window(time(9), time(18)),)
        return cls(timezone=timezone, weekly=(day,) * 5 + ((), ()), holidays=holidays or HolidayRules())


def _check_day(weekday: int, windows: tuple[Window, ...]) -> None:
    """Raise ValueError unless one day's windows are Window objects, sorted and disjoint."""
    for window in windows:
        if not isinstance(window, Window):
            raise ValueError(f"weekday {weekday}: expected Window objects, got {window!r}")
    for earlier, later in zip(windows, windows[1:], strict=False):
        if later.opens < earlier.closes:
            raise ValueError(
                f"weekday {weekday}: windows must be sorted and must not overlap: "
                f"{earlier.opens}-{earlier.closes} and {later.opens}-{later.closes}"
            )


@dataclass(frozen=True)
class Openness:
    """Whether a line is open at a moment, and why.

    ``closure`` tells a company closure from a public holiday: both are logged
    as a holiday, but callers hear a closure as the offices being closed.
    """

    is_open: bool
    reason: str
    holiday: str | None = None
    closure: bool = False

    def describe(self) -> str:
        """Return the reason as logged with a call, e.g. "closed: holiday Christmas Day"."""
        if self.is_open:
            return OPEN
        if self.reason == HOLIDAY:
            return f"closed: holiday {self.holiday}"
        return f"closed: {self.reason}"


def status(hours: SupportHours, at: datetime) -> Openness:
    """Decide whether the line is open at ``at``, in the line's time zone.

    A holiday or closure closes the whole local day and wins over "weekend";
    "weekend" means the local weekday has no windows at all.
    """
    require_aware("at", at)
    day = at.astimezone(hours.timezone).date()
    holiday = hours.holidays.holiday_on(day)
    if holiday is not None:
        return Openness(False, HOLIDAY, holiday, closure=hours.holidays.closure_on(day) is not None)
    if not hours.weekly[day.weekday()]:
        return Openness(False, WEEKEND)
    instant = to_utc(at)
    for opens, closes in _day_periods(hours, day):
        if to_utc(opens) <= instant < to_utc(closes):
            return Openness(True, OPEN)
    return Openness(False, OUTSIDE_HOURS)


def is_open(hours: SupportHours, at: datetime) -> bool:
    """Return True if the line is open at ``at``."""
    return status(hours, at).is_open


def next_opening(hours: SupportHours, at: datetime) -> datetime:
    """Return the next moment the line opens after ``at`` (``at`` itself if open).

    The result is aware in the line's time zone. Raises ValueError when the line
    does not open within about 400 days, e.g. a line with no hours at all.
    """
    require_aware("at", at)
    limit = at + timedelta(days=SEARCH_DAYS)
    for opens, _closes in open_periods(hours, at, limit):
        return max(opens, at, key=to_utc).astimezone(hours.timezone)
    raise ValueError(f"no opening within {SEARCH_DAYS} days after {at.isoformat()}")


def open_periods(
    hours: SupportHours, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Yield the open periods that intersect ``[start, end)``, in order.

    Periods are whole (not clipped to ``start``/``end``), aware in the line's
    time zone, and never include holidays or closures. Clip them yourself, or
    use ``business_time_between``, when you need only the overlap.
    """
    require_aware("start", start)
    require_aware("end", end)
    first, last = to_utc(start), to_utc(end)
    if first >= last:
        return
    day = start.astimezone(hours.timezone).date()
    last_day = end.astimezone(hours.timezone).date()
    while day <= last_day:
        if hours.holidays.holiday_on(day) is None:
            for opens, closes in _day_periods(hours, day):
                if to_utc(opens) < last and to_utc(closes) > first:
                    yield opens, closes
        day += timedelta(days=1)


def _day_periods(hours: SupportHours, day: date) -> list[tuple[datetime, datetime]]:
    """Return one local day's windows as aware instants, ignoring holidays."""
    periods = []
    for window in hours.weekly[day.weekday()]:
        opens = datetime.combine(day, window.opens, tzinfo=hours.timezone)
        closes = datetime.combine(day, window.closes, tzinfo=hours.timezone)
        # Around a skipped DST hour fold=0 can map a window to an empty span; drop it.
        if to_utc(opens) < to_utc(closes):
            periods.append((opens, closes))
    return periods
