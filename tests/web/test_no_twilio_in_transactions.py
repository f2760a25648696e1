"""No request to Twilio is made while a database transaction is open: the fake Twilio hangs, the database is free.

On SQLite an open transaction holds the one write lock (`BEGIN IMMEDIATE`); on PostgreSQL it is a
session "idle in transaction" holding row locks. While the fake Twilio holds a request of the
dispatcher, the poller or the recovery, the test takes the write lock, or the rows, at once.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.pool import NullPool

from router import db
from router.models import Notification
from router.paging.recovery import SILENT, STUCK_SENDING, poll_silent, recover_stuck
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, sao_paulo


def _database_is_free(database_url: str) -> None:
    """Write to the page's rows at once: nothing may be holding them while Twilio thinks."""
    engine = create_engine(database_url, poolclass=NullPool,
                           connect_args={"timeout": 0.2} if database_url.startswith("sqlite") else {})
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # fails at once if another holds the write lock
            else:
                connection.execute(text("SET lock_timeout = '200ms'"))
                idle = connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"))
                assert idle == 0, f"{idle} sessions sit in an open transaction while Twilio is asked"
            connection.execute(text("SELECT id FROM pages FOR UPDATE NOWAIT")
                               if engine.dialect.name != "sqlite" else text("SELECT 1"))
            connection.execute(text("UPDATE notifications SET updated_at = updated_at"))
            connection.rollback()
    finally:
        engine.dispose()


def _while_twilio_hangs(fake_twilio, database_url: str, work) -> None:
    fake_twilio.hold()
    thread = threading.Thread(target=work)
    thread.start()
    try:
        fake_twilio.wait_until(lambda: fake_twilio.network.gate.held >= 1, timeout=10)
        _database_is_free(database_url)
    finally:
        fake_twilio.release()
        thread.join(timeout=15)


def _critical_call(app, twilio, clock) -> None:
    clock.at = sao_paulo("2026-11-28 03:00")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)


def test_the_dispatcher_asks_twilio_with_no_transaction_open(app, twilio, clock, fake_twilio, database_url):
    fake_twilio.hold()
    _critical_call(app, twilio, clock)  # commits, then hands the page to the dispatcher's threads
    try:
        fake_twilio.wait_until(lambda: fake_twilio.network.gate.held >= 1, timeout=10)
        _database_is_free(database_url)
    finally:
        fake_twilio.release()
        runtime(app).dispatcher.shutdown()
    assert len(fake_twilio.messages()) + len(fake_twilio.calls()) == 2  # Carla's SMS and call, once each


def test_the_poller_asks_twilio_with_no_transaction_open(app, twilio, clock, fake_twilio, database_url):
    _critical_call(app, twilio, clock)
    runtime(app).dispatcher.shutdown()
    with db.sessions(app)() as session, session.begin():  # Twilio took them, then said nothing more
        quiet_since = clock() - SILENT - dt.timedelta(seconds=1)
        session.execute(update(Notification).values(status="queued", updated_at=quiet_since))
    _while_twilio_hangs(fake_twilio, database_url, lambda: poll_silent(runtime(app).services))


@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_the_recovery_asks_twilio_with_no_transaction_open(app, twilio, clock, fake_twilio, database_url, channel):
    _critical_call(app, twilio, clock)
    runtime(app).dispatcher.shutdown()
    with db.sessions(app)() as session, session.begin():  # the sender died between claim and record
        session.execute(update(Notification).where(Notification.channel == channel).values(
            status="sending", twilio_sid=None, claimed_at=clock() - STUCK_SENDING - dt.timedelta(seconds=1)))
    _while_twilio_hangs(fake_twilio, database_url, lambda: recover_stuck(runtime(app).services))
