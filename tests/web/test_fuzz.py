"""Thousands of correctly signed requests, plausible and absurd, on every route: never a 500.

Hypothesis draws each request from what Twilio and API clients send (the lines, the contacts, the
steps, keys, statuses) mixed with garbage (huge and negative numbers, digits `int` refuses, NUL
and other control characters, long values, missing fields). Each example is one request against
one app that keeps its rows from example to example, at a moment drawn from open hours, a night
and a holiday. The seed is fixed (`derandomize`), so a run fails or passes the same way each time.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from router import db
from router.models import CallEvent
from router.oncall import feed_token
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, US_LINE, sao_paulo

EXAMPLES = 2500
TOKEN = "api-token"
CARLA = "+5511970000003"
MOMENTS = [sao_paulo("2026-11-23 10:00"), sao_paulo("2026-11-28 03:00"), sao_paulo("2026-12-25 10:00")]

garbage = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", "\0", "1\0", "²", "٣", "-1", "0", "1e9", "3000000000", "9" * 40, " 1 ", "None",
                     "null", "∞", "\u202e1", "+", "#", "*", "1#", "é"]),
)
number = st.one_of(st.sampled_from([BRAZIL_LINE, US_LINE, ACME_CONTACT, CARLA, "+15550001111",
                                    "(11) 98888-7777", "anonymous", ""]), garbage)
digits = st.one_of(st.sampled_from(["1", "2", "3", "9", "#", "1042", "1001", "1001#", "12345"]), garbage)
status = st.one_of(st.sampled_from(["queued", "ringing", "in-progress", "completed", "busy", "no-answer",
                                    "failed", "canceled", "delivered", "undelivered", "sent"]), garbage)
steps = st.one_of(st.sampled_from(["account", "pin", "menu", "existing_case", "tam_result", "ring_result",
                                   "after_hours_menu", "critical_confirm", "critical_recorded", "connect_result",
                                   "message_recorded", "nonsense"]),
                  st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=80))
ids = st.one_of(st.sampled_from(["1", "2", "3", "4", "5", "1001", "1002", "0"]),
                st.integers(min_value=0, max_value=10**22).map(str))
query = st.dictionaries(st.sampled_from(["mode", "attempt", "customer", "pending", "leg"]),
                        st.one_of(st.sampled_from(["open", "closed", "acme-retail", "0", "2", "9"]), garbage),
                        max_size=5)
form = st.fixed_dictionaries(
    {"CallSid": st.one_of(st.sampled_from(["CA" + "1" * 32, "CA" + "2" * 32]), garbage), "From": number,
     "To": number},
    optional={"Digits": digits, "CallStatus": status, "DialCallStatus": status, "CallDuration": garbage,
              "RecordingUrl": st.one_of(st.just("https://api.twilio.test/rec/1"), garbage),
              "RecordingDuration": garbage, "AnsweredBy": st.sampled_from(["human", "machine_start", "fax"]),
              "TranscriptionText": garbage, "TranscriptionStatus": st.sampled_from(["completed", "failed"]),
              "MessageSid": st.one_of(st.just("SM" + "3" * 32), garbage), "MessageStatus": status,
              "Body": st.one_of(st.sampled_from(["ACK", "1", "2", "ESC 1001", "ACK 1001", "ACK ALL", "STOP",
                                                 "START", "HELP"]), garbage)})


@st.composite
def webhook(draw) -> tuple[str, dict[str, str]]:
    path = draw(st.sampled_from([
        "/voice/incoming", "/voice/step/{step}", "/voice/status", "/voice/transcription", "/voice/page/{id}",
        "/voice/page/{id}/key", "/voice/page/{id}/status", "/sms/status/{id}", "/sms/incoming",
        "/voice/whisper/{id}", "/voice/whisper/{id}/key", "/voice/fallback", "/voice/fallback/{step}"]))
    path = path.format(step=draw(steps), id=draw(ids))
    args = draw(query)
    if args:
        from urllib.parse import urlencode
        path += "?" + urlencode(args)
    return path, draw(form)


@st.composite
def api_request(draw) -> tuple[str, str, dict | None]:
    number = draw(ids)
    method, path = draw(st.sampled_from([
        ("GET", f"/api/cases/{number}"), ("POST", f"/api/cases/{number}/tier"),
        ("POST", f"/api/cases/{number}/response"), ("GET", "/api/oncall"), ("GET", "/health"),
        ("GET", "/health/engine"), ("GET", "/calendar/rotations/on-call-brazil.ics"),
        ("GET", "/calendar/people/carla.ics")]))
    if path == "/api/oncall":
        path += "?at=" + draw(st.one_of(st.sampled_from(["2026-12-01T10:00:00+00:00", "2026-12-01T10:00:00",
                                                         "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-12:00"]),
                                        garbage))
    if path.endswith(".ics"):
        path += "?token=" + draw(st.one_of(st.just("right"), garbage))
    body = draw(st.one_of(st.none(), st.fixed_dictionaries({}, optional={
        "tier": st.one_of(st.integers(-5, 10**20), garbage), "by": st.one_of(st.just("carla"), garbage),
        "reason": garbage})))
    return method, path, body


@pytest.fixture
def fuzzed_app(make_app, fake_twilio, twilio_for, clock):
    app = make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)
    twilio = twilio_for(app)
    clock.at = sao_paulo("2026-11-28 03:00")  # rows to aim at: a critical case, its page and notifications
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)
    return app, twilio


@pytest.fixture
def twilio_for():
    from tests.web.helpers import Twilio

    return lambda app: Twilio(app.test_client())


def _events(app) -> int:
    with db.sessions(app)() as session:
        return session.scalar(select(func.count()).select_from(CallEvent))


def test_no_signed_webhook_request_gets_a_500_and_every_answered_call_step_is_logged(fuzzed_app, clock):
    app, twilio = fuzzed_app
    sent: set[tuple[str, tuple]] = set()
    answers: Counter[int] = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(webhook(), st.sampled_from(MOMENTS))
    def request(call, moment):
        path, values = call
        clock.at = moment
        before = _events(app)
        answer = twilio.post(path, **values)
        assert answer.status_code < 500, (path, values, answer.status_code)
        answers[answer.status_code] += 1
        if answer.status_code == 200 and path.startswith("/voice/"):
            assert ET.fromstring(answer.data).tag == "Response"
        if answer.status_code == 200 and path.startswith(("/voice/incoming", "/voice/step/")):
            first_time = (path, tuple(sorted(values.items()))) not in sent
            assert _events(app) == before + first_time, (path, values)  # logged, once
            sent.add((path, tuple(sorted(values.items()))))

    request()
    runtime(app).dispatcher.shutdown()
    assert answers[200] > EXAMPLES // 4 and answers[404] > 0, answers  # most requests reach a real answer


def test_no_api_request_gets_a_500(fuzzed_app, clock):
    app, _ = fuzzed_app
    client = app.test_client()
    right = feed_token("test", "rotation", "on-call-brazil")
    answers: Counter[int] = Counter()

    @settings(max_examples=EXAMPLES // 5, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(api_request(), st.sampled_from(MOMENTS), st.booleans())
    def request(call, moment, authorised):
        method, path, body = call
        clock.at = moment
        headers = {"Authorization": f"Bearer {TOKEN}"} if authorised else {}
        path = path.replace("token=right", f"token={right}")
        answer = client.open(path, method=method, json=body, headers=headers)
        if path.startswith("/health"):  # a check answers 503 while no engine runs: that is its answer
            assert answer.status_code in (200, 503), (path, answer.status_code)
        else:
            assert answer.status_code < 500, (method, path, body, answer.status_code)
        answers[answer.status_code] += 1

    request()
    assert answers[200] > EXAMPLES // 50 and answers[400] + answers[404] > EXAMPLES // 50, answers  # not vacuous
