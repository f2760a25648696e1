"""The pure time core of the support line: hours, holidays, business days, on-call and paging.

No Flask, no database, no network, and no clock: every function takes the
moment it reasons about as an aware ``datetime``.
"""

from .business_day import business_day_length, business_time_between, first_response_due
from .calendar import calendar_feed, shift_uid
from .contact import DEFAULT_CONTACT, ContactMethod, contact_plan, quiet_until
from .escalation import (
    EscalationPolicy,
    EscalationStep,
    Position,
    Target,
    first_position,
    next_position,
    resolve,
    step_at,
    timeline,
)
from .holiday_rules import Closure, HolidayRules
from .hours import (
    Openness,
    SupportHours,
    Window,
    is_open,
    next_opening,
    open_periods,
    status,
)
from .oncall import Override, effective_shifts, on_call_now
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
    "DEFAULT_CONTACT",
    "ContactMethod",
    "EscalationPolicy",
    "EscalationStep",
    "Override",
    "Position",
    "Target",
    "calendar_feed",
    "contact_plan",
    "effective_shifts",
    "first_position",
    "next_position",
    "on_call_now",
    "quiet_until",
    "resolve",
    "shift_uid",
    "step_at",
    "timeline",
]
