"""Test notifications: an SMS or a call to a person's phone from the console and `router test-page`,
through the fake Twilio, with the delivery status Twilio reports."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from router import db
from router.cli import cli
from router.models import ContactTest
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.console import add_accounts, csrf_token
from tests.web.console import logged_in as _client
from tests.web.helpers import ACCOUNT_SID, AUTH_TOKEN, BRAZIL_LINE

CARLA = "+5511970000003"


def _test(client, person, channel):
    token = csrf_token(client.get("/oncall").data)
    return client.post(f"/oncall/test/{person}/{channel}", data={"csrf_token": token})


def _settled(app, channel):
    with db.sessions(app)() as session:
        test = session.scalars(select(ContactTest).where(ContactTest.channel == channel)).one()
    return test if test.status in ("delivered", "completed") else None


def test_a_test_sms_reaches_the_phone_and_the_console_shows_it_delivered(served_app, fake_twilio):
    add_accounts(served_app)
    fake_twilio.add_number(CARLA, answer="human")
    client = _client(served_app)
    answer = _test(client, "carla", "sms")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/oncall#tests")
    test = fake_twilio.wait_until(lambda: _settled(served_app, "sms"))
    assert (test.status, test.to_number, test.requested_by) == ("delivered", CARLA, "carla")
    [sms] = fake_twilio.messages()
    assert (sms["to"], sms["from"], sms["sid"]) == (CARLA, BRAZIL_LINE, test.twilio_sid)
    assert "test notification from the support line" in sms["body"]
    body = client.get("/oncall").get_data(as_text=True)
    assert '<span class="badge ok">delivered</span>' in body


def test_a_test_call_says_it_is_a_test_and_completes(served_app, fake_twilio):
    add_accounts(served_app)
    fake_twilio.add_number(CARLA, answer="human")
    client = _client(served_app, "marta")  # a manager may test anyone's phone
    client.get(_test(client, "carla", "voice").headers["Location"])
    test = fake_twilio.wait_until(lambda: _settled(served_app, "voice"))
    [call] = fake_twilio.calls()
    assert "This is a test call from the ACME Cloud support line." in fake_twilio.transcript(call["sid"]).heard()
    assert (test.status, test.requested_by) == ("completed", "marta")
    assert '<span class="badge ok">completed</span>' in client.get("/oncall").get_data(as_text=True)


def test_an_unreachable_phone_shows_as_such(served_app, fake_twilio):
    add_accounts(served_app)
    fake_twilio.add_number(CARLA, answer="no-answer")
    client = _client(served_app)
    _test(client, "carla", "voice")

    def final():
        with db.sessions(served_app)() as session:
            return session.scalars(select(ContactTest)).one().status == "no-answer" or None

    fake_twilio.wait_until(final)
    assert '<span class="badge bad">no-answer</span>' in client.get("/oncall").get_data(as_text=True)


def test_an_engineer_tests_only_their_own_phone_and_twice_in_a_row_sends_once(app):
    add_accounts(app)
    client = _client(app)
    assert _test(client, "diego", "sms").status_code == 403
    assert _test(client, "carla", "fax").status_code == 404
    _test(client, "carla", "sms")
    again = client.get(_test(client, "carla", "sms").headers["Location"]).get_data(as_text=True)
    assert "No test was sent: a test SMS went to Carla Mendes less than 30 seconds ago." in again
    with db.sessions(app)() as session:
        assert len(session.scalars(select(ContactTest)).all()) == 1
    assert _client(app, "paula").post("/oncall/test/carla/sms").status_code in (400, 403)


@pytest.fixture
def test_page(served_app, fake_twilio, database_url, tmp_path):
    """`router test-page ARGS` against the served app's database, Twilio's callbacks reaching the app."""
    config = tmp_path / "support.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'public_url = "http://127.0.0.1:5000"', f'public_url = "{runtime(served_app).services.public_url}"'),
        encoding="utf-8")
    env = {"DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "TWILIO_API_BASE": fake_twilio.url, "SECRET_KEY": "test"}
    return lambda *args: CliRunner(env=env).invoke(cli, ["--config", str(config), "test-page", *args])


def test_router_test_page_sends_both_and_prints_their_delivery(served_app, fake_twilio, test_page):
    fake_twilio.add_number(CARLA, answer="human")
    result = test_page("carla", "--timeout", "20")
    assert result.exit_code == 0, result.output
    assert f"test SMS to {CARLA}: delivered" in result.output
    assert f"test call to {CARLA}: completed" in result.output
    with db.sessions(served_app)() as session:
        assert {(t.channel, t.status, t.requested_by[:4]) for t in session.scalars(select(ContactTest))} == {
            ("sms", "delivered", "cli:"), ("voice", "completed", "cli:")}


def test_router_test_page_fails_when_the_phone_does_not_answer(fake_twilio, test_page):
    fake_twilio.add_number(CARLA, answer="busy")
    result = test_page("carla", "--channel", "voice", "--timeout", "20")
    assert result.exit_code == 1, result.output
    assert f"test call to {CARLA}: busy" in result.output
    unknown = test_page("zoe")
    assert unknown.exit_code == 1 and "'zoe' is not one of the configured people" in unknown.output
