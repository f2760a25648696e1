"""Writing the status page: open and update incidents, schedule and update maintenance, set a component's
status, each with its component changes (the update's old/new rows, the current status, the history).

Every function works in the caller's transaction and writes nothing before its input is checked: a
refusal is a ValueError saying what is wrong (a NotFound when the incident is not there), and the caller
commits one transaction or rolls it back. The decisions are `statuspage.lifecycle`'s.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from router.config import SupportConfig
from router.models import (
    ComponentChange,
    ComponentState,
    Incident,
    IncidentComponent,
    IncidentUpdate,
    UpdateComponentChange,
    User,
)
from router.paging import locks
from statuspage.lifecycle import Stamps, given_back, incident_follows, maintenance_follows, stamped, window_problem
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus

INCIDENT, MAINTENANCE = "incident", "maintenance"
NAME_LENGTH = 200
INCIDENT_IMPACTS = (Impact.NONE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL)


class NotFound(LookupError):
    """No incident (or maintenance) with that id."""


class Keep(enum.Enum):
    """A field an update leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class NewIncident:
    name: str
    impact: Impact
    status: IncidentStatus
    body: str
    components: Mapping[str, ComponentStatus] = field(default_factory=dict)  # affected, with their new status
    actions: str | None = None
    estimated_resolution_at: dt.datetime | None = None
    owner: str | None = None  # a console account's username: reminded by SMS when the page goes quiet


@dataclass(frozen=True)
class NewUpdate:
    status: IncidentStatus
    body: str
    actions: str | None = None
    components: Mapping[str, ComponentStatus] = field(default_factory=dict)  # affected from now on, if new
    estimated_resolution_at: dt.datetime | None | Keep = KEEP


@dataclass(frozen=True)
class NewMaintenance:
    name: str
    scheduled_for: dt.datetime
    scheduled_until: dt.datetime
    components: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class MaintenanceNews:
    status: MaintenanceStatus
    body: str
    scheduled_for: dt.datetime | None = None    # None: the window's start as it is
    scheduled_until: dt.datetime | None = None  # None: its end as it is


def open_incident(session: Session, support: SupportConfig, new: NewIncident, by: str | None,
                  now: dt.datetime) -> Incident:
    """A new incident with its first update, its components set to their new statuses."""
    name = _name(new.name)
    body = _body(new.body)
    if new.impact not in INCIDENT_IMPACTS:
        raise ValueError(f"an incident's impact is one of {', '.join(INCIDENT_IMPACTS)}, not {new.impact}")
    if not new.status.unresolved:
        raise ValueError(f"an incident opens unresolved, not {new.status}")
    _known(support, new.components)
    _estimate(new.estimated_resolution_at, now)
    if new.owner is not None and session.scalar(select(User.id).where(User.username == new.owner)) is None:
        raise ValueError(f"the owner {new.owner!r} is no console account")
    stamps = stamped(new.status, Stamps(None, None), now)
    incident = Incident(kind=INCIDENT, name=name, status=new.status, impact=new.impact, owner=new.owner,
                        created_at=now, updated_at=now, started_at=now, monitoring_at=stamps.monitoring_at,
                        resolved_at=None, estimated_resolution_at=new.estimated_resolution_at,
                        components=[IncidentComponent(component_id=c) for c in sorted(new.components)])
    session.add(incident)
    _update(session, incident, new.status, body, new.actions, by, new.components, now)
    return incident


def post_update(session: Session, support: SupportConfig, incident_id: int, news: NewUpdate, by: str | None,
                now: dt.datetime) -> IncidentUpdate:
    """An update of an incident: its new status and milestones, component changes (resolving gives the
    affected components back, operational, unless the update says otherwise)."""
    incident = locked(session, incident_id, INCIDENT)
    body = _body(news.body)
    incident_follows(IncidentStatus(incident.status), news.status)
    _known(support, news.components)
    if news.estimated_resolution_at is not KEEP:
        _estimate(news.estimated_resolution_at, now)
        incident.estimated_resolution_at = news.estimated_resolution_at
    statuses: Mapping[str, ComponentStatus] = news.components
    if news.status is IncidentStatus.RESOLVED:
        affected = [c.component_id for c in incident.components]
        statuses = given_back(affected, news.components, held_elsewhere(session, affected, incident.id))
    _affect(incident, news.components)
    stamps = stamped(news.status, Stamps(incident.monitoring_at, incident.resolved_at), now)
    incident.status, incident.updated_at = news.status, now
    incident.monitoring_at, incident.resolved_at = stamps.monitoring_at, stamps.resolved_at
    return _update(session, incident, news.status, body, news.actions, by, statuses, now)


def schedule_maintenance(session: Session, support: SupportConfig, new: NewMaintenance, by: str | None,
                         now: dt.datetime) -> Incident:
    """A maintenance scheduled for its window; the engine starts and completes it at its edges."""
    name, body = _name(new.name), _body(new.body)
    if not new.components:
        raise ValueError("a maintenance names the components it works on")
    _known(support, new.components)
    if problem := window_problem(new.scheduled_for, new.scheduled_until, now):
        raise ValueError(problem)
    maintenance = Incident(kind=MAINTENANCE, name=name, status=MaintenanceStatus.SCHEDULED,
                           impact=Impact.MAINTENANCE, owner=by, created_at=now, updated_at=now,
                           scheduled_for=new.scheduled_for, scheduled_until=new.scheduled_until,
                           components=[IncidentComponent(component_id=c) for c in sorted(set(new.components))])
    session.add(maintenance)
    _update(session, maintenance, MaintenanceStatus.SCHEDULED, body, None, by, {}, now)
    return maintenance


def update_maintenance(session: Session, support: SupportConfig, maintenance_id: int, news: MaintenanceNews,
                       by: str | None, now: dt.datetime) -> IncidentUpdate:
    """An update of a maintenance: in progress puts its components under maintenance, completed gives
    them back; the window may move (not once it is completed)."""
    maintenance = locked(session, maintenance_id, MAINTENANCE)
    return move_maintenance(session, maintenance, news, by, now)


def move_maintenance(session: Session, maintenance: Incident, news: MaintenanceNews, by: str | None,
                     now: dt.datetime) -> IncidentUpdate:
    """`update_maintenance` on a maintenance already locked (the engine's, at its window's edges)."""
    body = _body(news.body)
    current = MaintenanceStatus(maintenance.status)
    maintenance_follows(current, news.status)
    starts = news.scheduled_for or maintenance.scheduled_for
    ends = news.scheduled_until or maintenance.scheduled_until
    assert starts is not None and ends is not None  # a maintenance always has its window
    if (starts, ends) != (maintenance.scheduled_for, maintenance.scheduled_until):
        if problem := window_problem(starts, ends, now):
            raise ValueError(problem)
        maintenance.scheduled_for, maintenance.scheduled_until = starts, ends
    affected = [c.component_id for c in maintenance.components]
    statuses: dict[str, ComponentStatus] = {}
    if news.status is MaintenanceStatus.IN_PROGRESS and not current.active:
        statuses = dict.fromkeys(affected, ComponentStatus.UNDER_MAINTENANCE)
        maintenance.started_at = maintenance.started_at or now
    elif news.status is MaintenanceStatus.COMPLETED:
        statuses = given_back(affected, {}, held_elsewhere(session, affected, maintenance.id))
        maintenance.resolved_at = now
    maintenance.status, maintenance.updated_at = news.status, now
    return _update(session, maintenance, news.status, body, None, by, statuses, now)


def set_component_status(session: Session, support: SupportConfig, component_id: str, status: ComponentStatus,
                         now: dt.datetime) -> bool:
    """Set a component's status outside any incident; whether it changed."""
    _known(support, [component_id])
    return bool(_apply(session, {component_id: status}, None, now))


def locked(session: Session, incident_id: int, kind: str) -> Incident:
    """The incident (or maintenance), locked for this transaction; NotFound if there is none."""
    found = session.scalars(select(Incident).where(Incident.id == incident_id, Incident.kind == kind)
                            .with_for_update().execution_options(populate_existing=True)).first()
    if found is None:
        raise NotFound(f"there is no {kind} {incident_id}")
    return found


def held_elsewhere(session: Session, components: Iterable[str], except_id: int) -> set[str]:
    """Which of `components` another unresolved incident or active maintenance still affects."""
    unresolved = [s.value for s in IncidentStatus if s.unresolved]
    active = [s.value for s in MaintenanceStatus if s.active]
    rows = session.scalars(
        select(IncidentComponent.component_id).join(Incident, Incident.id == IncidentComponent.incident_id)
        .where(IncidentComponent.component_id.in_(list(components)), Incident.id != except_id,
               ((Incident.kind == INCIDENT) & Incident.status.in_(unresolved))
               | ((Incident.kind == MAINTENANCE) & Incident.status.in_(active))))
    return set(rows)


def current_statuses(session: Session, support: SupportConfig) -> dict[str, ComponentStatus]:
    """Every configured component's current status (no row: operational)."""
    rows = {row.component_id: row.status for row in session.execute(
        select(ComponentState.component_id, ComponentState.status))}
    return {c.id: ComponentStatus(rows.get(c.id, ComponentStatus.OPERATIONAL)) for c in support.components}


def _update(session: Session, incident: Incident, status: str, body: str, actions: str | None, by: str | None,
            statuses: Mapping[str, ComponentStatus], now: dt.datetime) -> IncidentUpdate:
    update = IncidentUpdate(incident=incident, status=status, body=body, actions=(actions or "").strip() or None,
                            by=by, created_at=now, updated_at=now, display_at=now)
    session.add(update)
    session.flush()  # the incident's id, for the history rows
    update.changes = [UpdateComponentChange(component_id=component, old_status=old, new_status=new)
                      for component, old, new in _apply(session, statuses, incident.id, now)]
    return update


def _apply(session: Session, statuses: Mapping[str, ComponentStatus], incident_id: int | None,
           now: dt.datetime) -> list[tuple[str, ComponentStatus, ComponentStatus]]:
    """Set each component's status, with a history row when it changes; the changes (old, new)."""
    locks.hold(session, *(f"component:{c}" for c in statuses))  # two writers never read the same old status
    changes = []
    for component, new in sorted(statuses.items()):
        state = session.get(ComponentState, component, with_for_update=True, populate_existing=True)
        old = ComponentStatus(state.status) if state else ComponentStatus.OPERATIONAL
        if old is new:
            continue
        if state is None:
            session.add(ComponentState(component_id=component, status=new, created_at=now, updated_at=now))
        else:
            state.status, state.updated_at = new, now
        session.add(ComponentChange(component_id=component, at=now, status=new, incident_id=incident_id))
        changes.append((component, old, new))
    return changes


def _affect(incident: Incident, components: Iterable[str]) -> None:
    """Components an update names join the incident's affected components."""
    present = {c.component_id for c in incident.components}
    incident.components.extend(IncidentComponent(component_id=c) for c in sorted(set(components) - present))


def _known(support: SupportConfig, components: Iterable[str]) -> None:
    known = {c.id for c in support.components}
    unknown = sorted(set(components) - known)
    if unknown:
        raise ValueError(f"unknown component {', '.join(map(repr, unknown))}: the components are "
                         f"{', '.join(sorted(known))}")


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValueError("the name is empty")
    if len(name) > NAME_LENGTH:
        raise ValueError(f"the name is longer than {NAME_LENGTH} characters")
    return name


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValueError("the update's body is empty: say what is known")
    return body


def _estimate(at: dt.datetime | None, now: dt.datetime) -> None:
    if at is not None and at <= now:
        raise ValueError("the estimated resolution is already past")
