"""Small helpers shared by the schedule modules: aware-datetime checks and UTC."""

from __future__ import annotations

from datetime import datetime, timezone

UTC = timezone.utc


def require_aware(name: str, value: datetime) -> datetime:
    """Return ``value`` unchanged, or raise ValueError if it is not a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def to_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC.

    Needed before comparing or subtracting: Python compares and subtracts two
    datetimes that share the same tzinfo object by their wall-clock fields,
    ignoring DST offsets and ``fold``.
    """
    return value.astimezone(UTC)
