"""Odd input, correctly signed: never a 500, the caller always hears something, every voice request is logged.

Each case here once gave a 500 or an unlogged answer on one database or the other.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from router import db
from router.models import Call, CallEvent, InboundSms
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, TwiML, count, sao_paulo

CARLA = "+5511970000003"
TOKEN = "api-token"


@pytest.fixture
def app(make_app, fake_twilio):
    return make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)



def _spoken(response) -> str:
    assert response.status_code == 200, response.status_code
    return TwiML(response.data).said()


def test_a_case_number_larger_than_any_case_is_unknown_and_the_call_logged(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("2")
    call.presses("3000000000").hears("Desculpe")
    assert count(app, CallEvent) == 3


@pytest.mark.parametrize("body", ["ACK 99999999999999999999", "ESC 3000000000", "ACK ²"])
def test_a_reply_naming_a_case_number_no_case_can_have_is_answered_and_logged(app, twilio, body):
    answer = twilio.post("/sms/incoming", MessageSid="SM" + "1" * 32, From=CARLA, To=BRAZIL_LINE, Body=body)
    assert answer.status_code == 200
    assert count(app, InboundSms) == 1


@pytest.mark.parametrize("path", ["/voice/page/3000000000", "/voice/page/3000000000/key",
                                  "/voice/page/3000000000/status", "/sms/status/3000000000",
                                  "/voice/whisper/99999999999999999999"])
def test_a_callback_for_an_id_no_row_can_have_is_not_found(twilio, path):
    assert twilio.post(path, CallSid="CA1", To=BRAZIL_LINE).status_code == 404


@pytest.mark.parametrize(("path", "status"), [("/api/cases/99999999999999999999", 404),
                                              ("/api/oncall?at=9999-12-31T23:59:59%2B00:00", 400),
                                              ("/api/oncall?at=0001-01-01T00:00:00%2B00:00", 400)])
def test_the_api_answers_out_of_range_numbers_and_times_with_a_4xx(app, path, status):
    answer = app.test_client().get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == status and "error" in answer.get_json()


@pytest.mark.parametrize("query", ["attempt=²", "attempt=٣&mode=closed", "leg=¹&mode=closed"])
def test_digits_int_refuses_in_an_action_url_are_no_digits(app, twilio, query):
    assert _spoken(twilio.post(f"/voice/step/menu?{query}", CallSid="CA5", To=BRAZIL_LINE, From=ACME_CONTACT,
                               Digits="5"))
    assert count(app, CallEvent) == 1


@pytest.mark.parametrize("field", ["From", "To", "Digits", "CallSid", "RecordingUrl", "DialCallStatus"])
def test_a_nul_character_in_any_value_is_answered_and_logged(app, twilio, field):
    form = {"CallSid": "CA" + "7" * 32, "To": BRAZIL_LINE, "From": ACME_CONTACT, "Digits": "1"}
    form[field] = form.get(field, "x") + "\0"
    assert _spoken(twilio.post("/voice/step/menu?mode=open", **form))
    assert count(app, CallEvent) == 1


def test_a_nul_character_in_an_sms_is_answered_and_logged(app, twilio):
    answer = twilio.post("/sms/incoming", MessageSid="SM\0" + "2" * 30, From=CARLA, To=BRAZIL_LINE, Body="ACK\0 1")
    assert answer.status_code == 200
    assert count(app, InboundSms) == 1


def test_a_message_sid_over_64_characters_posted_twice_is_one_message(app, twilio):
    for _ in range(2):
        answer = twilio.post("/sms/incoming", MessageSid="SM" + "3" * 80, From=CARLA, To=BRAZIL_LINE, Body="hello")
        assert answer.status_code == 200
    assert count(app, InboundSms) == 1


def test_a_step_name_over_40_characters_is_answered_and_logged(app, twilio):
    assert _spoken(twilio.post("/voice/step/" + "x" * 300, CallSid="CA6", To=BRAZIL_LINE, From=ACME_CONTACT))
    assert count(app, CallEvent) == 1


@pytest.mark.parametrize("step", ["menu", "critical_confirm", "message_recorded", "connect_result"])
def test_a_step_for_a_number_that_is_no_line_says_so_and_is_logged(app, twilio, step):
    assert "not in service" in _spoken(twilio.post(f"/voice/step/{step}?mode=closed", CallSid="CA7",
                                                   To="+15550001111", From=ACME_CONTACT, Digits="1"))
    assert count(app, Call) == 1


@pytest.mark.parametrize(("at", "language_word"), [("2026-11-23 10:00", "Desculpe"),  # open: the line's language
                                                   ("2026-11-28 03:00", "critical")])  # closed: English
@pytest.mark.parametrize("step", ["critical_confirm", "critical_recorded", "menu", "after_hours_menu"])
def test_a_step_url_that_lost_its_mode_speaks_as_the_line_is_now(app, twilio, clock, at, language_word, step):
    clock.at = sao_paulo(at)
    said = _spoken(twilio.post(f"/voice/step/{step}", CallSid="CA8", To=BRAZIL_LINE, From=ACME_CONTACT,
                               Digits="9"))
    assert said
    assert count(app, CallEvent) == 1


def test_a_calendar_token_that_is_not_ascii_is_not_found(app):
    assert app.test_client().get("/calendar/rotations/on-call-brazil.ics?token=é").status_code == 404


@pytest.mark.parametrize("kind", ["sms", "page key"])
def test_ten_identical_requests_at_once_get_ten_answers_and_are_logged_once(app, twilio, clock, kind):
    if kind == "page key":
        clock.at = sao_paulo("2026-11-28 03:00")
        twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)
        runtime(app).dispatcher.shutdown()
        post = {"url": "/voice/page/1/key?attempt=0", "CallSid": "CA" + "4" * 32, "To": CARLA, "Digits": "1"}
    else:
        post = {"url": "/sms/incoming", "MessageSid": "SM" + "5" * 32, "From": CARLA, "To": BRAZIL_LINE,
                "Body": "ACK"}
    answers, start = [], threading.Barrier(10)

    def send() -> None:
        start.wait()
        answers.append(twilio.post(**post).status_code)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 10
    with db.sessions(app)() as session:
        logged = session.scalar(select(func.count()).select_from(InboundSms)) if kind == "sms" else session.scalar(
            select(func.count()).select_from(CallEvent).where(CallEvent.step == "page_key"))
    assert logged == 1
