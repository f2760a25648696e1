"""Health checks: the database, and whether the paging engine runs and keeps up."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from router import db
from router.cli import cli
from router.engine import beat
from router.models import Notification, Page
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import BRAZIL_LINE


def test_health_says_the_database_answers(app):
    answer = app.test_client().get("/health")
    assert (answer.status_code, answer.json) == (200, {"status": "ok", "database": "ok"})


def test_the_engine_is_failing_until_a_worker_makes_a_pass(app, clock):
    client = app.test_client()
    before = client.get("/health/engine")
    assert before.status_code == 503
    assert before.json["problems"] == ["no router worker made a pass in the last 30 s: pages will not escalate"]

    started = clock()
    beat(app, "host:1", started)
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
    beat(app, "host:1", now)
    answer = app.test_client().get("/health/engine")
    assert answer.status_code == 503
    assert answer.json["problems"] == ["1 notifications overdue by more than 30 s",
                                       "1 escalations overdue by more than 30 s"]


class _Stop(Exception):
    pass


def test_a_worker_whose_pass_fails_says_so_and_goes_on(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ROUTER_SPOOL", str(tmp_path / "spool"))
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SECRET_KEY"):
        monkeypatch.setenv(name, "test")
    passes = []

    def run_pass(app):
        passes.append(1)
        if len(passes) == 1:
            raise OSError("database is down")
        return {"notifications sent": 0}

    def sleep(seconds):
        if len(passes) == 2:
            raise _Stop  # end the endless loop once it went on after the failure

    monkeypatch.setattr("router.engine.run_pass", run_pass)
    monkeypatch.setattr("router.cli.time.sleep", sleep)
    result = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "worker"])

    assert len(passes) == 2 and isinstance(result.exception, _Stop), result.output
    assert "pass failed, trying again in 1 s: OSError('database is down')" in result.output
