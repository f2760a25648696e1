"""Live connect: a critical caller dialled through to the on-call engineer, who must press 1 to accept."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from router import db
from router.config import load_config
from router.fake_twilio import BackgroundServer, Script
from router.models import Case, Page
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, sao_paulo

CARLA, DIEGO, GABRIEL, MARTA = "+5511970000003", "+5511970000004", "+5511970000005", "+5511970000009"


@pytest.fixture
def connect_app(make_app, fake_twilio, tmp_path, clock):
    """The Brazilian line set to connect, served over HTTP to the fake Twilio, on Saturday night."""
    path = tmp_path / "connect.toml"
    path.write_text(EXAMPLE_CONFIG.read_text().replace('after_hours = "callback"', 'after_hours = "connect"'))
    app = make_app(twilio_api_base=fake_twilio.url, config=load_config(path))
    clock.at = sao_paulo("2026-11-28 03:00")
    with BackgroundServer(app) as server:
        runtime(app).services.public_url = server.url
        fake_twilio.add_number(BRAZIL_LINE, voice_url=f"{server.url}/voice/incoming",
                               sms_url=f"{server.url}/sms/incoming")
        yield app, server
        runtime(app).dispatcher.shutdown()
        fake_twilio.network.shutdown()


def _critical_call(fake_twilio, server):
    script = Script(presses=["1", "1"], recording_seconds=9)
    return fake_twilio.place_inbound_call(ACME_CONTACT, BRAZIL_LINE, script,
                                          status_callback=f"{server.url}/voice/status")


def _case(app) -> Case:
    with db.sessions(app)() as session:
        return session.scalars(select(Case).options(selectinload(Case.page).selectinload(Page.notifications))).one()


def test_the_engineer_accepts_on_the_whisper_and_is_put_through(connect_app, fake_twilio):
    app, server = connect_app
    fake_twilio.add_number(CARLA, answer="human", presses=("1",))
    transcript = _critical_call(fake_twilio, server)
    assert "Please hold while we connect you to the on-call engineer." in transcript.heard()
    [dial] = transcript.of_kind("dial")
    assert (dial.numbers, dial.outcome) == ((CARLA,), "completed")
    whisper = transcript.heard("callee")
    assert "Critical production call from ACME Retail, case 1, 0, 0, 1. Press 1 to accept." in whisper
    case = _case(app)
    assert (case.acknowledged_by, case.acknowledged_via, case.first_answered_by) == ("carla", "connect", "carla")
    assert case.page.status == "acknowledged"
    voice = [n for n in case.page.notifications if n.channel == "voice"]
    assert voice and all(n.status == "canceled" for n in voice)  # the page call never rang her busy phone


def test_voicemail_cannot_take_the_live_call_so_the_next_step_is_rung(connect_app, fake_twilio):
    app, server = connect_app
    fake_twilio.add_number(CARLA, answer="machine")             # voicemail answers: it presses nothing
    fake_twilio.add_number(DIEGO, answer="no-answer")
    fake_twilio.add_number(GABRIEL, answer="human", presses=("1",))
    transcript = _critical_call(fake_twilio, server)
    assert [(d.numbers, d.outcome) for d in transcript.of_kind("dial")] == [
        ((CARLA,), "no-answer"), ((DIEGO, GABRIEL), "completed")]
    case = _case(app)
    assert (case.acknowledged_by, case.first_answered_by) == ("gabriel", "gabriel")


def test_nobody_accepts_so_the_caller_is_promised_a_call_back_and_the_page_goes_on(connect_app, fake_twilio, clock):
    app, server = connect_app
    for phone in (CARLA, DIEGO, GABRIEL):
        fake_twilio.add_number(phone, answer="no-answer")
    transcript = _critical_call(fake_twilio, server)
    assert len(transcript.of_kind("dial")) == 2  # every step of the first round, once
    assert "No engineer could take your call right now." in transcript.heard()
    case = _case(app)
    assert case.page.status == "open" and case.first_answered_at is None
    held = [n for n in case.page.notifications if n.channel == "voice"]
    assert held and all(n.status == "pending" and n.due_at > clock() for n in held)  # called after the live walk
