"""Several workers on one PostgreSQL database: every notification sent once, every page escalated once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from router import db
from router.engine import run_pass
from router.escalation import escalate_due
from router.models import Notification, PageEvent
from tests.web.helpers import BRAZIL_LINE, Twilio, sao_paulo


@pytest.fixture
def postgres_app(make_app, fake_twilio, postgres_database, monkeypatch, clock):
    """The app on PostgreSQL, with the web process's immediate sending off: the workers do it all."""
    from router.config import Settings  # noqa: F401  (make_app reads the database_url fixture)

    app = make_app(twilio_api_base=fake_twilio.url)
    if app.extensions["engine"].dialect.name != "postgresql":
        pytest.skip("this test is about PostgreSQL's row locks")
    app.extensions["dispatcher"].shutdown()
    clock.at = sao_paulo("2026-11-28 03:00")
    return app


# The keys of a critical call from an unknown number, for two customers whose packages may page.
IDENTIFY = [("482910",), ("551200", "2468")]  # ACME Retail; Globex, with its PIN


def _critical_calls(app, count: int, clock) -> None:
    """Critical calls from different phones; the same customer's calls within 30 minutes share a case."""
    twilio = Twilio(app.test_client())
    for i in range(count):
        clock.at = sao_paulo("2026-11-28 03:00") + dt.timedelta(seconds=i)
        call = twilio.call(f"+55119{i:08d}", BRAZIL_LINE).arrives().presses("1")
        for keys in IDENTIFY[i % 2]:
            call.presses(keys)
        call.presses("1").records(5)


def _side_by_side(workers: int, work) -> None:
    start = threading.Barrier(workers)

    def run() -> None:
        start.wait()
        work()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_never_send_a_notification_twice(postgres_app, fake_twilio, clock):
    _critical_calls(postgres_app, 12, clock)
    start = clock.at

    def worker() -> None:
        for _ in range(3):
            with postgres_app.app_context():
                run_pass(postgres_app)

    for minutes in (0, 5, 6, 15, 20, 21, 30):  # every step of the policy, its repeat and the fallback
        clock.at = start + dt.timedelta(minutes=minutes)
        _side_by_side(2, worker)
    with db.sessions(postgres_app)() as session:
        notifications = session.scalars(select(Notification)).all()
    assert len(notifications) >= 14 and all(n.status not in ("pending", "sending") for n in notifications)
    sent_ids = [int(r["params"]["StatusCallback"].split("/")[-2 if r["kind"] == "call" else -1])
                for r in fake_twilio.log() if r["kind"] in ("message", "call")]
    assert sorted(sent_ids) == sorted(n.id for n in notifications)  # each one exactly once
    assert Counter(sent_ids).most_common(1)[0][1] == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_escalate_a_timed_out_page_once(postgres_app, clock):
    _critical_calls(postgres_app, 3, clock)
    clock.at += dt.timedelta(minutes=5)
    sessions, support = db.sessions(postgres_app), postgres_app.extensions["support"]
    escalated: list[int] = []
    _side_by_side(4, lambda: escalated.extend(escalate_due(sessions, support, clock)))
    with db.sessions(postgres_app)() as session:
        kinds = Counter(e.kind for e in session.scalars(select(PageEvent)))
    # Two customers' cases (the third call joined ACME's case) on one page, escalated once.
    assert len(escalated) == 1 and kinds["escalated"] == 1
    assert kinds["case joined"] == 1
