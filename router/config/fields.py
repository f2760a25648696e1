"""Parsing the values a configuration file holds: phone numbers, regions, zones, clock times, ids."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import CountryCodeSource, NumberParseException, PhoneNumber
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator

from callflows.prompts import LANGUAGES
from schedules import Window

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_REGION = "US"  # `[service] default_region` when the file gives none: how older files were read
E164 = phonenumbers.PhoneNumberFormat.E164
WRITTEN_WITH_COUNTRY_CODE = (CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN, CountryCodeSource.FROM_NUMBER_WITH_IDD)


def _parse(value: str, region: str) -> PhoneNumber:
    try:
        return phonenumbers.parse(value, region, keep_raw_input=True)  # raw input: to tell how it was written
    except NumberParseException as exc:
        raise ValueError(f"{value!r} is not a phone number ({exc})") from None


def to_e164(value: object, region: str = DEFAULT_REGION) -> str:
    """A caller's number (Twilio's `From`, the simulator's `--from`) as E.164.

    Only possible, not valid: whoever calls us is who they are, and a range newer than
    phonenumbers' metadata must not make a caller unreachable.
    """
    if not isinstance(value, str):
        raise ValueError("a phone number must be a string such as '+55 11 3000-0000'")
    parsed = _parse(value, region)
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{value!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, E164)


def _region_of_table(info: ValidationInfo) -> str:
    """Where a table's numbers written without a country code are.

    Its own `region`, else its holiday calendar's country (if phonenumbers knows it as a region),
    else `[service] default_region`, which `SupportConfig` puts in the validation context. Pydantic
    validates a table's keys in the order its model declares them, so models declare these first.
    """
    calendar = info.data.get("holidays")
    for region in (info.data.get("region"), calendar and calendar.country):
        if region in phonenumbers.SUPPORTED_REGIONS:
            return region
    return (info.context or {}).get("default_region", DEFAULT_REGION)


def _configured_number(value: str, info: ValidationInfo) -> str:
    """A number the service dials or answers, as E.164: it must be valid, or a page rings nowhere."""
    region = _region_of_table(info)
    parsed = _parse(value, region)
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, E164)
    if parsed.country_code_source in WRITTEN_WITH_COUNTRY_CODE:
        written_in = phonenumbers.region_code_for_country_code(parsed.country_code)
        raise ValueError(f"{value!r} is not a valid number in {written_in} (+{parsed.country_code}); check its digits")
    codes = _country_codes_where_valid(value)
    example = " or ".join(f"+{code} ..." for code in codes) if 0 < len(codes) <= 3 else "+<country code> ..."
    raise ValueError(f"{value!r} is not a valid number in {region}; write it with its country code ({example}) "
                     "or set region")


def _country_codes_where_valid(value: str) -> list[int]:
    """The countries a number written without a country code could be in: the hint of its error."""
    codes = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        try:
            parsed = phonenumbers.parse(value, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            codes.add(parsed.country_code)
    return sorted(codes)


def is_region(code: str) -> str:
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{code!r} is not a region code (ISO 3166, two capital letters such as 'BR' or 'US')")
    return code


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
    if value in ("closed", ()):
        return ()
    spans = (value,) if isinstance(value, str) else value
    if not isinstance(spans, tuple) or not all(isinstance(s, str) for s in spans):
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


def written_as(pattern: str, shape: str) -> AfterValidator:
    """A string matching `pattern` whose error says `shape` in words: nobody reads a regular expression there."""
    compiled = re.compile(pattern, re.DOTALL)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {shape}")
        return value

    return AfterValidator(check)


Phone = Annotated[str, AfterValidator(_configured_number)]
Region = Annotated[str, AfterValidator(is_region)]
DayHours = Annotated[tuple[Window, ...], BeforeValidator(parse_windows)]
TimeZone = Annotated[ZoneInfo, BeforeValidator(parse_zone)]
Id = Annotated[str, Field(max_length=64), written_as(
    r"[a-z0-9][a-z0-9_-]*", "an id (lower-case letters, digits, '-' and '_', first a letter or digit)")]


class Section(BaseModel):
    """A table of the file: unknown keys are errors, values are frozen once read.

    Strict: a value must have the type its key takes ("25" is no integer, a date no date-time),
    as TOML writes each type differently and a wrong one is a mistake, not a notation.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, arbitrary_types_allowed=True)

    @model_validator(mode="before")
    @classmethod
    def _arrays_as_tuples(cls, data: object) -> object:
        """TOML arrays arrive as lists, which strict mode refuses for the (frozen) tuple fields."""
        if isinstance(data, dict):
            return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
        return data
