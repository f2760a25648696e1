"""Health checks: the database, and whether the paging engine runs and keeps up."""

from __future__ import annotations

import datetime as dt
import threading

from click.testing import CliRunner

from router import db
from router.cli import cli
from router.models import Notification, Page
from router.paging.worker import beat, work
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import BRAZIL_LINE


def test_health_says_the_database_answers(app):
    answer = app.test_client().get("/health")
    assert (answer.status_code, answer.json) == (200, {"status": "ok", "database": "ok"})


def test_the_engine_is_failing_until_a_worker_makes_a_pass(app, clock):
    client = app.test_client()
    before = client.get("/health/engine")
    assert before.status_code == 503
    assert before.json["problems"] == ["no paging engine (router serve, router worker) made a pass in the last 30 s: "
                                       "pages will not escalate"]

    started = clock()
    beat(runtime(app).services, "host:1", started)
    ok = client.get("/health/engine")
    assert (ok.status_code, ok.json["workers_running"], ok.json["problems"]) == (200, 1, [])
    assert ok.json["last_pass"] == started.isoformat()

    clock.at += dt.timedelta(seconds=31)  # the worker went silent
    assert client.get("/health/engine").status_code == 503


def test_the_engine_is_failing_when_notifications_or_escalations_are_overdue(app, clock):
    now = clock()
    with db.sessions(app)() as session, session.begin():
        page = Page(line_number=BRAZIL_LINE, policy_id="critical-brazil", status="open", opened_at=now,
                    next_escalation_at=now - dt.timedelta(minutes=2))
        session.add(Notification(page=page, person_id="carla", channel="sms", to_number="+5511970000003",
                                 status="pending", due_at=now - dt.timedelta(minutes=1), created_at=now,
                                 updated_at=now))
    beat(runtime(app).services, "host:1", now)
    answer = app.test_client().get("/health/engine")
    assert answer.status_code == 503
    assert answer.json["problems"] == ["1 notifications overdue by more than 30 s",
                                       "1 escalations overdue by more than 30 s"]


def test_the_engine_reports_a_failing_pass_and_goes_on(app, monkeypatch):
    stop, reported, passes = threading.Event(), [], []

    def run_pass(services, *_):
        passes.append(1)
        if len(passes) == 1:
            raise OSError("database is down")
        stop.set()  # the second pass worked: enough
        return {"notifications sent": 2}

    monkeypatch.setattr("router.paging.worker.run_pass", run_pass)
    work(runtime(app).services, 0.01, stop, reported.append)

    assert reported == ["pass failed, trying again in 0.01 s: OSError('database is down')", "2 notifications sent"]
    assert app.test_client().get("/health/engine").json["workers_running"] == 1  # the good pass beat


def test_router_worker_once_makes_one_pass(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    for name, value in (("DATABASE_URL", url), ("ROUTER_SPOOL", str(tmp_path / "spool")),
                        ("TWILIO_ACCOUNT_SID", "test"), ("TWILIO_AUTH_TOKEN", "test"), ("SECRET_KEY", "test")):
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "worker", "--once"])
    assert (result.exit_code, result.stdout) == (0, "")  # nothing was due (warnings go to standard error)


def test_an_open_page_that_reached_nobody_is_a_problem(app, clock):
    now = clock()
    with db.sessions(app)() as session, session.begin():  # nobody on call and no fallback: no notification
        session.add(Page(line_number=BRAZIL_LINE, policy_id="critical-brazil", status="open", opened_at=now))
    beat(runtime(app).services, "host:1", now)
    answer = app.test_client().get("/health/engine")
    assert answer.status_code == 503 and answer.json["pages_reaching_nobody"] == 1
    assert answer.json["problems"] == ["1 open pages reached nobody (no one on call, no fallback)"]
