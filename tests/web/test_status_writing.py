"""Writing the status page: incidents opened, updated and resolved with their component changes and
history, maintenance scheduled and moved, components set directly, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from router import db
from router.models import ComponentChange, ComponentState, Incident, IncidentUpdate, UpdateComponentChange
from router.runtime import runtime
from router.status import writing
from router.status.writing import MaintenanceNews, NewIncident, NewMaintenance, NewUpdate, NotFound
from statuspage.vocabulary import ComponentStatus as C
from statuspage.vocabulary import Impact, IncidentStatus, MaintenanceStatus
from tests.web.console import add_accounts

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def write(app):
    """Run one writing function in a transaction of its own, as the console and the API do."""
    def run(function, *args, by="carla"):
        with db.sessions(app).begin() as session:
            found = function(session, runtime(app).support, *args, by, runtime(app).now())
            session.flush()
            return found.id
    return run


def _set(app, component, status):
    with db.sessions(app).begin() as session:
        return writing.set_component_status(session, runtime(app).support, component, status, runtime(app).now())


def _statuses(app):
    with db.sessions(app)() as session:
        return {c: s for c, s in writing.current_statuses(session, runtime(app).support).items() if s != C.OPERATIONAL}


def _history(app):
    with db.sessions(app)() as session:
        return [(c.component_id, c.status, c.incident_id) for c in
                session.scalars(select(ComponentChange).order_by(ComponentChange.id))]


def _incident(app, incident_id):
    with db.sessions(app)() as session:
        incident = session.get(Incident, incident_id)
        changes = {u.id: [(c.component_id, c.old_status, c.new_status) for c in u.changes] for u in incident.updates}
        incident.affected = [c.component_id for c in incident.components]
        return incident, [(u.status, u.body, u.actions, u.by, changes[u.id]) for u in incident.updates]


def _api_down(**fields):
    return NewIncident(**{"name": "API errors", "impact": Impact.MAJOR, "status": IncidentStatus.INVESTIGATING,
                          "body": "Requests to the API fail for some customers.",
                          "components": {"api": C.PARTIAL_OUTAGE}, "owner": "carla", **fields})


def test_an_incident_opened_updated_and_resolved_leaves_its_rows_history_and_milestones(app, write, clock):
    add_accounts(app)
    opened_at = clock()
    incident_id = write(writing.open_incident, _api_down(actions="Paging the API team.",
                                                         estimated_resolution_at=opened_at + 60 * MINUTE))
    clock.at += 10 * MINUTE
    write(writing.post_update, incident_id, NewUpdate(
        IncidentStatus.IDENTIFIED, "A database node is down.", "Failing over.",
        {"api": C.MAJOR_OUTAGE, "database": C.PARTIAL_OUTAGE}, estimated_resolution_at=None))
    clock.at += 10 * MINUTE
    monitoring_at = clock()
    write(writing.post_update, incident_id, NewUpdate(IncidentStatus.MONITORING, "Failed over; watching.",
                                                      components={"api": C.DEGRADED_PERFORMANCE}))
    assert _statuses(app) == {"api": C.DEGRADED_PERFORMANCE, "database": C.PARTIAL_OUTAGE}
    clock.at += 10 * MINUTE
    write(writing.post_update, incident_id, NewUpdate(IncidentStatus.RESOLVED, "All is well again."))

    incident, updates = _incident(app, incident_id)
    assert (incident.status, incident.impact, incident.owner) == ("resolved", "major", "carla")
    assert (incident.started_at, incident.monitoring_at, incident.resolved_at) == (opened_at, monitoring_at, clock())
    assert incident.updated_at == clock() and incident.estimated_resolution_at is None  # cleared by the second
    assert incident.affected == ["api", "database"]
    assert updates == [  # newest first
        ("resolved", "All is well again.", None, "carla",
         [("api", "degraded_performance", "operational"), ("database", "partial_outage", "operational")]),
        ("monitoring", "Failed over; watching.", None, "carla", [("api", "major_outage", "degraded_performance")]),
        ("identified", "A database node is down.", "Failing over.", "carla",
         [("api", "partial_outage", "major_outage"), ("database", "operational", "partial_outage")]),
        ("investigating", "Requests to the API fail for some customers.", "Paging the API team.", "carla",
         [("api", "operational", "partial_outage")]),
    ]
    assert _statuses(app) == {}
    assert _history(app) == [("api", "partial_outage", incident_id), ("api", "major_outage", incident_id),
                             ("database", "partial_outage", incident_id), ("api", "degraded_performance", incident_id),
                             ("api", "operational", incident_id), ("database", "operational", incident_id)]


def test_resolving_keeps_what_the_update_says_and_what_another_incident_holds(app, write):
    add_accounts(app)
    first = write(writing.open_incident, _api_down(components={"api": C.PARTIAL_OUTAGE, "dashboard": C.MAJOR_OUTAGE}))
    write(writing.open_incident, _api_down(name="Dashboard slow", components={"dashboard": C.MAJOR_OUTAGE}))
    write(writing.post_update, first, NewUpdate(IncidentStatus.RESOLVED, "Fixed; the API stays slow a while.",
                                                components={"api": C.DEGRADED_PERFORMANCE}))
    assert _statuses(app) == {"api": C.DEGRADED_PERFORMANCE, "dashboard": C.MAJOR_OUTAGE}


def test_a_resolved_incident_takes_only_its_postmortem(app, write):
    add_accounts(app)
    incident_id = write(writing.open_incident, _api_down())
    write(writing.post_update, incident_id, NewUpdate(IncidentStatus.RESOLVED, "Fixed."))
    with pytest.raises(ValueError, match="only a postmortem may follow, not investigating"):
        write(writing.post_update, incident_id, NewUpdate(IncidentStatus.INVESTIGATING, "It is back."))
    resolved_at = _incident(app, incident_id)[0].resolved_at
    write(writing.post_update, incident_id, NewUpdate(IncidentStatus.POSTMORTEM, "What happened, and why."))
    incident, updates = _incident(app, incident_id)
    assert (incident.status, incident.resolved_at, len(updates)) == ("postmortem", resolved_at, 3)


@pytest.mark.parametrize(("change", "reason"), [
    ({"components": {"billing": C.MAJOR_OUTAGE}}, "unknown component 'billing'"),
    ({"body": "   "}, "the update's body is empty"),
    ({"name": ""}, "the name is empty"),
    ({"impact": Impact.MAINTENANCE}, "an incident's impact is one of none, minor, major, critical"),
    ({"status": IncidentStatus.RESOLVED}, "an incident opens unresolved"),
    ({"owner": "nobody"}, "the owner 'nobody' is no console account"),
    ({"estimated_resolution_at": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)}, "already past"),
])
def test_an_incident_refused_writes_nothing(app, write, change, reason):
    add_accounts(app)
    with pytest.raises(ValueError, match=reason):
        write(writing.open_incident, _api_down(**change))
    with db.sessions(app)() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        assert session.scalar(select(func.count()).select_from(ComponentState)) == 0


def test_an_update_refused_changes_nothing(app, write):
    add_accounts(app)
    incident_id = write(writing.open_incident, _api_down())
    with pytest.raises(ValueError, match="unknown component 'billing'"):
        write(writing.post_update, incident_id, NewUpdate(
            IncidentStatus.IDENTIFIED, "Found it.", components={"api": C.MAJOR_OUTAGE, "billing": C.MAJOR_OUTAGE}))
    with pytest.raises(NotFound, match="there is no incident 999"):
        write(writing.post_update, 999, NewUpdate(IncidentStatus.IDENTIFIED, "Found it."))
    incident, updates = _incident(app, incident_id)
    assert (incident.status, len(updates), _statuses(app)) == ("investigating", 1, {"api": C.PARTIAL_OUTAGE})


def test_a_maintenance_scheduled_moved_and_completed(app, write, clock):
    add_accounts(app)
    starts = clock() + 60 * MINUTE
    maintenance_id = write(writing.schedule_maintenance, NewMaintenance(
        "Database upgrade", starts, starts + 120 * MINUTE, ("database", "api"), "Upgrading to the next major version."))
    with pytest.raises(NotFound):  # a maintenance is no incident
        write(writing.post_update, maintenance_id, NewUpdate(IncidentStatus.IDENTIFIED, "?"))
    write(writing.update_maintenance, maintenance_id, MaintenanceNews(
        MaintenanceStatus.SCHEDULED, "Moved an hour later.", starts + 60 * MINUTE, starts + 180 * MINUTE))
    write(writing.update_maintenance, maintenance_id, MaintenanceNews(MaintenanceStatus.IN_PROGRESS, "Started early."))
    assert _statuses(app) == {"api": C.UNDER_MAINTENANCE, "database": C.UNDER_MAINTENANCE}
    write(writing.update_maintenance, maintenance_id, MaintenanceNews(MaintenanceStatus.VERIFYING, "Checking."))
    write(writing.update_maintenance, maintenance_id, MaintenanceNews(MaintenanceStatus.COMPLETED, "Done."))
    maintenance, updates = _incident(app, maintenance_id)
    assert (maintenance.kind, maintenance.impact, maintenance.status) == ("maintenance", "maintenance", "completed")
    assert (maintenance.scheduled_for, maintenance.scheduled_until) == (starts + 60 * MINUTE, starts + 180 * MINUTE)
    assert maintenance.started_at == maintenance.resolved_at == clock()
    assert [u[0] for u in updates] == ["completed", "verifying", "in_progress", "scheduled", "scheduled"]
    assert updates[0][4] == [("api", "under_maintenance", "operational"),
                             ("database", "under_maintenance", "operational")]
    assert _statuses(app) == {}
    with pytest.raises(ValueError, match="the maintenance is completed"):
        write(writing.update_maintenance, maintenance_id, MaintenanceNews(MaintenanceStatus.IN_PROGRESS, "Again."))


@pytest.mark.parametrize(("window", "components", "reason"), [
    ((60, 30), ("api",), "must end after it starts"),
    ((-120, -60), ("api",), "has already ended"),
    ((60, 120), (), "names the components"),
    ((60, 120), ("api", "billing"), "unknown component 'billing'"),
])
def test_a_maintenance_refused(app, write, clock, window, components, reason):
    starts, ends = (clock() + minutes * MINUTE for minutes in window)
    with pytest.raises(ValueError, match=reason):
        write(writing.schedule_maintenance, NewMaintenance("Upgrade", starts, ends, components, "Upgrading."))


def test_a_component_set_directly_keeps_its_history_once(app, clock):
    assert _set(app, "dashboard", C.DEGRADED_PERFORMANCE)
    assert not _set(app, "dashboard", C.DEGRADED_PERFORMANCE)
    clock.at += MINUTE
    assert _set(app, "dashboard", C.OPERATIONAL)
    assert _history(app) == [("dashboard", "degraded_performance", None), ("dashboard", "operational", None)]
    with pytest.raises(ValueError, match="unknown component 'billing'"):
        _set(app, "billing", C.OPERATIONAL)
    with db.sessions(app)() as session:
        assert session.scalar(select(func.count()).select_from(UpdateComponentChange)) == 0
        assert session.scalar(select(func.count()).select_from(IncidentUpdate)) == 0
