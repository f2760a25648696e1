"""Statuspage v2's words, as its JSON spells them: a tool that reads Statuspage reads ours."""

from __future__ import annotations

import enum


class ComponentStatus(enum.StrEnum):
    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_down(self) -> bool:
        """Counted against uptime: maintenance is not downtime (Statuspage's uptime bars agree)."""
        return self in (ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.MAJOR_OUTAGE)


class IncidentStatus(enum.StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"

    @property
    def unresolved(self) -> bool:
        return self not in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM)


class MaintenanceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"

    @property
    def active(self) -> bool:
        return self in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


class Impact(enum.StrEnum):
    """An incident's impact, in rising order; a maintenance's is "maintenance"."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"

    @property
    def rank(self) -> int:
        return {"none": 0, "minor": 1, "major": 2, "critical": 3, "maintenance": 0}[self.value]


class Indicator(enum.StrEnum):
    """The page's overall `status.indicator`."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"
