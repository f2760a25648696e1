"""Business-time arithmetic: the "one business day" first-response promise.

Durations are real elapsed time inside open periods, measured in UTC, so a
window that spans a DST change counts the hours that actually passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ._time import require_aware, to_utc
from .hours import SEARCH_DAYS, SupportHours, open_periods

__all__ = ["business_day_length", "business_time_between", "first_response_due"]


def business_day_length(hours: SupportHours) -> timedelta:
    """Return the open time of the line's longest weekday (9 hours for 09:00-18:00).

    Raises ValueError if the line has no hours on any day.
    """
    longest = max(sum((w.length() for w in day), timedelta()) for day in hours.weekly)
    if longest <= timedelta():
        raise ValueError("the line has no support hours, so it has no business day")
    return longest


def first_response_due(hours: SupportHours, opened_at: datetime) -> datetime:
    """Return when the first response to a case opened at ``opened_at`` is due, in UTC.

    Due once one full business day of the line's open time has elapsed since
    ``opened_at``, counting only open time (holidays and closures skipped).
    On a 09:00-18:00 line a case opened Friday 17:00 is due Monday 17:00.
    """
    require_aware("opened_at", opened_at)
    remaining = business_day_length(hours)
    start = to_utc(opened_at)
    for opens, closes in open_periods(hours, start, start + timedelta(days=SEARCH_DAYS)):
        begin = max(to_utc(opens), start)
        available = to_utc(closes) - begin
        if available >= remaining:
            return begin + remaining
        remaining -= available
    raise ValueError(f"no business day within {SEARCH_DAYS} days after {opened_at.isoformat()}")


def business_time_between(hours: SupportHours, start: datetime, end: datetime) -> timedelta:
    """Return the open time elapsed in ``[start, end)``; zero if ``end`` is not after ``start``."""
    require_aware("start", start)
    require_aware("end", end)
    first, last = to_utc(start), to_utc(end)
    total = timedelta()
    for opens, closes in open_periods(hours, first, last):
        total += min(to_utc(closes), last) - max(to_utc(opens), first)
    return total

