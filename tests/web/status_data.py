"""A status page in the middle of a morning, written as rows (the tests of the public page read it):
at 10:00 in São Paulo on Mon 23 Nov 2026 (the `clock` fixture's moment) the public API has been in a partial
outage since 09:30 (a major incident, two updates), the managed databases are in a maintenance since 09:00,
an SMS gateway maintenance is scheduled for the night, and the dashboard's slowness of Friday is resolved.
The API was also in a major outage for an hour on Friday."""

from __future__ import annotations

import datetime as dt

from router.models.status import (
    ComponentChange,
    ComponentState,
    Incident,
    IncidentComponent,
    IncidentUpdate,
    UpdateComponentChange,
)
from router.runtime import runtime
from tests.web.helpers import sao_paulo

INCIDENT = "Errors on the public API for some customers"
LATEST = "A faulty release is being rolled back."
MAINTENANCE = "Managed databases: minor version upgrade"
UPCOMING = "SMS gateway: carrier maintenance"
RESOLVED = "Slow dashboard"
# The API's downtime in the 90 days up to 10:00 today: an hour on Friday, half an hour this morning.
API_DOWN_SECONDS = 3600 + 1800
COUNTED_SECONDS = 89 * 86400 + 10 * 3600  # 89 whole days and today until 10:00 (São Paulo keeps no DST)


def _incident(kind: str, name: str, status: str, impact: str, at: dt.datetime, components: list[str],
              **times: dt.datetime) -> Incident:
    return Incident(kind=kind, name=name, status=status, impact=impact, owner="carla", created_at=at,
                    updated_at=times.pop("updated_at", at), started_at=times.pop("started_at", at),
                    monitoring_at=None, resolved_at=times.pop("resolved_at", None),
                    estimated_resolution_at=times.pop("estimated_resolution_at", None),
                    scheduled_for=times.pop("scheduled_for", None), scheduled_until=times.pop("scheduled_until", None),
                    components=[IncidentComponent(component_id=c) for c in components])


def _update(status: str, body: str, at: dt.datetime, actions: str | None = None,
            changes: tuple[tuple[str, str, str], ...] = ()) -> IncidentUpdate:
    return IncidentUpdate(status=status, body=body, actions=actions, by="carla", created_at=at, updated_at=at,
                          display_at=at, changes=[UpdateComponentChange(component_id=c, old_status=old, new_status=new)
                                                  for c, old, new in changes])


def morning_rows() -> list:
    """The rows of the morning described above."""
    t = sao_paulo
    api = _incident("incident", INCIDENT, "identified", "major", t("2026-11-23 09:30"), ["api"],
                    updated_at=t("2026-11-23 09:50"), estimated_resolution_at=t("2026-11-23 11:00"))
    api.updates = [_update("investigating", "We are investigating errors on the public API.", t("2026-11-23 09:30"),
                           changes=(("api", "operational", "partial_outage"),)),
                   _update("identified", LATEST, t("2026-11-23 09:50"), actions="Rolling back release 4.2")]
    database = _incident("maintenance", MAINTENANCE, "in_progress", "maintenance", t("2026-11-20 12:00"),
                         ["database"], updated_at=t("2026-11-23 09:00"), started_at=t("2026-11-23 09:00"),
                         scheduled_for=t("2026-11-23 09:00"), scheduled_until=t("2026-11-23 11:00"))
    database.updates = [_update("scheduled", "The databases get a minor upgrade; connections may drop once.",
                                t("2026-11-20 12:00")),
                        _update("in_progress", "The upgrade is under way.", t("2026-11-23 09:00"),
                                changes=(("database", "operational", "under_maintenance"),))]
    sms = _incident("maintenance", UPCOMING, "scheduled", "maintenance", t("2026-11-22 18:00"), ["sms-gateway"],
                    scheduled_for=t("2026-11-24 02:00"), scheduled_until=t("2026-11-24 04:00"))
    sms.updates = [_update("scheduled", "Our carrier upgrades its SMS centre; messages may be late.",
                           t("2026-11-22 18:00"))]
    dashboard = _incident("incident", RESOLVED, "resolved", "minor", t("2026-11-20 14:00"), ["dashboard"],
                          updated_at=t("2026-11-20 16:00"), resolved_at=t("2026-11-20 16:00"))
    dashboard.updates = [_update("investigating", "The dashboard is slow to load.", t("2026-11-20 14:00"),
                                 changes=(("dashboard", "operational", "degraded_performance"),)),
                         _update("resolved", "The dashboard is fast again.", t("2026-11-20 16:00"),
                                 changes=(("dashboard", "degraded_performance", "operational"),))]
    states = [ComponentState(component_id="api", status="partial_outage", created_at=t("2026-08-01 08:00"),
                             updated_at=t("2026-11-23 09:30")),
              ComponentState(component_id="database", status="under_maintenance", created_at=t("2026-08-01 08:00"),
                             updated_at=t("2026-11-23 09:00")),
              ComponentState(component_id="dashboard", status="operational", created_at=t("2026-08-01 08:00"),
                             updated_at=t("2026-11-20 16:00"))]
    history = [("api", "2026-08-01 08:00", "operational"), ("api", "2026-11-20 10:00", "major_outage"),
               ("api", "2026-11-20 11:00", "operational"), ("api", "2026-11-23 09:30", "partial_outage"),
               ("database", "2026-11-23 09:00", "under_maintenance"),
               ("dashboard", "2026-11-20 14:00", "degraded_performance"), ("dashboard", "2026-11-20 16:00",
                                                                          "operational")]
    changes = [ComponentChange(component_id=c, at=t(at), status=s) for c, at, s in history]
    return [api, database, sms, dashboard, *states, *changes]


def add_morning(app) -> None:
    """Write the morning's rows to the app's database."""
    with runtime(app).services.sessions() as session, session.begin():
        session.add_all(morning_rows())
