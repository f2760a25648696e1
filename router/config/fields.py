"""Parsing the values a configuration file holds: phone numbers, zones, clock times, ids."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

import phonenumbers
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from callflows.prompts import LANGUAGES
from schedules import Window

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_REGION = "US"  # how numbers written without a country code are read


def to_e164(value: object) -> str:
    """Parse a phone number in any common notation and write it as E.164."""
    if not isinstance(value, str):
        raise ValueError("a phone number must be a string such as '+55 11 3000-0000'")
    try:
        parsed = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{value!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def parse_zone(value: object) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    try:
        return ZoneInfo(str(value))
    except (ValueError, KeyError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'America/Sao_Paulo')") from None


def _clock(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a clock time like '09:00'") from None


def parse_windows(value: object) -> tuple[Window, ...]:
    """Read a day's hours: "09:00-18:00", ["08:00-12:00", "13:00-17:00"] or "closed"."""
    if value in ("closed", [], ()):
        return ()
    spans = [value] if isinstance(value, str) else value
    if not isinstance(spans, list) or not all(isinstance(s, str) for s in spans):
        raise ValueError('hours are written "09:00-18:00", a list of such spans, or "closed"')
    windows = []
    for span in spans:
        opens, sep, closes = span.partition("-")
        if not sep:
            raise ValueError(f'{span!r} is not a span like "09:00-18:00"')
        windows.append(Window(_clock(opens.strip()), _clock(closes.strip())))
    return tuple(windows)


def has_prompts(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"{language!r} has no prompts; use one of {sorted(LANGUAGES)}")
    return language


Phone = Annotated[str, AfterValidator(to_e164)]
DayHours = Annotated[tuple[Window, ...], BeforeValidator(parse_windows)]
TimeZone = Annotated[ZoneInfo, BeforeValidator(parse_zone)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class Section(BaseModel):
    """A table of the file: unknown keys are errors, values are frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
