"""The pure time core of the support line: hours, holidays, business days and rotations.

No Flask, no database, no network, and no clock: every function takes the
moment it reasons about as an aware ``datetime``.
"""

from .business_day import business_day_length, business_time_between, first_response_due
from .holiday_rules import Closure, HolidayRules
from .hours import Openness, SupportHours, Window, is_open, next_opening, open_periods, status
from .promise import AT_RISK, BREACHED, MET, MISSED, ON_TRACK, promise_status
from .rotation import Rotation, Shift, on_call, shift_at, shifts

__all__ = [
    "AT_RISK",
    "BREACHED",
    "MET",
    "MISSED",
    "ON_TRACK",
    "promise_status",
    "Closure",
    "HolidayRules",
    "Openness",
    "Rotation",
    "Shift",
    "SupportHours",
    "Window",
    "business_day_length",
    "business_time_between",
    "first_response_due",
    "is_open",
    "next_opening",
    "on_call",
    "open_periods",
    "shift_at",
    "shifts",
    "status",
]
