"""A `router worker` killed with SIGKILL in the middle of a step's sends: nothing lost, nothing sent twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from router import db
from router.models import Notification
from router.paging.recovery import STUCK_SENDING
from router.paging.worker import escalate_due, run_pass
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import ACCOUNT_SID, ACME_CONTACT, AUTH_TOKEN, BRAZIL_LINE, Twilio, sao_paulo


def _worker(database_url: str, fake_url: str, tmp_path: Path, now: dt.datetime) -> subprocess.Popen:
    env = {**os.environ, "ROUTER_CONFIG": str(EXAMPLE_CONFIG), "DATABASE_URL": database_url,
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_API_BASE": fake_url,
           "SECRET_KEY": "test", "ROUTER_SPOOL": str(tmp_path / "spool"), "ROUTER_CLOCK": now.isoformat()}
    return subprocess.Popen([sys.executable, "-m", "router", "worker", "--interval", "0.2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_step_loses_no_send_and_makes_none_twice(make_app, fake_twilio, clock, database_url,
                                                                      tmp_path):
    app = make_app(twilio_api_base=fake_twilio.url)
    runtime(app).dispatcher.shutdown()  # the worker processes send everything
    clock.at = sao_paulo("2026-11-28 03:00")
    Twilio(app.test_client()).call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)
    clock.at = sao_paulo("2026-11-28 03:05")
    escalate_due(runtime(app).services)  # step 2: Diego and Gabriel, an SMS and a call each
    with db.sessions(app)() as session:
        step_2 = session.scalars(select(Notification).where(Notification.step == 1)).all()
    assert len(step_2) == 4

    before = len(fake_twilio.messages()) + len(fake_twilio.calls())
    fake_twilio.hold()  # the first request the worker makes hangs at Twilio
    worker = _worker(database_url, fake_twilio.url, tmp_path, sao_paulo("2026-11-28 03:06:30"))
    try:
        fake_twilio.wait_until(lambda: fake_twilio.network.gate.held >= 1, timeout=20)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    fake_twilio.release()  # the request it was making reaches Twilio after all: was it sent, or not?
    fake_twilio.wait_until(lambda: len(fake_twilio.messages()) + len(fake_twilio.calls()) > before, timeout=10)

    clock.at = sao_paulo("2026-11-28 03:06:30") + STUCK_SENDING + dt.timedelta(seconds=5)
    run_pass(runtime(app).services)  # another worker carries on
    run_pass(runtime(app).services)
    with db.sessions(app)() as session:
        step_2 = session.scalars(select(Notification).where(Notification.step == 1)).all()
        assert all(n.twilio_sid for n in step_2), [(n.person_id, n.channel, n.status) for n in step_2]
    sent = Counter((r["params"]["To"], r["kind"]) for r in fake_twilio.log() if r["kind"] in ("message", "call")
                   and r["params"]["To"] in ("+5511970000004", "+5511970000005"))
    assert sent == {("+5511970000004", "message"): 1, ("+5511970000004", "call"): 1,
                    ("+5511970000005", "message"): 1, ("+5511970000005", "call"): 1}
    assert len({n.twilio_sid for n in step_2}) == 4
