"""Signatures, Twilio's retries and garbage: every webhook survives them."""

import pytest
from sqlalchemy import func, select

from router import db
from router.config import ServiceConfig
from router.models import Call, CallEvent, Case, Page
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, broken_engine, count, sao_paulo

WEBHOOKS = ["/voice/incoming", "/voice/step/menu", "/voice/status", "/voice/page/1",
            "/voice/page/1/key", "/voice/page/1/status", "/sms/status/1", "/sms/incoming"]



@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_request_without_a_signature_is_refused(app, path):
    response = app.test_client().post(path, data={"CallSid": "CA1", "To": BRAZIL_LINE})
    assert response.status_code == 403


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_request_signed_with_another_token_is_refused(app, path):
    from twilio.request_validator import RequestValidator

    form = {"CallSid": "CA1", "To": BRAZIL_LINE}
    signature = RequestValidator("not-our-token").compute_signature("http://localhost" + path, form)
    response = app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_a_signature_for_other_parameters_is_refused(app, twilio):
    from twilio.request_validator import RequestValidator

    signed = {"CallSid": "CA1", "To": BRAZIL_LINE, "From": ACME_CONTACT}
    signature = RequestValidator("test-auth-token").compute_signature("http://localhost/voice/incoming", signed)
    tampered = {**signed, "From": "+15555550100"}
    response = app.test_client().post("/voice/incoming", data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert count(app, Call) == 0


def test_the_same_request_posted_twice_leaves_one_call_one_case_and_the_same_answer(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1")
    record_action = call.twiml.one("Record").get("action")
    form = {**call.base, "RecordingUrl": "https://api.twilio.test/rec/1", "RecordingDuration": "9"}
    first = twilio.post(record_action, **form)
    clock.at = sao_paulo("2026-11-28 03:01")  # the retry comes later; the answer must not change
    second = twilio.post(record_action, **form)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert (count(app, Call), count(app, Case), count(app, Page)) == (1, 1, 1)


def test_a_retry_carrying_twilios_idempotency_token_is_recognised(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE)
    headers = {"I-Twilio-Idempotency-Token": "retry-token-1"}
    first = twilio.post("/voice/incoming", headers=headers, **call.base)
    second = twilio.post("/voice/incoming", headers=headers, **call.base)
    assert first.data == second.data
    assert count(app, CallEvent) == 1


@pytest.mark.parametrize("form", [
    {},                                                          # nothing at all
    {"CallSid": "CA9", "To": "garbage", "From": "also garbage"},  # numbers that are not numbers
    {"CallSid": "CA9", "To": BRAZIL_LINE, "From": ""},           # anonymous caller
    {"CallSid": "CA9", "To": BRAZIL_LINE, "From": ACME_CONTACT, "Digits": "x" * 500},
])
def test_garbage_still_gets_a_sensible_answer_and_a_log_entry(app, twilio, form):
    response = twilio.post("/voice/incoming", **form)
    assert response.status_code == 200
    assert b"<Say" in response.data
    assert count(app, Call) == 1


@pytest.mark.parametrize("query", ["mode=bogus&attempt=x", "customer=nobody&attempt=-1", "attempt=99999999999"])
def test_odd_state_in_an_action_url_is_treated_as_a_fresh_question(app, twilio, query):
    response = twilio.post(f"/voice/step/menu?{query}", CallSid="CA5", To=BRAZIL_LINE, From=ACME_CONTACT,
                           Digits="5")
    assert response.status_code == 200
    assert b"Desculpe" in response.data


def test_an_unknown_step_still_answers_the_caller(app, twilio):
    response = twilio.post("/voice/step/nonsense", CallSid="CA5", To=BRAZIL_LINE, From=ACME_CONTACT)
    assert response.status_code == 200 and b"<Say" in response.data


def test_when_the_database_fails_a_critical_caller_is_dialled_straight_to_the_on_call_engineer(
        app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1")
    runtime(app).dispatcher.shutdown()  # the page it sent is not this test's business
    app.extensions["db"].configure(bind=broken_engine())
    call.records(10).hears("connect you to the on-call engineer")
    assert [n.text for n in call.twiml.one("Dial").findall("Number")] == ["+5511970000003"]


def test_a_critical_call_the_database_missed_is_recorded_from_the_spool_once_it_is_back(app, twilio, clock):
    from pathlib import Path

    from router import spool

    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1")
    working = app.extensions["db"].kw["bind"]
    app.extensions["db"].configure(bind=broken_engine())
    call.presses("1").hears("connect you to the on-call engineer")  # confirmed: the case cannot be stored
    folder = Path(runtime(app).settings.spool_dir)
    assert len(list(folder.glob("*.json"))) == 1
    app.extensions["db"].configure(bind=working)
    [page_id] = spool.replay(runtime(app).services)
    assert spool.replay(runtime(app).services) == []  # recorded once
    with db.sessions(app)() as session:
        page = session.get(Page, page_id)
        [case] = page.cases
        assert (case.severity, case.customer_id) == ("critical", "acme-retail")
        assert case.opened_at == sao_paulo("2026-11-28 03:00")
        assert {n.person_id for n in page.notifications} == {"carla"}
        assert session.scalar(select(func.count()).select_from(Call)) == 1  # the same call, not a second one


def test_when_the_database_fails_in_business_hours_the_caller_is_put_through_to_tier_1(app, twilio):
    app.extensions["db"].configure(bind=broken_engine())
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().hears("ACME")  # the menu needs no database
    call.presses("1")  # a new case needs one: straight to tier 1 instead
    assert [n.text for n in call.twiml.one("Dial").findall("Number")] == ["+5511970000001", "+5511970000002"]



def test_behind_a_trusted_proxy_the_public_url_is_what_is_signed(make_app, support):
    behind = support.model_copy(update={"service": ServiceConfig(
        company="ACME Cloud", public_url="https://support.example.com", proxy_hops=1)})
    from twilio.request_validator import RequestValidator

    app = make_app(config=behind)
    form = {"CallSid": "CA1", "To": BRAZIL_LINE, "From": ACME_CONTACT}
    signature = RequestValidator("test-auth-token").compute_signature(
        "https://support.example.com/voice/incoming", form)
    headers = {"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "support.example.com"}
    assert app.test_client().post("/voice/incoming", data=form, headers=headers).status_code == 200
    untrusting = make_app()  # proxy_hops = 0: forwarded headers are ignored, so the signature fails
    assert untrusting.test_client().post("/voice/incoming", data=form, headers=headers).status_code == 403
