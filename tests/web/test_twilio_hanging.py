"""The Twilio API hangs: a send waits only for the client's timeout, and is neither lost nor sent twice."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import select
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from router import db
from router.models import Notification
from router.paging.recovery import STUCK_SENDING
from router.paging.sender import send_due
from router.paging.statuses import Delivery
from router.paging.worker import run_pass
from router.runtime import runtime
from tests.web.helpers import ACCOUNT_SID, ACME_CONTACT, AUTH_TOKEN, BRAZIL_LINE, sao_paulo


def test_a_send_twilio_took_without_answering_in_time_is_looked_up_not_sent_again(app, twilio, clock, fake_twilio):
    services = runtime(app).services
    services.twilio = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=1))  # 10 s in service
    services.twilio.api.base_url = fake_twilio.url
    runtime(app).dispatcher.shutdown()  # the test sends
    clock.at = sao_paulo("2026-11-28 03:00")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)

    fake_twilio.hold()
    finished = threading.Event()
    started = time.monotonic()
    sender = threading.Thread(target=lambda: (send_due(services), finished.set()))
    sender.start()
    assert finished.wait(10), "the send waited on a hanging Twilio past the client's timeout"
    waited = time.monotonic() - started
    with db.sessions(app)() as session:
        [sms] = session.scalars(select(Notification).where(Notification.channel == "sms")).all()
        assert sms.status == Delivery.SENDING and sms.twilio_sid is None  # unknown: not failed, not retried
    fake_twilio.release()  # Twilio had it all along
    fake_twilio.wait_until(lambda: len(fake_twilio.messages()) == 1, timeout=10)

    clock.at += STUCK_SENDING + dt.timedelta(seconds=5)
    run_pass(services)
    run_pass(services)
    assert len(fake_twilio.messages()) == 1  # looked up and adopted, never sent twice
    with db.sessions(app)() as session:
        sms = session.scalars(select(Notification).where(Notification.channel == "sms")).one()
        assert sms.twilio_sid == fake_twilio.messages()[0]["sid"]
    assert waited < 5


def test_the_engine_keeps_its_beat_while_a_send_hangs_at_twilio(app, twilio, clock, fake_twilio):
    from prometheus_client import REGISTRY

    from router.paging.worker import work

    services = runtime(app).services
    runtime(app).dispatcher.shutdown()  # the engine below sends
    clock.at = sao_paulo("2026-11-28 03:00")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)

    def passes() -> float:
        return REGISTRY.get_sample_value("router_engine_pass_seconds_count") or 0.0

    fake_twilio.hold()
    stop = threading.Event()
    engine = threading.Thread(target=work, args=(services, 0.05, stop, lambda line: None))
    engine.start()
    try:
        fake_twilio.wait_until(lambda: fake_twilio.network.gate.held >= 1, timeout=10)  # the page's SMS hangs
        before = passes()
        time.sleep(1.5)
        assert passes() - before >= 5  # passes went on meanwhile: the escalations' deadlines are still watched
    finally:
        fake_twilio.release()
        stop.set()
        engine.join(timeout=30)
    assert len(fake_twilio.messages()) == 1
