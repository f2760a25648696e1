"""The operator's configuration: one TOML file, validated at start-up.

The file describes lines, people, packages, customers and rotations; secrets
come only from the environment (see `Settings`). A mistake is reported as
``<file>: <key>: <problem>`` before the service answers a single call.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from router.config.errors import ConfigError
from router.config.fields import Section, to_e164
from router.config.messages import problems
from router.config.sections import (
    Customer,
    EscalationPolicyConfig,
    Line,
    OverrideConfig,
    Package,
    PagingConfig,
    Person,
    RotationConfig,
    ServiceConfig,
    local_time_problem,
)
from router.config.settings import Settings
from router.config.status import ComponentConfig, ComponentGroupConfig, StatusPageConfig
from schedules import (
    EscalationPolicy,
    Override,
    Rotation,
    first_position,
    next_position,
    resolve,
    step_at,
)

__all__ = ["ConfigError", "Customer", "Line", "Package", "Person", "ServiceConfig", "Settings",
           "SupportConfig", "load_config", "to_e164"]


class SupportConfig(Section):
    """The whole validated configuration, with the look-ups the service needs.

    [service] tells the later tables, through the validation context, in which region their numbers
    written without a country code are.
    """

    service: ServiceConfig
    paging: PagingConfig = PagingConfig()
    lines: tuple[Line, ...] = Field(default=(), validate_default=True)
    people: tuple[Person, ...] = ()
    packages: tuple[Package, ...] = ()
    customers: tuple[Customer, ...] = ()
    rotations: tuple[RotationConfig, ...] = ()
    overrides: tuple[OverrideConfig, ...] = ()
    escalation_policies: tuple[EscalationPolicyConfig, ...] = ()
    status_page: StatusPageConfig = StatusPageConfig()
    component_groups: tuple[ComponentGroupConfig, ...] = ()
    components: tuple[ComponentConfig, ...] = ()

    @classmethod
    def model_validate(cls, obj, *, context: dict | None = None, **options) -> SupportConfig:
        """Validate, always with a context of its own for [service] to fill."""
        return super().model_validate(obj, context={} if context is None else context, **options)

    @field_validator("service")
    @classmethod
    def _numbers_are_read_in_the_default_region(cls, service: ServiceConfig, info: ValidationInfo) -> ServiceConfig:
        """The tables after [service] need its region, and a field validator sees no parent values."""
        info.context["default_region"] = service.default_region
        return service

    @field_validator("lines")
    @classmethod
    def _at_least_one_line(cls, lines: tuple[Line, ...]) -> tuple[Line, ...]:
        if not lines:
            raise ValueError("at least one line is needed")
        return lines

    @model_validator(mode="after")
    def _references(self) -> SupportConfig:
        _unique("lines", [line.number for line in self.lines], "number")
        for kind in ("people", "packages", "customers", "rotations", "escalation_policies", "component_groups",
                     "components"):
            _unique(kind, [item.id for item in getattr(self, kind)], "id")
        _unique("customers", [c.account for c in self.customers], "account")
        _unique("customers", [n for c in self.customers for n in c.contacts], "contacts")
        self._check_lines()
        self._check_customers()
        self._check_paging()
        self._check_overrides()
        self._check_components()
        return self

    def _check_lines(self) -> None:
        people = {p.id for p in self.people}
        for i, line in enumerate(self.lines):
            for group in ("ring_group", "tier2_group", "tier3_group"):
                for person in getattr(line, group):
                    _known(person, people, f"lines[{i}].{group}", "people")
            if line.escalation_policy:
                _known(line.escalation_policy, {p.id for p in self.escalation_policies},
                       f"lines[{i}].escalation_policy", "escalation_policies")

    def _check_customers(self) -> None:
        people = {p.id for p in self.people}
        packages = {p.id: p for p in self.packages}
        for i, customer in enumerate(self.customers):
            _known(customer.package, set(packages), f"customers[{i}].package", "packages")
            if customer.tam:
                _known(customer.tam, people, f"customers[{i}].tam", "people")
                if not packages[customer.package].tam:
                    raise ValueError(f"customers[{i}].tam: package {customer.package!r} includes no TAM")

    def _check_paging(self) -> None:
        people, rotations = {p.id for p in self.people}, {r.id for r in self.rotations}
        for i, rotation in enumerate(self.rotations):
            for person in rotation.participants:
                _known(person, people, f"rotations[{i}].participants", "people")
        for i, policy in enumerate(self.escalation_policies):
            for j, step in enumerate(policy.steps):
                for target in step.targets:
                    kind, name = target.split(":", 1)
                    known, what = (rotations, "rotations") if kind == "rotation" else (people, "people")
                    _known(name, known, f"escalation_policies[{i}].steps[{j}].targets", what)
            for person in policy.fallback:
                _known(person, people, f"escalation_policies[{i}].fallback", "people")

    def _check_overrides(self) -> None:
        """Here, not in `OverrideConfig`: an override's times are local to a rotation it names by id."""
        people, zones = {p.id for p in self.people}, {r.id: r.timezone for r in self.rotations}
        for i, override in enumerate(self.overrides):
            _known(override.rotation, set(zones), f"overrides[{i}].rotation", "rotations")
            for person in filter(None, (override.person, override.replaces)):
                _known(person, people, f"overrides[{i}]", "people")
            for key in ("starts", "ends"):
                if problem := local_time_problem(getattr(override, key), zones[override.rotation]):
                    raise ValueError(f"overrides[{i}].{key}: {problem}")
            if override.ends <= override.starts:
                raise ValueError(f"overrides[{i}]: ends must be after starts")

    def _check_components(self) -> None:
        groups, components = {g.id for g in self.component_groups}, {c.id for c in self.components}
        for i, component in enumerate(self.components):
            if component.group:
                _known(component.group, groups, f"components[{i}].group", "component_groups")
        for i, line in enumerate(self.lines):
            for component in line.components:
                _known(component, components, f"lines[{i}].components", "components")

    def announce_impact(self, line: Line) -> str:
        """The least impact of an incident on the line's components that its callers hear of first."""
        return line.announce_impact or self.status_page.announce_impact

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
            "policy": {p.id: p.policy() for p in self.escalation_policies},
            "overrides": {r.id: tuple(_override(o, r.timezone) for o in self.overrides if o.rotation == r.id)
                          for r in self.rotations},
        }

    def line(self, number: str | None) -> Line | None:
        """The line called at `number` (E.164), if it is one of ours."""
        return self._by_key["line"].get(number)

    def person(self, person_id: str) -> Person:
        """The person with this id (ids are checked at start-up)."""
        return self._by_key["person"][person_id]

    def person_name(self, person_id: str) -> str:
        """The person's name; their id when an old record names someone no longer configured."""
        person = self._by_key["person"].get(person_id)
        return person.name if person else person_id

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

    def is_blocked(self, number: str | None) -> bool:
        """Whether `number` matches the blocked-numbers list (`*` and `?` wildcards)."""
        return bool(number) and any(fnmatchcase(number, pattern) for pattern in self.service.blocked_numbers)

    def rotation(self, rotation_id: str | None) -> Rotation | None:
        """The rotation with this id, as `schedules` reads it."""
        return self._by_key["rotation"].get(rotation_id)

    @property
    def rotations_by_id(self) -> dict[str, Rotation]:
        """Every rotation, by id."""
        return self._by_key["rotation"]

    @property
    def overrides_by_rotation(self) -> dict[str, tuple[Override, ...]]:
        """Each rotation's overrides, as `schedules` reads them."""
        return self._by_key["overrides"]

    def policy(self, policy_id: str | None) -> EscalationPolicy | None:
        """The escalation policy with this id."""
        return self._by_key["policy"].get(policy_id)

    def first_responder(self, line: Line, at: dt.datetime) -> Person | None:
        """Whom the line's policy reaches first at `at` (for the fault path that dials without the database)."""
        policy = self.policy(line.escalation_policy)
        position = first_position(policy) if policy else None
        while position is not None:
            reached = resolve(step_at(policy, position), self.rotations_by_id, self.overrides_by_rotation, at)
            if reached:
                return self.person(reached[0])
            position = next_position(policy, position)
        return None


def _override(override: OverrideConfig, zone: ZoneInfo) -> Override:
    return Override(override.person, override.starts.replace(tzinfo=zone), override.ends.replace(tzinfo=zone),
                    override.replaces)


def _unique(kind: str, values: list[str], key: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{kind}: {key} {value!r} appears twice")
        seen.add(value)


def _known(value: str, known: set[str], where: str, kind: str) -> None:
    if value not in known:
        raise ValueError(f"{where}: {value!r} is not one of the configured {kind}")


def load_config(path: str | os.PathLike) -> SupportConfig:
    """Read and validate the configuration file, or raise `ConfigError` naming file, key and problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line} is not UTF-8 (byte {exc.object[exc.start]:#04x}); "
                          "save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return SupportConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in problems(exc, SupportConfig))) from None
