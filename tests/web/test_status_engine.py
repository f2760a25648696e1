"""The engine's status tasks: a maintenance moved at its window's edges (once, however many engines), and
an incident's owner reminded by SMS when a major incident has had no update for the configured interval."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from router import db
from router.models import Incident, IncidentReminder
from router.paging.worker import run_pass
from router.runtime import runtime
from router.status import writing
from router.status.reminders import remind_owners
from router.status.schedule import advance_maintenance
from router.status.writing import NewIncident, NewMaintenance, NewUpdate
from statuspage.vocabulary import ComponentStatus as C
from statuspage.vocabulary import Impact, IncidentStatus
from tests.web.console import add_accounts

MINUTE = dt.timedelta(minutes=1)
CARLA, MARTA = "+5511970000003", "+5511970000009"


def _write(app, function, *args, by="carla"):
    with db.sessions(app).begin() as session:
        found = function(session, runtime(app).support, *args, by, runtime(app).now())
        session.flush()
        return found.id


def _pass(app):
    """The engine's pass as far as these tasks go (the whole pass: `test_the_engines_pass_runs_them`)."""
    services = runtime(app).services
    return {"maintenances moved": advance_maintenance(services), "incident owners reminded": remind_owners(services)}


def _maintenance(app, maintenance_id):
    with db.sessions(app)() as session:
        maintenance = session.get(Incident, maintenance_id)
        statuses = writing.current_statuses(session, runtime(app).support)
        return (maintenance.status, [(u.status, u.by) for u in maintenance.updates],
                {c: statuses[c] for c in ("api", "database")})


@pytest.fixture
def upgrade(app, clock):
    """A database upgrade scheduled from 11:00 to 12:00 (it is 10:00)."""
    starts = clock() + 60 * MINUTE
    return _write(app, writing.schedule_maintenance, NewMaintenance(
        "Database upgrade", starts, starts + 60 * MINUTE, ("database",), "Upgrading the databases."))


def test_a_maintenance_starts_and_completes_at_its_window_edges_once(app, clock, upgrade):
    clock.at += 59 * MINUTE
    assert _pass(app)["maintenances moved"] == 0
    assert _maintenance(app, upgrade)[0] == "scheduled"

    clock.at += MINUTE  # 11:00
    assert _pass(app)["maintenances moved"] == 1
    assert _pass(app)["maintenances moved"] == 0
    status, updates, statuses = _maintenance(app, upgrade)
    assert (status, updates) == ("in_progress", [("in_progress", None), ("scheduled", "carla")])
    assert statuses == {"api": C.OPERATIONAL, "database": C.UNDER_MAINTENANCE}

    clock.at += 60 * MINUTE  # 12:00
    assert _pass(app)["maintenances moved"] == 1
    assert _pass(app)["maintenances moved"] == 0
    status, updates, statuses = _maintenance(app, upgrade)
    assert (status, [u for u, _ in updates]) == ("completed", ["completed", "in_progress", "scheduled"])
    assert statuses == {"api": C.OPERATIONAL, "database": C.OPERATIONAL}
    with db.sessions(app)() as session:
        maintenance = session.get(Incident, upgrade)
        assert maintenance.started_at == clock() - 60 * MINUTE and maintenance.resolved_at == clock()
        assert maintenance.updates[0].body == "The scheduled maintenance has been completed."


def test_a_window_that_passed_unseen_completes_in_one_move(app, clock, upgrade):
    clock.at += 3 * 60 * MINUTE
    assert _pass(app)["maintenances moved"] == 1
    status, updates, statuses = _maintenance(app, upgrade)
    assert (status, [u for u, _ in updates]) == ("completed", ["completed", "scheduled"])
    assert statuses["database"] == C.OPERATIONAL


def test_engines_passing_at_once_move_a_maintenance_once(app, clock, upgrade):
    clock.at += 60 * MINUTE
    services, start, moved = runtime(app).services, threading.Barrier(3), []

    def engine():
        start.wait()
        moved.append(advance_maintenance(services))

    engines = [threading.Thread(target=engine) for _ in range(3)]
    for thread in engines:
        thread.start()
    for thread in engines:
        thread.join(timeout=30)
    assert sorted(moved) == [0, 0, 1]
    assert [u for u, _ in _maintenance(app, upgrade)[1]] == ["in_progress", "scheduled"]


def test_completing_gives_back_only_what_no_incident_holds(app, clock, upgrade):
    add_accounts(app)
    clock.at += 60 * MINUTE
    _pass(app)
    _write(app, writing.open_incident, NewIncident("Replica lag", Impact.MINOR, IncidentStatus.IDENTIFIED,
                                                   "Replicas lag behind.", {"database": C.DEGRADED_PERFORMANCE}))
    clock.at += 60 * MINUTE
    _pass(app)
    assert _maintenance(app, upgrade)[2]["database"] == C.DEGRADED_PERFORMANCE


def _reminders(app, fake_twilio, count):
    """The reminders logged, once the engine's sending thread has kept what Twilio answered of each."""
    def settled():
        with db.sessions(app)() as session:
            rows = session.scalars(select(IncidentReminder).order_by(IncidentReminder.id)).all()
        done = len(rows) == count and all(r.status != "sending" for r in rows) and len(fake_twilio.messages()) == count
        return rows if done else None
    return fake_twilio.wait_until(settled, timeout=10)


def _incident(app, impact, owner="carla"):
    return _write(app, writing.open_incident, NewIncident(
        "API errors", impact, IncidentStatus.INVESTIGATING, "Requests fail.", {"api": C.PARTIAL_OUTAGE},
        owner=owner))


def test_a_quiet_major_incident_reminds_its_owner_once_per_interval(app, clock, fake_twilio):
    add_accounts(app)
    incident_id = _incident(app, Impact.MAJOR)
    clock.at += 29 * MINUTE
    assert _pass(app)["incident owners reminded"] == 0
    clock.at += MINUTE  # 30 minutes without an update
    assert _pass(app)["incident owners reminded"] == 1
    assert _pass(app)["incident owners reminded"] == 0
    [reminder] = _reminders(app, fake_twilio, 1)
    [sms] = fake_twilio.messages()
    assert (sms["to"], sms["sid"], reminder.to_number, reminder.person_id) == (CARLA, reminder.twilio_sid, CARLA,
                                                                               "carla")
    assert sms["body"] == reminder.body == ('ACME Cloud Status: the major incident "API errors" has had no update '
                                            'for 30 min. Post an update on the status page.')
    assert reminder.status in ("queued", "sent", "delivered") and reminder.incident_id == incident_id

    clock.at += 29 * MINUTE
    assert _pass(app)["incident owners reminded"] == 0
    clock.at += MINUTE  # another interval since the reminder
    assert _pass(app)["incident owners reminded"] == 1
    _reminders(app, fake_twilio, 2)

    clock.at += 10 * MINUTE
    _write(app, writing.post_update, incident_id, NewUpdate(IncidentStatus.IDENTIFIED, "Found the cause."))
    clock.at += 25 * MINUTE  # 35 minutes since the reminder, 25 since the update
    assert _pass(app)["incident owners reminded"] == 0
    clock.at += 5 * MINUTE
    assert _pass(app)["incident owners reminded"] == 1
    assert "no update for 30 min" in _reminders(app, fake_twilio, 3)[-1].body

    _write(app, writing.post_update, incident_id, NewUpdate(IncidentStatus.RESOLVED, "Fixed."))
    clock.at += 3 * 60 * MINUTE
    assert _pass(app)["incident owners reminded"] == 0
    with db.sessions(app)() as session:
        assert session.get(Incident, incident_id).reminded_at == clock() - 3 * 60 * MINUTE


def test_a_minor_incident_never_reminds(app, clock, fake_twilio):
    add_accounts(app)
    _incident(app, Impact.MINOR)
    for _ in range(4):
        clock.at += 30 * MINUTE
        assert _pass(app)["incident owners reminded"] == 0
    assert fake_twilio.messages() == []


def test_an_owner_without_a_person_reminds_the_first_manager_with_one(app, clock, fake_twilio):
    add_accounts(app)
    _incident(app, Impact.CRITICAL, owner=None)  # opened through the API without an owner
    clock.at += 30 * MINUTE
    assert _pass(app)["incident owners reminded"] == 1
    [reminder] = _reminders(app, fake_twilio, 1)
    assert (reminder.owner, reminder.person_id, fake_twilio.messages()[0]["to"]) == (None, "marta", MARTA)


def test_the_engines_pass_runs_them(app, clock, upgrade):
    add_accounts(app)
    _incident(app, Impact.MAJOR)
    clock.at += 60 * MINUTE
    counts = run_pass(runtime(app).services)
    assert (counts["maintenances moved"], counts["incident owners reminded"]) == (1, 1)
