"""The tables of the configuration file, each validated on its own."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import holidays
from pydantic import AfterValidator, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from router.config.fields import (
    DEFAULT_REGION,
    WEEKDAYS,
    DayHours,
    Id,
    Phone,
    Region,
    Section,
    TimeZone,
    has_prompts,
    written_as,
)
from router.config.status import AnnounceImpact, Url
from schedules import (
    Closure,
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    HolidayRules,
    Rotation,
    SupportHours,
    Target,
    Window,
)


class ClosureConfig(Section):
    date: dt.date
    name: str = Field(min_length=1)


class HolidaysConfig(Section):
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


class WeeklyHours(Section):
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


class Line(Section):
    """One support phone number: the `To` of the calls Twilio sends us."""

    # Before the number, which is read in the line's region: this one, else the holidays' country.
    region: Region | None = None
    holidays: HolidaysConfig = HolidaysConfig()
    number: Phone
    name: str = Field(min_length=1)
    timezone: TimeZone
    place: str | None = None  # spoken as "<place> time"; defaults to the time zone's city
    language: Annotated[str, AfterValidator(has_prompts)] = "en-US"
    voice: str = "Polly.Joanna"
    hours: WeeklyHours = WeeklyHours()
    ring_group: tuple[Id, ...] = ()
    tier2_group: tuple[Id, ...] = ()
    tier3_group: tuple[Id, ...] = ()
    ring_seconds: int = Field(default=25, ge=5, le=120)
    escalation_policy: Id | None = None
    after_hours: Literal["callback", "connect"] = "callback"
    components: tuple[Id, ...] = ()  # the status page's components this line serves (callers hear of them)
    announce_impact: AnnounceImpact | None = None  # default: [status_page].announce_impact
    status_url: Url | None = None  # an external Statuspage's summary.json, read instead of our own page

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


class ContactConfig(Section):
    """One way to reach a person during a page, and how long after the page reaches them."""

    channel: Literal["sms", "voice"]
    after_minutes: float = Field(default=0, ge=0, le=60)


class Person(Section):
    """An engineer or agent who can be rung or paged."""

    id: Id
    name: str = Field(min_length=1)
    region: Region | None = None  # before the phone, which is read in it
    phone: Phone
    contact: tuple[ContactConfig, ...] = (ContactConfig(channel="sms"), ContactConfig(channel="voice"))

    def contact_methods(self) -> tuple[ContactMethod, ...]:
        """The person's contact methods as `schedules` reads them."""
        return tuple(ContactMethod(c.channel, dt.timedelta(minutes=c.after_minutes)) for c in self.contact)


class Package(Section):
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


class Customer(Section):
    """A customer account, recognised by a contact's caller ID or its account number."""

    id: Id
    name: str = Field(min_length=1)
    account: Annotated[str, written_as(r"[0-9]{4,12}", "an account number (4 to 12 digits)")]
    pin: Annotated[str, written_as(r"[0-9]{4,8}", "a PIN (4 to 8 digits)")] | None = None
    package: Id
    tam: Id | None = None
    region: Region | None = None  # before the contacts, which are read in it
    contacts: tuple[Phone, ...] = ()


class RotationConfig(Section):
    """An on-call rotation: ordered participants handing off at a local time."""

    id: Id
    timezone: TimeZone
    start: dt.datetime  # local time of the first hand-off, without offset
    shift: Literal["daily", "weekly"] | None = None
    shift_days: int | None = Field(default=None, ge=1, le=366)
    participants: tuple[Id, ...]

    @field_validator("start")
    @classmethod
    def _local(cls, start: dt.datetime, info: ValidationInfo) -> dt.datetime:
        zone = info.data.get("timezone")  # absent when it was not valid: that error is reported
        if zone and (problem := local_time_problem(start, zone)):
            raise ValueError(problem)
        return start

    @model_validator(mode="after")
    def _one_length(self) -> RotationConfig:
        if self.shift and self.shift_days:
            raise ValueError("give either shift or shift_days, not both")
        return self

    def rotation(self) -> Rotation:
        """The rotation as `schedules` reads it."""
        days = self.shift_days or (1 if self.shift == "daily" else 7)
        return Rotation(self.id, self.timezone, self.start.replace(tzinfo=self.timezone), self.participants,
                        shift_days=days)


def local_time_problem(moment: dt.datetime, zone: ZoneInfo) -> str | None:
    """What is wrong with a date-time the file gives as local time in a rotation's `zone`, if anything.

    An offset would say another zone than the rotation's, and an override with one and another without
    could not be compared.
    """
    if moment.tzinfo is None:
        return None
    return (f"{moment.isoformat()} has an offset; write the local time without one "
            f"(the rotation's time zone, {zone.key}, applies)")


class OverrideConfig(Section):
    """Someone covers a rotation for a while: a swap, a holiday."""

    rotation: Id
    person: Id
    starts: dt.datetime  # local time in the rotation's time zone, without offset
    ends: dt.datetime
    replaces: Id | None = None  # only this person's shifts; none: whoever is on call


class StepConfig(Section):
    """One escalation step: whom it reaches and how long it waits for an acknowledgement."""

    targets: tuple[Annotated[str, written_as(r"(rotation|person):[a-z0-9][a-z0-9_-]*",
                                             "a target ('rotation:<id>' or 'person:<id>')")], ...] = Field(
        min_length=1)
    delay_minutes: float = Field(default=5, ge=1, le=9000)
    ring_seconds: int = Field(default=25, ge=5, le=120)

    def step(self) -> EscalationStep:
        """The step as `schedules` reads it."""
        targets = tuple(Target(*target.split(":", 1)) for target in self.targets)
        return EscalationStep(targets, dt.timedelta(minutes=self.delay_minutes), self.ring_seconds)


class EscalationPolicyConfig(Section):
    """Ordered steps, repeated, then a final fallback (the support manager, say)."""

    id: Id
    steps: tuple[StepConfig, ...] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=5)
    fallback: tuple[Id, ...] = ()

    def policy(self) -> EscalationPolicy:
        """The policy as `schedules` reads it."""
        return EscalationPolicy(self.id, tuple(s.step() for s in self.steps), self.repeat, self.fallback)


class PagingConfig(Section):
    """How hard the paging engine may push: no page storms."""

    quiet_minutes: float = Field(default=1, ge=0, le=60)  # an engineer is not called again within this
    # Cases joining an open page are told to each engineer in one SMS at most this often (GoAlert: 1/min).
    bundle_minutes: float = Field(default=1, ge=0, le=60)
    # A critical case joins its policy's page only while that page escalates and opened at most this long ago;
    # otherwise it opens a page of its own, at step 1, with the people on call now (0: every case its own page).
    group_minutes: float = Field(default=30, ge=0, le=24 * 60)


class ServiceConfig(Section):
    company: str = Field(min_length=1)
    public_url: Annotated[str, written_as(r"https?://[^/]+.*", "a URL starting http:// or https://")]
    proxy_hops: int = Field(default=0, ge=0, le=5)
    english_voice: str = "Polly.Joanna"
    blocked_numbers: tuple[Annotated[str, written_as(r"\+[0-9*?]+", "a pattern of '+', digits, * and ?")], ...] = ()
    default_region: Region = DEFAULT_REGION  # where numbers without a country code are, unless a table says
    repeat_call_minutes: int = Field(default=30, ge=0, le=24 * 60)
    at_risk_share: float = Field(default=0.25, gt=0, lt=1)
