"""Business-time arithmetic: the "one business day" first-response promise.

A business day is a local date that is not a holiday or closure and has open
windows. "One business day" after a case opens is the same point of the next
business day's open time as the case opened into its own day, so a customer
told "one business day" gets the answer they expect even where days differ in
length (a short Friday, a long Monday).

Durations are real elapsed time inside open periods, measured in UTC, so a
window that spans a DST change counts the hours that actually passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from ._time import require_aware, to_utc
from .hours import SEARCH_DAYS, SupportHours, _day_periods, open_periods

__all__ = ["business_day_length", "business_time_between", "day_open_time", "first_response_due"]

Periods = list[tuple[datetime, datetime]]


def business_day_length(hours: SupportHours) -> timedelta:
    """Return the open time of the line's longest weekday (9 hours for 09:00-18:00).

    No longer the length of "one business day" (that is the next business
    day's own open time); it is the line's nominal day, a fallback where a
    stored due time no longer falls on a business day. Raises ValueError if
    the line has no hours on any day.
    """
    longest = max(sum((w.length() for w in day), timedelta()) for day in hours.weekly)
    if longest <= timedelta():
        raise ValueError("the line has no support hours, so it has no business day")
    return longest


def first_response_due(hours: SupportHours, opened_at: datetime) -> datetime:
    """Return when the first response to a case opened at ``opened_at`` is due, in UTC.

    Opened inside a business day's span (after its first opening, before its
    last close, lunch breaks included) with open time ``e`` elapsed that day:
    due once ``e`` has elapsed into the next business day, or at that day's
    close if it is shorter than ``e``. Opened while closed outside a span:
    due at the close of the first business day that opens at or after it (so
    a case opened exactly at the opening is due at that day's close). On a
    09:00-18:00 line Friday 17:00 is due Monday 17:00, Saturday Monday 18:00.
    Raises ValueError when no business day follows within ``SEARCH_DAYS``.
    """
    require_aware("opened_at", opened_at)
    business_day_length(hours)  # a line without any hours fails with a clear message
    start = to_utc(opened_at)
    day = opened_at.astimezone(hours.timezone).date()
    today = _business_periods(hours, day)
    if today and to_utc(today[0][0]) < start < to_utc(today[-1][1]):
        following = next(_business_days(hours, day + timedelta(days=1), opened_at))
        return _after_open_time(following, _elapsed(today, start))
    return next(to_utc(periods[-1][1]) for periods in _business_days(hours, day, opened_at)
                if to_utc(periods[0][0]) >= start)


def day_open_time(hours: SupportHours, at: datetime) -> timedelta:
    """Return the open time of the local day containing ``at``; zero if it is no business day.

    Real elapsed time, so a window holding a DST change counts what passed.
    """
    require_aware("at", at)
    periods = _business_periods(hours, at.astimezone(hours.timezone).date())
    return sum((to_utc(closes) - to_utc(opens) for opens, closes in periods), timedelta())


def business_time_between(hours: SupportHours, start: datetime, end: datetime) -> timedelta:
    """Return the open time elapsed in ``[start, end)``; zero if ``end`` is not after ``start``."""
    require_aware("start", start)
    require_aware("end", end)
    first, last = to_utc(start), to_utc(end)
    total = timedelta()
    for opens, closes in open_periods(hours, first, last):
        total += min(to_utc(closes), last) - max(to_utc(opens), first)
    return total


def _business_periods(hours: SupportHours, day: date) -> Periods:
    """Return a local day's open periods, or none if the day is a holiday or closure."""
    if hours.holidays.holiday_on(day) is not None:
        return []
    return _day_periods(hours, day)


def _business_days(hours: SupportHours, day: date, opened_at: datetime) -> Iterator[Periods]:
    """Yield the open periods of each business day from ``day`` on, in order.

    Bounded, so a line whose every day is closed fails instead of looping:
    raises ValueError once ``SEARCH_DAYS`` days have been searched.
    """
    for offset in range(SEARCH_DAYS):
        periods = _business_periods(hours, day + timedelta(days=offset))
        if periods:
            yield periods
    raise ValueError(f"no business day within {SEARCH_DAYS} days after {opened_at.isoformat()}")


def _elapsed(periods: Periods, at: datetime) -> timedelta:
    """Return the open time of ``periods`` before the UTC instant ``at``."""
    return sum((min(to_utc(closes), at) - to_utc(opens) for opens, closes in periods if to_utc(opens) < at),
               timedelta())


def _after_open_time(periods: Periods, elapsed: timedelta) -> datetime:
    """Return the UTC instant once ``elapsed`` open time has passed in ``periods``, else their close.

    A point that falls exactly on a window's end is that end, not the next
    window's opening: the time is up when the window closes.
    """
    for opens, closes in periods:
        begin, end = to_utc(opens), to_utc(closes)
        if elapsed <= end - begin:
            return begin + elapsed
        elapsed -= end - begin
    return to_utc(periods[-1][1])
