"""What the console's status pages list: the incidents still open and the maintenance not completed,
one incident with its updates, and the latest closed ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from router.models import Incident, IncidentUpdate
from router.status.writing import INCIDENT, MAINTENANCE
from statuspage.vocabulary import IncidentStatus, MaintenanceStatus

CLOSED_SHOWN = 10


def open_items(session: Session) -> tuple[list[Incident], list[Incident]]:
    """Unresolved incidents, newest first; maintenance not completed, soonest first."""
    incidents = session.scalars(
        select(Incident).where(Incident.kind == INCIDENT,
                               Incident.status.in_([s.value for s in IncidentStatus if s.unresolved]))
        .options(selectinload(Incident.components)).order_by(Incident.created_at.desc(), Incident.id.desc())).all()
    maintenances = session.scalars(
        select(Incident).where(Incident.kind == MAINTENANCE, Incident.status != MaintenanceStatus.COMPLETED)
        .options(selectinload(Incident.components)).order_by(Incident.scheduled_for, Incident.id)).all()
    return list(incidents), list(maintenances)


def closed(session: Session, limit: int = CLOSED_SHOWN) -> list[Incident]:
    """The latest resolved incidents and completed maintenance (a postmortem is still written to them)."""
    done = [IncidentStatus.RESOLVED.value, IncidentStatus.POSTMORTEM.value, MaintenanceStatus.COMPLETED.value]
    return list(session.scalars(select(Incident).where(Incident.status.in_(done))
                                .order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(limit)))


def one(session: Session, incident_id: int) -> Incident | None:
    """An incident or maintenance with its components and its updates and their changes."""
    return session.scalars(select(Incident).where(Incident.id == incident_id).options(
        selectinload(Incident.components),
        selectinload(Incident.updates).selectinload(IncidentUpdate.changes))).first()
