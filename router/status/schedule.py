"""The engine's share of maintenance: at its window's start a scheduled maintenance goes in progress (its
components under maintenance), at its end it completes (its components given back), each time with an
update of its own.

Several engines may run the pass at once: the rows are locked (skipped when another engine holds them,
on PostgreSQL; SQLite has one writer at a time) and the move is decided again on the locked row, so a
window's edge moves a maintenance once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, or_, select

from router.models import Incident
from router.paging.services import Services
from router.status.writing import MAINTENANCE, MaintenanceNews, move_maintenance
from statuspage.lifecycle import automatic_move
from statuspage.vocabulary import MaintenanceStatus

BATCH = 50  # maintenances moved in one pass (the rest in the next)
BODIES = {
    MaintenanceStatus.IN_PROGRESS: "The scheduled maintenance is in progress. We will provide updates as necessary.",
    MaintenanceStatus.COMPLETED: "The scheduled maintenance has been completed.",
}


def advance_maintenance(services: Services) -> int:
    """Move every maintenance whose window's start or end has passed; how many moved."""
    if not services.finds(select(Incident.id).where(*_due(services.clock()))):
        return 0
    moved = 0
    with services.sessions() as session, session.begin():
        now = services.clock()
        due = session.scalars(
            select(Incident).where(*_due(now))
            .order_by(Incident.scheduled_for, Incident.id).limit(BATCH)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
        for maintenance in due:
            assert maintenance.scheduled_for is not None and maintenance.scheduled_until is not None
            target = automatic_move(MaintenanceStatus(maintenance.status), maintenance.scheduled_for,
                                    maintenance.scheduled_until, now)
            if target is not None:
                move_maintenance(session, maintenance, MaintenanceNews(target, BODIES[target]), None, now)
                moved += 1
    return moved


def _due(now: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    """A maintenance whose window has started (still scheduled) or ended (not completed)."""
    return (Incident.kind == MAINTENANCE, Incident.status != MaintenanceStatus.COMPLETED,
            or_((Incident.status == MaintenanceStatus.SCHEDULED) & (Incident.scheduled_for <= now),
                Incident.scheduled_until <= now))
