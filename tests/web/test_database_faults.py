"""The database fails for real mid-call: a PostgreSQL cluster of the test's own, stopped or frozen.

Whatever the database does, the caller hears the line as it is at that moment (in English after
hours), a critical caller reaches the engineer on call, and once the database is back every call,
event, case and page is in it, once.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select, text

from router import db
from router.models import Base, Call, CallEvent, Case, Notification, Page
from router.paging.statuses import Delivery
from router.paging.worker import run_pass
from router.runtime import runtime
from tests.pgcluster import Cluster
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, count, sao_paulo

pytestmark = pytest.mark.postgres
CHRISTMAS = sao_paulo("2026-12-25 10:00")  # a Friday: business hours on any other day, a holiday this one


@pytest.fixture(scope="module")
def cluster():
    own = Cluster()
    yield own
    own.remove()


@pytest.fixture
def database_url(cluster):
    """This module's database is the cluster's own, emptied for each test."""
    engine = db.make_engine(cluster.url)
    db.upgrade(engine)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return cluster.url


@pytest.fixture
def down(cluster):
    """Stop the cluster for the test's outage; it is started again however the test ends."""
    yield cluster.stop
    if not (cluster.data / "postmaster.pid").exists():
        cluster.start()


@pytest.fixture
def frozen(cluster):
    yield cluster.freeze
    cluster.thaw()



def test_a_holiday_caller_during_an_outage_hears_the_after_hours_line_and_reaches_the_engineer(
        app, twilio, clock, support, down, cluster, fake_twilio):
    clock.at = CHRISTMAS
    engineer = support.first_responder(support.line(BRAZIL_LINE), CHRISTMAS)
    down()
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    call.hears("Today is Christmas Day, a holiday.", "press 1")  # English, not dialled to an empty office
    assert call.twiml.verbs()[-1] == "Gather"
    call.presses("1").hears("you are reporting a critical issue")  # the menu's 1 goes on without the database
    call.presses("1").hears("connect you to the on-call engineer")
    assert [n.text for n in call.twiml.one("Dial").findall("Number")] == [engineer.phone]

    cluster.start()
    clock.at = CHRISTMAS + dt.timedelta(minutes=20)  # longer than the first step's five minutes
    run_pass(runtime(app).services)
    with db.sessions(app)() as session:
        [logged] = session.scalars(select(Call)).all()
        assert [e.step for e in logged.events] == ["incoming", "after_hours_menu", "critical_confirm"]
        assert "Christmas" in logged.decision
        assert "connect you to the on-call engineer" in logged.events[-1].twiml  # what the caller heard
        [case] = session.scalars(select(Case)).all()
        assert (case.severity, case.opened_at) == ("critical", CHRISTMAS)
        [page] = session.scalars(select(Page)).all()
        first_step = [n for n in page.notifications if n.step == 0]
        assert {n.person_id for n in first_step} == {engineer.id}
        assert all(n.status != Delivery.CANCELED for n in first_step)  # the first engineer is not skipped
    assert [m["to"] for m in fake_twilio.messages()] == [engineer.phone]


def test_a_frozen_database_still_puts_a_critical_caller_through_before_twilio_gives_up(
        app, twilio, clock, support, frozen, cluster):
    clock.at = sao_paulo("2026-11-28 03:00")
    engineer = support.first_responder(support.line(BRAZIL_LINE), clock.at)
    runtime(app).dispatcher.shutdown()
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1")
    frozen()
    started = time.monotonic()
    call.presses("1").hears("connect you to the on-call engineer")
    waited = time.monotonic() - started
    assert waited < 15, f"answered after {waited:.1f} s: Twilio had given up"  # Twilio's webhook timeout
    assert [n.text for n in call.twiml.one("Dial").findall("Number")] == [engineer.phone]
    started = time.monotonic()
    health = app.test_client().get("/health")
    assert health.status_code == 503 and time.monotonic() - started < 15

    cluster.thaw()
    run_pass(runtime(app).services)  # the request that waited may commit after all: one case either way
    run_pass(runtime(app).services)
    assert (count(app, Call), count(app, Case), count(app, Page)) == (1, 1, 1)
    assert count(app, CallEvent) == 3


def test_the_end_of_a_call_reported_during_an_outage_is_recorded_once_the_database_is_back(
        app, twilio, down, cluster):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    assert count(app, Call) == 1
    down()
    response = twilio.post("/voice/status", **{**call.base, "CallStatus": "completed", "CallDuration": "42"})
    assert response.status_code == 204
    cluster.start()
    run_pass(runtime(app).services)
    with db.sessions(app)() as session:
        [logged] = session.scalars(select(Call)).all()
        assert (logged.status, logged.duration_seconds) == ("completed", 42)
        assert logged.ended_at is not None


def test_a_message_left_during_an_outage_becomes_a_case_with_its_recording(app, twilio, clock, down, cluster):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    down()
    call.presses("2").records(12).hears("Your message is kept, and we will call you back.")
    cluster.start()
    run_pass(runtime(app).services)
    with db.sessions(app)() as session:
        [case] = session.scalars(select(Case)).all()
        assert (case.severity, case.recording_seconds) == ("normal", 12)
        assert case.recording_url.endswith(call.sid)
        assert session.scalar(select(func.count()).select_from(Notification)) == 0  # a message pages nobody
