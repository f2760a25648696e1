"""The demo's status page: two incidents resolved during the seeded weeks and a maintenance to come, written
through the same functions as the console, so /status, its uptime bars, the feed and the v2 JSON show them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from router.config import SupportConfig
from router.status.writing import (
    NewIncident,
    NewMaintenance,
    NewUpdate,
    open_incident,
    post_update,
    schedule_maintenance,
)
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus

API_OUTAGE = "Elevated error rates on the Public API"


def seed_status(session: Session, support: SupportConfig, end: dt.datetime, now: dt.datetime) -> None:
    """Incidents before `end` (the seeded history's end) and a maintenance three days after `now`."""
    api = open_incident(session, support, NewIncident(
        API_OUTAGE, Impact.MAJOR, IncidentStatus.INVESTIGATING,
        "Some API requests fail with errors 502 and 503. We are investigating.",
        {"api": ComponentStatus.PARTIAL_OUTAGE}), "demo", end - dt.timedelta(days=9, hours=2))
    session.flush()
    for minutes, status, body in (
            (25, IncidentStatus.IDENTIFIED, "A faulty deployment of the API gateway; it is being rolled back."),
            (55, IncidentStatus.MONITORING, "The rollback is complete and error rates are back to normal."),
            (95, IncidentStatus.RESOLVED, "This incident has been resolved.")):
        post_update(session, support, api.id, NewUpdate(status, body), "demo",
                    end - dt.timedelta(days=9, hours=2) + dt.timedelta(minutes=minutes))
    dashboard = open_incident(session, support, NewIncident(
        "Slow dashboard pages", Impact.MINOR, IncidentStatus.IDENTIFIED,
        "Dashboard pages take up to 20 seconds to load; a database index is being rebuilt.",
        {"dashboard": ComponentStatus.DEGRADED_PERFORMANCE}), "demo", end - dt.timedelta(days=3, hours=5))
    session.flush()
    post_update(session, support, dashboard.id, NewUpdate(IncidentStatus.RESOLVED, "Pages load normally again."),
                "demo", end - dt.timedelta(days=3, hours=4))
    starts = (now + dt.timedelta(days=3)).replace(hour=5, minute=0, second=0, microsecond=0)
    schedule_maintenance(session, support, NewMaintenance(
        "Managed databases: minor version upgrade", starts, starts + dt.timedelta(hours=2), ("database",),
        "Databases restart once, for under a minute each, during the window."), "demo", now)
