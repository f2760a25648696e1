"""How incidents and maintenance move: which status may follow which, the timestamps a change sets, where
a maintenance stands at a moment of its window, what resolving gives back, and when an owner is reminded.

Pure decisions; `router/status/writing.py` stores them and `router/status/schedule.py` runs them on time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus

# An incident may go back and forth while unresolved (a fix that did not hold sends it back to
# investigating); once resolved only its postmortem follows, and a postmortem may be added to.
_UNRESOLVED = frozenset(status for status in IncidentStatus if status.unresolved)
INCIDENT_NEXT: Mapping[IncidentStatus, frozenset[IncidentStatus]] = {
    **{status: _UNRESOLVED | {IncidentStatus.RESOLVED} for status in _UNRESOLVED},
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.POSTMORTEM}),
    IncidentStatus.POSTMORTEM: frozenset({IncidentStatus.POSTMORTEM}),
}
# Maintenance runs forward; verifying may find more to do (back to in progress); completed is final.
MAINTENANCE_NEXT: Mapping[MaintenanceStatus, frozenset[MaintenanceStatus]] = {
    MaintenanceStatus.SCHEDULED: frozenset(MaintenanceStatus),
    MaintenanceStatus.IN_PROGRESS: frozenset(MaintenanceStatus) - {MaintenanceStatus.SCHEDULED},
    MaintenanceStatus.VERIFYING: frozenset(MaintenanceStatus) - {MaintenanceStatus.SCHEDULED},
    MaintenanceStatus.COMPLETED: frozenset(),
}
# The impacts whose owner is reminded when the page has gone quiet.
REMINDED = frozenset({Impact.MAJOR, Impact.CRITICAL})


def incident_follows(current: IncidentStatus, new: IncidentStatus) -> None:
    """Raise ValueError unless an incident `current` may take an update of status `new`."""
    if new not in INCIDENT_NEXT[current]:
        if current is IncidentStatus.RESOLVED or current is IncidentStatus.POSTMORTEM:
            raise ValueError(f"the incident is {current}: only a postmortem may follow, not {new}")
        raise ValueError(f"an incident {current} cannot become {new}")


def maintenance_follows(current: MaintenanceStatus, new: MaintenanceStatus) -> None:
    """Raise ValueError unless a maintenance `current` may take an update of status `new`."""
    if new not in MAINTENANCE_NEXT[current]:
        if current is MaintenanceStatus.COMPLETED:
            raise ValueError("the maintenance is completed: it takes no more updates")
        raise ValueError(f"a maintenance {current.value.replace('_', ' ')} cannot go back to {new}")


@dataclass(frozen=True)
class Stamps:
    """An incident's milestones (Statuspage's `monitoring_at`, `resolved_at`)."""

    monitoring_at: dt.datetime | None
    resolved_at: dt.datetime | None


def stamped(status: IncidentStatus, before: Stamps, now: dt.datetime) -> Stamps:
    """The milestones after an update of `status` at `now`: the first time monitoring and resolved are
    reached is kept (a postmortem does not move the resolution); going back to investigating clears
    neither, as Statuspage keeps the first monitoring."""
    monitoring_at, resolved_at = before.monitoring_at, before.resolved_at
    if status is IncidentStatus.MONITORING and monitoring_at is None:
        monitoring_at = now
    if status in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM) and resolved_at is None:
        resolved_at = now
    return Stamps(monitoring_at, resolved_at)


def window_problem(scheduled_for: dt.datetime, scheduled_until: dt.datetime, now: dt.datetime) -> str | None:
    """Why a maintenance window will not do, or None."""
    if scheduled_until <= scheduled_for:
        return "the maintenance window must end after it starts"
    if scheduled_until <= now:
        return "the maintenance window has already ended"
    return None


def maintenance_status_at(scheduled_for: dt.datetime, scheduled_until: dt.datetime,
                          now: dt.datetime) -> MaintenanceStatus:
    """Where a maintenance stands at `now` by its window alone: scheduled, in progress, completed."""
    if now < scheduled_for:
        return MaintenanceStatus.SCHEDULED
    if now < scheduled_until:
        return MaintenanceStatus.IN_PROGRESS
    return MaintenanceStatus.COMPLETED


def automatic_move(current: MaintenanceStatus, scheduled_for: dt.datetime, scheduled_until: dt.datetime,
                   now: dt.datetime) -> MaintenanceStatus | None:
    """The status the engine moves a maintenance to at `now`, or None: it starts at its window's start and
    completes at its end (straight to completed when the whole window passed unseen). A maintenance
    someone already moved on (verifying, say) is only completed by the window's end."""
    due = maintenance_status_at(scheduled_for, scheduled_until, now)
    if due is MaintenanceStatus.COMPLETED and current is not MaintenanceStatus.COMPLETED:
        return due
    if due is MaintenanceStatus.IN_PROGRESS and current is MaintenanceStatus.SCHEDULED:
        return due
    return None


def given_back(affected: Iterable[str], told: Mapping[str, ComponentStatus],
               held_elsewhere: Iterable[str]) -> dict[str, ComponentStatus]:
    """What an incident's resolution (or a maintenance's completion) does to its components: each is
    operational again unless the update says otherwise or another open incident or maintenance still
    holds it."""
    held = set(held_elsewhere)
    back = {component: ComponentStatus.OPERATIONAL for component in affected
            if component not in told and component not in held}
    return {**back, **told}


def reminder_due(impact: Impact, status: IncidentStatus, last_update_at: dt.datetime,
                 reminded_at: dt.datetime | None, now: dt.datetime, interval: dt.timedelta) -> bool:
    """Whether the owner of an incident is reminded now: unresolved, major or critical, and neither an
    update nor a reminder for `interval`."""
    if impact not in REMINDED or not status.unresolved:
        return False
    quiet_since = max(last_update_at, reminded_at) if reminded_at else last_update_at
    return now >= quiet_since + interval


def reminder_text(page: str, name: str, impact: Impact, last_update_at: dt.datetime, now: dt.datetime) -> str:
    """The owner's SMS: which incident, how long since its last update, what to do."""
    minutes = int((now - last_update_at).total_seconds() // 60)
    return (f"{page}: the {impact} incident \"{name}\" has had no update for {minutes} min. "
            "Post an update on the status page.")
