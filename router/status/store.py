"""The status page read from the database and the configuration into `statuspage.state`'s plain data:
the components with their current status, the incidents and maintenances with their updates, and the
components' status history for the uptime bars. Reading only; `router/status/writing.py` writes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from router.config import SupportConfig
from router.models.status import ComponentChange as ChangeRow
from router.models.status import ComponentState, IncidentUpdate
from router.models.status import Incident as IncidentRow
from statuspage.state import Component, ComponentChange, Group, Incident, Page, PageState, Update
from statuspage.summary import RECENT
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus

History = dict[str, tuple[ComponentStatus, list[tuple[dt.datetime, ComponentStatus]]]]
UNRESOLVED = [s.value for s in IncidentStatus if s.unresolved]
_LOADED = (selectinload(IncidentRow.updates).selectinload(IncidentUpdate.changes),
           selectinload(IncidentRow.components))


def page_zone(support: SupportConfig) -> ZoneInfo:
    """The page's zone: its own, else the first line's, else UTC."""
    configured = support.status_page.time_zone
    if configured is not None:
        return configured
    return support.lines[0].timezone if support.lines else ZoneInfo("UTC")


def page_info(support: SupportConfig, public_url: str) -> Page:
    name = support.status_page.name
    # Statuspage's page ids are short lower-case words; ours is the page's name written so.
    page_id = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "status"
    return Page(page_id, name, f"{public_url.rstrip('/')}/status", page_zone(support).key)


def load_page(session: Session, support: SupportConfig, public_url: str, now: dt.datetime) -> PageState:
    """The page as it stands: every configured component, the unresolved incidents and the most recent
    ones, the maintenances not completed and the most recent ones."""
    return PageState(page=page_info(support, public_url), now=now,
                     groups=tuple(Group(g.id, g.name, g.description) for g in support.component_groups),
                     components=_components(session, support, now),
                     incidents=_incidents(session, "incident", IncidentRow.status.in_(UNRESOLVED)),
                     maintenances=_incidents(session, "maintenance",
                                             IncidentRow.status != MaintenanceStatus.COMPLETED.value))


def load_incident(session: Session, incident_id: int) -> Incident | None:
    row = session.scalars(select(IncidentRow).where(IncidentRow.id == incident_id).options(*_LOADED)).first()
    return _incident(row) if row else None


def load_history(session: Session, component_ids: Sequence[str], since: dt.datetime,
                 now: dt.datetime) -> History:
    """Each component's status when `since` came (operational when never set before) and the statuses it
    entered from then to now, in time order."""
    before = (select(ChangeRow.component_id, func.max(ChangeRow.at).label("at"))
              .where(ChangeRow.at <= since, ChangeRow.component_id.in_(component_ids))
              .group_by(ChangeRow.component_id).subquery())
    initial = {row.component_id: ComponentStatus(row.status) for row in session.execute(
        select(ChangeRow.component_id, ChangeRow.status, ChangeRow.id)
        .join(before, (ChangeRow.component_id == before.c.component_id) & (ChangeRow.at == before.c.at))
        .order_by(ChangeRow.id))}
    changes: dict[str, list[tuple[dt.datetime, ComponentStatus]]] = {c: [] for c in component_ids}
    for row in session.execute(select(ChangeRow.component_id, ChangeRow.at, ChangeRow.status)
                               .where(ChangeRow.at > since, ChangeRow.at <= now,
                                      ChangeRow.component_id.in_(component_ids))
                               .order_by(ChangeRow.at, ChangeRow.id)):
        changes[row.component_id].append((row.at, ComponentStatus(row.status)))
    return {c: (initial.get(c, ComponentStatus.OPERATIONAL), changes[c]) for c in component_ids}


def _components(session: Session, support: SupportConfig, now: dt.datetime) -> tuple[Component, ...]:
    states = {s.component_id: s for s in session.scalars(select(ComponentState))}
    # A component nobody has set has been operational since the page's first recorded status, or now.
    since = min((s.created_at for s in states.values()), default=now)
    found = []
    for c in support.components:
        state = states.get(c.id)
        found.append(Component(
            id=c.id, name=c.name, description=c.description, group_id=c.group, showcase=c.showcase,
            only_show_if_degraded=c.only_show_if_degraded,
            status=ComponentStatus(state.status) if state else ComponentStatus.OPERATIONAL,
            created_at=state.created_at if state else since, updated_at=state.updated_at if state else since))
    return tuple(found)


def _incidents(session: Session, kind: str, still_open: ColumnElement[bool]) -> tuple[Incident, ...]:
    """Those of a kind still open, and the most recent of that kind, newest first."""
    newest = (IncidentRow.created_at.desc(), IncidentRow.id.desc())
    open_rows = session.scalars(select(IncidentRow).where(IncidentRow.kind == kind, still_open)
                                .order_by(*newest).options(*_LOADED)).all()
    recent = session.scalars(select(IncidentRow).where(IncidentRow.kind == kind)
                             .order_by(*newest).limit(RECENT).options(*_LOADED)).all()
    rows = {r.id: r for r in [*open_rows, *recent]}.values()
    return tuple(_incident(r) for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True))


def _status(maintenance: bool, value: str) -> IncidentStatus | MaintenanceStatus:
    return MaintenanceStatus(value) if maintenance else IncidentStatus(value)


def _incident(row: IncidentRow) -> Incident:
    maintenance = row.kind == "maintenance"
    return Incident(
        id=str(row.id), maintenance=maintenance, name=row.name, status=_status(maintenance, row.status),
        impact=Impact(row.impact), created_at=row.created_at, updated_at=row.updated_at,
        started_at=row.started_at, monitoring_at=row.monitoring_at, resolved_at=row.resolved_at,
        estimated_resolution_at=row.estimated_resolution_at, scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until, component_ids=tuple(c.component_id for c in row.components),
        updates=tuple(_updates(maintenance, row.updates)))


def _updates(maintenance: bool, rows: Iterable[IncidentUpdate]) -> Iterable[Update]:
    for u in rows:
        yield Update(id=str(u.id), status=_status(maintenance, u.status), body=u.body, actions=u.actions,
                     created_at=u.created_at, updated_at=u.updated_at, display_at=u.display_at,
                     changes=tuple(ComponentChange(c.component_id, ComponentStatus(c.old_status),
                                                   ComponentStatus(c.new_status)) for c in u.changes))
