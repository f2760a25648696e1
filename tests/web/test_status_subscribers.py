"""Subscribers to the status page: customers' contacts subscribe and stop by SMS, each update of an incident
on their components is queued once and sent through the fake Twilio, and managers keep the list."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from sqlalchemy import func, select

from router import db
from router.models import InboundSms
from router.models.status import (
    ComponentState,
    Incident,
    IncidentComponent,
    IncidentUpdate,
    StatusMessage,
    Subscriber,
)
from router.paging.recovery import STUCK_SENDING
from router.paging.statuses import Delivery
from router.paging.worker import run_pass
from router.runtime import runtime
from router.status.messages import ATTEMPTS, SENDERS, claim, queue_updates, recover_stuck, send_due
from tests.web.console import add_accounts, csrf_token, log_in
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, INITECH_CONTACT, STRANGER, US_LINE, count

ACME_OTHER = "+5521999990000"  # ACME Retail's second contact
GLOBEX = "+16465550199"
SIDS = itertools.count(1)


@pytest.fixture(autouse=True)
def _senders_finish(app):
    yield
    SENDERS.wait()  # nothing of this test is still sending when the next one starts


def _text(twilio, sender: str, body: str, to: str = BRAZIL_LINE) -> str:
    answer = twilio.post("/sms/incoming", MessageSid=f"SM{next(SIDS):032d}", From=sender, To=to, Body=body)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _incident(app, components: list[str], name: str = "Database latency", body: str = "Queries are slow.") -> int:
    with db.sessions(app).begin() as session:
        now = runtime(app).now()
        incident = Incident(kind="incident", name=name, status="investigating", impact="major", created_at=now,
                            updated_at=now, started_at=now)
        incident.components = [IncidentComponent(component_id=c) for c in components]
        session.add(incident)
        session.flush()
        incident_id = incident.id
    _update(app, incident_id, "investigating", body)
    return incident_id


def _update(app, incident_id: int, status: str, body: str) -> None:
    """An update as the writing side leaves it: its subscribers not yet notified."""
    with db.sessions(app).begin() as session:
        now = runtime(app).now()
        session.add(IncidentUpdate(incident_id=incident_id, status=status, body=body, created_at=now,
                                   updated_at=now, display_at=now))


def _messages(app) -> list[StatusMessage]:
    with db.sessions(app)() as session:
        return list(session.scalars(select(StatusMessage).order_by(StatusMessage.id)))


def _subscriber(app, phone: str) -> Subscriber | None:
    with db.sessions(app)() as session:
        subscriber = session.scalars(select(Subscriber).where(Subscriber.phone == phone)).first()
        if subscriber is not None:
            subscriber.component_ids = sorted(c.component_id for c in subscriber.components)
        return subscriber


def _sent_to(fake_twilio) -> list[str]:
    return sorted(m["to"] for m in fake_twilio.messages())


def test_a_customer_contact_texts_subscribe_and_is_confirmed(app, twilio):
    reply = _text(twilio, ACME_CONTACT, "SUBSCRIBE")
    assert "incidents on Public API, Managed databases, Dashboard, SMS gateway" in reply  # the Brazil line's
    subscriber = _subscriber(app, ACME_CONTACT)
    assert subscriber.customer_id == "acme-retail" and subscriber.stopped_at is None
    assert subscriber.component_ids == ["api", "dashboard", "database", "sms-gateway"]

    assert "Public API" in _text(twilio, GLOBEX, "subscribe api", to=US_LINE)
    assert _subscriber(app, GLOBEX).component_ids == ["api"]
    with db.sessions(app)() as session:
        assert session.scalars(select(InboundSms.kind).order_by(InboundSms.id)).all() == ["subscribed"] * 2


def test_an_unknown_number_is_refused_politely(app, twilio):
    reply = _text(twilio, STRANGER, "SUBSCRIBE")
    assert "only the contacts our customers gave us can subscribe" in reply and "+551130000000" in reply
    assert count(app, Subscriber) == 0
    assert "<Message" not in _text(twilio, STRANGER, "hello?")  # chatter from strangers is not answered


def test_status_tells_the_line_s_components_and_its_incidents(app, twilio):
    with db.sessions(app).begin() as session:
        now = runtime(app).now()
        session.add(ComponentState(component_id="database", status="major_outage", created_at=now, updated_at=now))
    _incident(app, ["database"])
    reply = _text(twilio, INITECH_CONTACT, "status")
    assert "ACME Cloud Status: Managed databases: Major outage." in reply
    assert "Database latency (investigating)." in reply and "Reply SUBSCRIBE" in reply


def test_an_update_is_sent_once_to_each_subscriber_of_its_components_and_delivered(served_app, twilio, fake_twilio):
    _text(twilio, ACME_CONTACT, "SUBSCRIBE api")
    _text(twilio, INITECH_CONTACT, "SUBSCRIBE api database")
    _text(twilio, ACME_OTHER, "SUBSCRIBE dashboard")  # not affected
    _incident(served_app, ["api", "sms-gateway"], body="Requests to the API time out.")

    services = runtime(served_app).services
    first = run_pass(services)
    assert first["status messages queued"] == 2
    SENDERS.wait()
    fake_twilio.wait_until(lambda: len(fake_twilio.messages()) == 2)
    assert _sent_to(fake_twilio) == sorted([ACME_CONTACT, INITECH_CONTACT])
    [sent, _] = fake_twilio.messages()
    assert sent["body"] == ("ACME Cloud Status: Database latency - Investigating: Requests to the API time out. "
                            "(reply STOP to stop)")
    assert sent["from"] == BRAZIL_LINE
    fake_twilio.wait_until(lambda: all(m.status == Delivery.DELIVERED for m in _messages(served_app)))
    assert all(m.twilio_sid and m.attempts == 1 and m.sent_at for m in _messages(served_app))

    again = run_pass(services)  # a second pass queues and sends nothing more
    SENDERS.wait()
    assert again["status messages queued"] == 0 and len(_messages(served_app)) == 2
    assert len(fake_twilio.messages()) == 2


def test_two_engines_at_once_queue_an_update_once(app, twilio):
    for contact in (ACME_CONTACT, ACME_OTHER, INITECH_CONTACT):
        _text(twilio, contact, "SUBSCRIBE")
    for n in range(3):
        _incident(app, ["database"], name=f"Incident {n}")
    services = runtime(app).services
    start, counts = threading.Barrier(2), []

    def engine() -> None:
        start.wait()
        counts.append(queue_updates(services))

    engines = [threading.Thread(target=engine) for _ in range(2)]
    for thread in engines:
        thread.start()
    for thread in engines:
        thread.join(30)
    assert sum(counts) == 9 and len(_messages(app)) == 9
    with db.sessions(app)() as session:
        assert session.scalar(select(func.count()).where(IncidentUpdate.notified_at.is_(None))) == 0


def test_stop_sends_nothing_more_and_start_resubscribes(served_app, twilio, fake_twilio):
    services = runtime(served_app).services
    _text(twilio, ACME_CONTACT, "SUBSCRIBE")
    incident = _incident(served_app, ["api"])
    assert queue_updates(services) == 1  # queued, not yet sent...
    assert "<Message" not in _text(twilio, ACME_CONTACT, "STOP")  # Twilio answers STOP itself
    assert _subscriber(served_app, ACME_CONTACT).stopped_at is not None
    assert send_due(services) == 0  # ...and never sent
    assert _messages(served_app)[0].status == Delivery.CANCELED

    _update(served_app, incident, "identified", "A faulty node.")
    assert queue_updates(services) == 0 and send_due(services) == 0
    assert "<Message" not in _text(twilio, ACME_CONTACT, "SUBSCRIBE")  # Twilio would refuse the answer
    assert "<Message" not in _text(twilio, ACME_CONTACT, "START")
    assert _subscriber(served_app, ACME_CONTACT).stopped_at is None
    assert _subscriber(served_app, ACME_CONTACT).component_ids == ["api", "dashboard", "database", "sms-gateway"]
    assert fake_twilio.messages() == []

    _update(served_app, incident, "monitoring", "Fixed; watching.")
    assert queue_updates(services) == 1 and send_due(services) == 1
    assert "Monitoring: Fixed; watching." in fake_twilio.messages()[0]["body"]


def test_unsubscribing_from_a_component_stops_its_messages(app, twilio):
    _text(twilio, ACME_CONTACT, "SUBSCRIBE api database")
    assert "still get SMS about Managed databases" in _text(twilio, ACME_CONTACT, "UNSUBSCRIBE api")
    _incident(app, ["api"])
    assert queue_updates(runtime(app).services) == 0


def test_twilio_refusing_is_tried_again_later_then_the_message_fails(served_app, twilio, clock, fake_twilio):
    services = runtime(served_app).services
    _text(twilio, ACME_CONTACT, "SUBSCRIBE")
    _incident(served_app, ["api"])
    queue_updates(services)
    fake_twilio.refuse_next(ATTEMPTS)
    waits = []
    for attempt in range(1, ATTEMPTS + 1):
        assert send_due(services) == 0
        [message] = _messages(served_app)
        assert message.attempts == attempt and "20503" in message.error
        if attempt < ATTEMPTS:
            assert message.status == Delivery.PENDING
            waits.append(message.due_at - clock())
            assert send_due(services) == 0  # not due yet
            clock.at = message.due_at
    assert message.status == Delivery.FAILED and fake_twilio.messages() == []
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60), dt.timedelta(seconds=120)]


def test_one_refusal_is_retried_and_then_delivered(served_app, twilio, clock, fake_twilio):
    services = runtime(served_app).services
    _text(twilio, ACME_CONTACT, "SUBSCRIBE")
    _incident(served_app, ["api"])
    queue_updates(services)
    fake_twilio.refuse_next(1)
    assert send_due(services) == 0
    clock.at = _messages(served_app)[0].due_at
    assert send_due(services) == 1
    fake_twilio.wait_until(lambda: _messages(served_app)[0].status == Delivery.DELIVERED)
    assert _messages(served_app)[0].attempts == 2 and _messages(served_app)[0].error is None


def test_a_sender_that_died_after_claiming_neither_loses_nor_repeats_a_message(served_app, twilio, clock,
                                                                               fake_twilio):
    services = runtime(served_app).services
    _text(twilio, ACME_CONTACT, "SUBSCRIBE")
    _text(twilio, INITECH_CONTACT, "SUBSCRIBE")
    _incident(served_app, ["api"])
    queue_updates(services)
    took, lost = claim(services)  # the sender claims both, then dies: Twilio took one, never heard of the other
    created = services.twilio.messages.create(to=took.to, from_=took.sender, body=took.body)
    assert recover_stuck(services) == 0  # too soon: the sender may be at work
    clock.at += STUCK_SENDING + dt.timedelta(seconds=1)
    assert recover_stuck(services) == 2
    assert send_due(services) == 1
    assert _sent_to(fake_twilio) == sorted([took.to, lost.to])  # each once
    by_number = {m.to_number: m for m in _messages(served_app)}
    assert by_number[took.to].twilio_sid == created.sid  # adopted
    assert by_number[lost.to].twilio_sid not in (None, created.sid)  # sent again


def test_status_callbacks_must_be_signed(app, twilio):
    _text(twilio, ACME_CONTACT, "SUBSCRIBE")
    _incident(app, ["api"])
    queue_updates(runtime(app).services)
    [message] = _messages(app)
    unsigned = app.test_client().post(f"/sms/status-message/{message.id}/status", data={"MessageStatus": "delivered"})
    assert unsigned.status_code == 403
    signed = twilio.post(f"/sms/status-message/{message.id}/status", MessageStatus="delivered", MessageSid="SM1")
    assert signed.status_code == 204 and _messages(app)[0].status == Delivery.DELIVERED
    assert twilio.post("/sms/status-message/999999/status", MessageStatus="sent").status_code == 404


def test_managers_list_add_and_remove_subscribers(app, twilio):
    add_accounts(app)
    _text(twilio, INITECH_CONTACT, "SUBSCRIBE api")
    client = app.test_client()
    log_in(client, "marta")
    page = client.get("/subscribers")
    assert page.status_code == 200 and INITECH_CONTACT.encode() in page.data and b"Initech" in page.data
    assert b'href="/subscribers"' in page.data  # in the navigation
    token = csrf_token(page.data)

    assert client.post("/subscribers", data={"contact": ACME_CONTACT, "components": ["api", "dashboard"]}
                       ).status_code == 400  # no CSRF token
    added = client.post("/subscribers", data={"contact": ACME_CONTACT, "components": ["api", "dashboard"],
                                              "csrf_token": token}, follow_redirects=True)
    assert f"{ACME_CONTACT} subscribed to api, dashboard.".encode() in added.data
    assert _subscriber(app, ACME_CONTACT).component_ids == ["api", "dashboard"]
    refused = client.post("/subscribers", data={"contact": STRANGER, "components": ["api"], "csrf_token": token},
                          follow_redirects=True)
    assert b"is not a contact of any configured customer" in refused.data and _subscriber(app, STRANGER) is None

    subscriber = _subscriber(app, ACME_CONTACT)
    removed = client.post(f"/subscribers/{subscriber.id}/remove", data={"component": "api", "csrf_token": token},
                          follow_redirects=True)
    assert b"Removed from api." in removed.data
    assert _subscriber(app, ACME_CONTACT).component_ids == ["dashboard"]
    client.post(f"/subscribers/{subscriber.id}/remove", data={"component": "dashboard", "csrf_token": token})
    assert _subscriber(app, ACME_CONTACT) is None  # nothing left, no message logged: gone


def test_a_number_that_replied_stop_is_not_added_back_by_a_manager(app, twilio):
    add_accounts(app)
    _text(twilio, ACME_CONTACT, "STOP")  # never subscribed: the STOP is remembered all the same
    client = app.test_client()
    log_in(client, "marta")
    token = csrf_token(client.get("/subscribers").data)
    refused = client.post("/subscribers", data={"contact": ACME_CONTACT, "components": ["api"], "csrf_token": token},
                          follow_redirects=True)
    assert b"replied STOP" in refused.data and _subscriber(app, ACME_CONTACT).component_ids == []


@pytest.mark.parametrize("username", ["carla", "paula"])
def test_only_managers_see_subscribers(app, username):
    add_accounts(app)
    client = app.test_client()
    log_in(client, username)
    assert client.get("/subscribers").status_code == 403
    assert b'href="/subscribers"' not in client.get("/oncall" if username == "carla" else "/cases").data
