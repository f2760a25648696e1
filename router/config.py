"""The operator's configuration: one TOML file, validated at start-up.

The file describes lines, people, packages, customers and rotations; secrets
come only from the environment (see `Settings`). A mistake is reported as
``<file>: <key>: <problem>`` before the service answers a single call.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from callflows.prompts import LANGUAGES
from schedules import Closure, HolidayRules, Rotation, SupportHours, Window

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_REGION = "US"  # how numbers written without a country code are read


class ConfigError(Exception):
    """The configuration file is missing, unreadable or invalid."""


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


def _zone(value: object) -> ZoneInfo:
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


def _windows(value: object) -> tuple[Window, ...]:
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


def _has_prompts(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"{language!r} has no prompts; use one of {sorted(LANGUAGES)}")
    return language


Phone = Annotated[str, AfterValidator(to_e164)]
DayHours = Annotated[tuple[Window, ...], BeforeValidator(_windows)]
TimeZone = Annotated[ZoneInfo, BeforeValidator(_zone)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ClosureConfig(_Model):
    date: dt.date
    name: str = Field(min_length=1)


class HolidaysConfig(_Model):
    """The holiday calendar: a country and subdivision of the `holidays` package, plus closures."""

    country: str | None = None
    subdivision: str | None = None
    categories: tuple[str, ...] = ()
    closures: tuple[ClosureConfig, ...] = ()

    @model_validator(mode="after")
    def _known_to_the_holidays_package(self) -> HolidaysConfig:
        if self.country is None:
            if self.subdivision or self.categories:
                raise ValueError("subdivision and categories need a country")
            return self
        if self.country not in holidays.list_supported_countries():
            raise ValueError(f"country {self.country!r} is not known to the holidays package")
        calendar = holidays.country_holidays(self.country)
        if self.subdivision and self.subdivision not in calendar.subdivisions:
            raise ValueError(
                f"subdivision {self.subdivision!r} is not one of {self.country}'s: "
                + ", ".join(calendar.subdivisions)
            )
        unknown = set(self.categories) - set(calendar.supported_categories)
        if unknown:
            raise ValueError(
                f"categories {sorted(unknown)} are not offered for {self.country}; "
                f"choose from {sorted(calendar.supported_categories)}"
            )
        return self

    def rules(self) -> HolidayRules:
        """The calendar as `schedules` reads it."""
        return HolidayRules(
            country=self.country,
            subdivision=self.subdivision,
            categories=self.categories,
            closures=tuple(Closure(c.date, c.name) for c in self.closures),
        )


class WeeklyHours(_Model):
    """A line's hours per weekday; a day left out keeps the default (Mon–Fri 09:00–18:00)."""

    monday: DayHours | None = None
    tuesday: DayHours | None = None
    wednesday: DayHours | None = None
    thursday: DayHours | None = None
    friday: DayHours | None = None
    saturday: DayHours | None = None
    sunday: DayHours | None = None

    def weekly(self, timezone: ZoneInfo) -> tuple[tuple[Window, ...], ...]:
        """The seven days' windows, Monday first."""
        default = SupportHours.standard(timezone).weekly
        given = (getattr(self, day) for day in WEEKDAYS)
        return tuple(default[i] if day is None else day for i, day in enumerate(given))


class Line(_Model):
    """One support phone number: the `To` of the calls Twilio sends us."""

    number: Phone
    name: str = Field(min_length=1)
    timezone: TimeZone
    place: str | None = None  # spoken as "<place> time"; defaults to the time zone's city
    language: Annotated[str, AfterValidator(_has_prompts)] = "en-US"
    voice: str = "Polly.Joanna"
    hours: WeeklyHours = WeeklyHours()
    holidays: HolidaysConfig = HolidaysConfig()
    ring_group: tuple[Id, ...] = ()
    ring_seconds: int = Field(default=25, ge=5, le=120)
    rotation: Id | None = None

    _support_hours: SupportHours = PrivateAttr()

    @model_validator(mode="after")
    def _build_hours(self) -> Line:
        weekly = self.hours.weekly(self.timezone)
        if not any(weekly):
            raise ValueError("hours: the line is never open; give at least one day some hours")
        try:
            self._support_hours = SupportHours(self.timezone, weekly, self.holidays.rules())
        except ValueError as exc:
            raise ValueError(f"hours: {exc}") from None
        return self

    @property
    def support_hours(self) -> SupportHours:
        """The line's weekly hours and holiday calendar, for `schedules`."""
        return self._support_hours

    @property
    def place_name(self) -> str:
        """The place callers hear in "São Paulo time"."""
        return self.place or self.timezone.key.rsplit("/", 1)[-1].replace("_", " ")


class Person(_Model):
    """An engineer or agent who can be rung or paged."""

    id: Id
    name: str = Field(min_length=1)
    phone: Phone


class Package(_Model):
    """A support package: the channels it gives and what it includes."""

    id: Id
    name: str = Field(min_length=1)
    channels: tuple[Literal["phone", "email", "portal", "chat"], ...]
    advanced: bool = False
    tam: bool = False
    after_hours_critical: bool = False

    @model_validator(mode="after")
    def _policy(self) -> Package:
        # The support policy: "TAM support is not available to customers of advanced packages".
        if self.advanced and self.tam:
            raise ValueError(f"package {self.id!r} is advanced and includes a TAM; the policy forbids it")
        return self


class Customer(_Model):
    """A customer account, recognised by a contact's caller ID or its account number."""

    id: Id
    name: str = Field(min_length=1)
    account: str = Field(pattern=r"^[0-9]{4,12}$")
    package: Id
    contacts: tuple[Phone, ...] = ()


class RotationConfig(_Model):
    """An on-call rotation: ordered participants handing off at a local time."""

    id: Id
    timezone: TimeZone
    start: dt.datetime  # local time of the first hand-off, without offset
    shift: Literal["daily", "weekly"] = "weekly"
    participants: tuple[Id, ...]

    def rotation(self) -> Rotation:
        """The rotation as `schedules` reads it."""
        start = self.start if self.start.tzinfo else self.start.replace(tzinfo=self.timezone)
        days = 1 if self.shift == "daily" else 7
        return Rotation(self.id, self.timezone, start, self.participants, shift_days=days)


class ServiceConfig(_Model):
    company: str = Field(min_length=1)
    public_url: str = Field(pattern=r"^https?://[^/]+")
    proxy_hops: int = Field(default=0, ge=0, le=5)
    english_voice: str = "Polly.Joanna"


class SupportConfig(_Model):
    """The whole validated configuration, with the look-ups the service needs."""

    service: ServiceConfig
    lines: tuple[Line, ...] = Field(min_length=1)
    people: tuple[Person, ...] = ()
    packages: tuple[Package, ...] = ()
    customers: tuple[Customer, ...] = ()
    rotations: tuple[RotationConfig, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> SupportConfig:
        _unique("lines", [line.number for line in self.lines], "number")
        for kind, items in (("people", self.people), ("packages", self.packages),
                            ("customers", self.customers), ("rotations", self.rotations)):
            _unique(kind, [item.id for item in items], "id")
        _unique("customers", [c.account for c in self.customers], "account")
        _unique("customers", [n for c in self.customers for n in c.contacts], "contacts")
        people = {p.id for p in self.people}
        for i, line in enumerate(self.lines):
            for person in line.ring_group:
                _known(person, people, f"lines[{i}].ring_group", "people")
            if line.rotation:
                _known(line.rotation, {r.id for r in self.rotations}, f"lines[{i}].rotation", "rotations")
        for i, customer in enumerate(self.customers):
            _known(customer.package, {p.id for p in self.packages}, f"customers[{i}].package", "packages")
        for i, rotation in enumerate(self.rotations):
            for person in rotation.participants:
                _known(person, people, f"rotations[{i}].participants", "people")
        return self

    @cached_property
    def _by_key(self) -> dict[str, dict]:
        return {
            "line": {line.number: line for line in self.lines},
            "person": {p.id: p for p in self.people},
            "package": {p.id: p for p in self.packages},
            "customer": {c.id: c for c in self.customers},
            "account": {c.account: c for c in self.customers},
            "contact": {n: c for c in self.customers for n in c.contacts},
            "rotation": {r.id: r.rotation() for r in self.rotations},
        }

    def line(self, number: str | None) -> Line | None:
        """The line called at `number` (E.164), if it is one of ours."""
        return self._by_key["line"].get(number)

    def person(self, person_id: str) -> Person:
        """The person with this id (ids are checked at start-up)."""
        return self._by_key["person"][person_id]

    def person_by_phone(self, number: str) -> Person | None:
        """The person whose phone is `number`, e.g. an engineer replying by SMS."""
        return next((p for p in self.people if p.phone == number), None)

    def package(self, package_id: str) -> Package:
        """The package with this id."""
        return self._by_key["package"][package_id]

    def customer(self, customer_id: str | None) -> Customer | None:
        """The customer with this id."""
        return self._by_key["customer"].get(customer_id)

    def customer_by_phone(self, number: str | None) -> Customer | None:
        """The customer one of whose contacts is calling from `number`."""
        return self._by_key["contact"].get(number)

    def customer_by_account(self, account: str | None) -> Customer | None:
        """The customer whose account number the caller keyed in."""
        return self._by_key["account"].get(account)

    def rotation(self, rotation_id: str | None) -> Rotation | None:
        """The rotation with this id, as `schedules` reads it."""
        return self._by_key["rotation"].get(rotation_id)


def _unique(kind: str, values: list[str], key: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{kind}: {key} {value!r} appears twice")
        seen.add(value)


def _known(value: str, known: set[str], where: str, kind: str) -> None:
    if value not in known:
        raise ValueError(f"{where}: {value!r} is not one of the configured {kind}")


def _where(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def load_config(path: str | os.PathLike) -> SupportConfig:
    """Read and validate the configuration file, or raise `ConfigError` naming file, key and problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return SupportConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            where = _where(error["loc"])
            problems.append(f"{path}: {where}: {message}" if where else f"{path}: {message}")
        raise ConfigError("\n".join(problems)) from None


@dataclass(frozen=True)
class Settings:
    """Secrets and deployment settings, read only from the environment."""

    config_path: str
    database_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_api_base: str | None
    secret_key: str
    spool_dir: str = "instance/spool"

    @classmethod
    def from_env(cls, environ: os._Environ | dict = os.environ, config_path: str | None = None) -> Settings:
        """Read the settings; a missing secret is a start-up error, not a mid-call one."""
        missing = [k for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SECRET_KEY") if not environ.get(k)]
        path = config_path or environ.get("ROUTER_CONFIG")
        if not path:
            missing.insert(0, "ROUTER_CONFIG (or --config)")
        if missing:
            raise ConfigError("environment: missing " + ", ".join(missing))
        return cls(
            config_path=path,
            database_url=environ.get("DATABASE_URL", "sqlite:///instance/router.sqlite3"),
            twilio_account_sid=environ["TWILIO_ACCOUNT_SID"],
            twilio_auth_token=environ["TWILIO_AUTH_TOKEN"],
            twilio_api_base=environ.get("TWILIO_API_BASE") or None,
            secret_key=environ["SECRET_KEY"],
            spool_dir=environ.get("ROUTER_SPOOL", "instance/spool"),
        )
