"""The first-response promise: on track, at risk or breached, on the line's business-day clock."""

from __future__ import annotations

from datetime import datetime

from .business_day import business_day_length, business_time_between, day_open_time
from .hours import SupportHours

ON_TRACK, AT_RISK, BREACHED, MET, MISSED = "on track", "at risk", "breached", "met", "missed"


def promise_status(hours: SupportHours, due: datetime, answered_at: datetime | None, at: datetime,
                   at_risk_share: float = 0.25) -> str:
    """Where a case's first-response promise stands at `at`.

    Answered cases are "met" or "missed". Open ones are "breached" once `due`
    has passed, "at risk" when no more than `at_risk_share` of a business day
    of open time is left before `due`, otherwise "on track". Time left counts
    only open time, so a case due Monday 10:00 is not at risk on Friday night.

    Where days differ in length, "a business day" is the open time of the
    business day the case is due on: the promise is kept or broken on that
    day, so a case due on a short Friday turns at risk later than one due on a
    long Monday. Should the due day no longer be a business day (the hours
    changed since the case opened), the line's longest day stands in.
    """
    if answered_at is not None:
        return MET if answered_at <= due else MISSED
    if at >= due:
        return BREACHED
    business_day = day_open_time(hours, due) or business_day_length(hours)
    left = business_time_between(hours, at, due)
    return AT_RISK if left <= business_day * at_risk_share else ON_TRACK
