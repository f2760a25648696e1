"""Wall-clock times in the zones the tests use, written as text: sp("2026-11-20 10:00")."""

from datetime import datetime
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def sp(text: str) -> datetime:
    """A wall-clock time in São Paulo."""
    return datetime.fromisoformat(text).replace(tzinfo=SAO_PAULO)


def ny(text: str) -> datetime:
    """A wall-clock time in New York."""
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def utc(text: str) -> datetime:
    """An instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
