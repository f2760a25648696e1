"""The status page's state as plain data: what `router/status/store.py` reads from the database and the
configuration, and what the v2 JSON, the public page and the uptime bars are computed from.

Times are aware datetimes (UTC as stored); ids are strings, as Statuspage's are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus


@dataclass(frozen=True)
class Page:
    id: str
    name: str
    url: str
    time_zone: str  # an IANA zone: the page shows and writes its times there


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str | None


@dataclass(frozen=True)
class Component:
    """A configured component with its current status (operational while nobody set one)."""

    id: str
    name: str
    description: str | None
    group_id: str | None
    showcase: bool
    only_show_if_degraded: bool
    status: ComponentStatus
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class ComponentChange:
    """One component's status before and after an update (Statuspage's `affected_components`)."""

    component_id: str
    old_status: ComponentStatus
    new_status: ComponentStatus


@dataclass(frozen=True)
class Update:
    id: str
    status: IncidentStatus | MaintenanceStatus
    body: str
    actions: str | None  # the actions being taken, when the update says
    created_at: dt.datetime
    updated_at: dt.datetime
    display_at: dt.datetime
    changes: tuple[ComponentChange, ...]  # none: the update changed no component's status


@dataclass(frozen=True)
class Incident:
    """An incident or a scheduled maintenance, with its updates newest first."""

    id: str
    maintenance: bool
    name: str
    status: IncidentStatus | MaintenanceStatus
    impact: Impact
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    monitoring_at: dt.datetime | None
    resolved_at: dt.datetime | None
    estimated_resolution_at: dt.datetime | None
    scheduled_for: dt.datetime | None
    scheduled_until: dt.datetime | None
    component_ids: tuple[str, ...]
    updates: tuple[Update, ...]

    @property
    def unresolved(self) -> bool:
        """An incident still open, or a maintenance not completed."""
        if isinstance(self.status, MaintenanceStatus):
            return self.status is not MaintenanceStatus.COMPLETED
        return self.status.unresolved

    @property
    def active(self) -> bool:
        """A maintenance in progress or being verified."""
        return isinstance(self.status, MaintenanceStatus) and self.status.active

    @property
    def upcoming(self) -> bool:
        return self.status is MaintenanceStatus.SCHEDULED

    @property
    def latest(self) -> Update | None:
        return self.updates[0] if self.updates else None


@dataclass(frozen=True)
class PageState:
    """Everything the page and its JSON show at one moment."""

    page: Page
    now: dt.datetime
    groups: tuple[Group, ...]
    components: tuple[Component, ...]  # in the configuration's order
    incidents: tuple[Incident, ...]     # the unresolved ones and the most recent others, newest first
    maintenances: tuple[Incident, ...]  # the upcoming, the active and the most recent others, newest first

    @property
    def unresolved(self) -> tuple[Incident, ...]:
        return tuple(i for i in self.incidents if i.unresolved)

    @property
    def active_maintenances(self) -> tuple[Incident, ...]:
        return tuple(m for m in self.maintenances if m.active)

    @property
    def upcoming_maintenances(self) -> tuple[Incident, ...]:
        return tuple(m for m in self.maintenances if m.upcoming)

    @property
    def updated_at(self) -> dt.datetime:
        """The page's last change: of a component's status, an incident or a maintenance."""
        times = [c.updated_at for c in self.components]
        times += [i.updated_at for i in self.incidents + self.maintenances]
        return max(times, default=self.now)

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)
