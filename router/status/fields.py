"""Reading what the console's forms and the API's JSON say into the writing functions' values: a value
that will not do is a ValueError naming the field and what it takes."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from router.config import SupportConfig

Choice = TypeVar("Choice", bound=enum.Enum)


def choice(kind: type[Choice], value: object, what: str) -> Choice:
    """One of an enum's values (`what` names the field in the refusal)."""
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{what} must be one of {', '.join(str(c.value) for c in kind)}, not {value!r}") from None


def instant(value: object, what: str, zone: ZoneInfo | None = None) -> dt.datetime:
    """An ISO 8601 time; without an offset it is read in `zone` (a form's local time), else refused."""
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what} must be an ISO 8601 time, not {value!r}") from None
    if at.tzinfo is None:
        if zone is None:
            raise ValueError(f"{what} must carry its UTC offset")
        at = at.replace(tzinfo=zone)
    return at.astimezone(dt.timezone.utc)


def text(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    return value


def page_zone(support: SupportConfig) -> ZoneInfo:
    """The zone the page's times are written and read in: the page's, else the first line's."""
    return support.status_page.time_zone or support.lines[0].timezone
