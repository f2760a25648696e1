"""The fake Twilio server, driven by the real twilio client and over HTTP."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask, Response, current_app, request
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from router.fake_twilio import FakeTwilio, Script
from tests.unit.fake_project import AUTH_TOKEN, Project, served_project, twiml

ACCOUNT_SID = "AC" + "1" * 32
OTHER_ACCOUNT_SID = "AC" + "9" * 32
CALLER = "+5511987654321"
LINE = "+551130001000"
ENGINEER = "+5511999990000"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _add_voice_routes(app: Flask) -> None:
    @app.post("/voice/page")
    def page() -> Response:
        response = VoiceResponse()
        gather = response.gather(num_digits=1, action="/voice/page/ack")
        gather.say("Critical case 1042 for ACME. Press 1 to acknowledge.")
        return twiml(response)

    @app.post("/voice/page/ack")
    def page_ack() -> Response:
        response = VoiceResponse()
        response.say("Acknowledged.")
        return twiml(response)

    @app.post("/voice/page-then-update")
    def page_then_update() -> Response:
        # The project changes its mind while the call plays and updates it over REST.
        client = Client(ACCOUNT_SID, AUTH_TOKEN)
        client.api.base_url = current_app.config["TWILIO_API_URL"]
        call = client.calls(request.form["CallSid"])
        if "redirect" in request.args:
            call.update(url=request.args["redirect"])
        else:
            call.update(status="completed")
        client.http_client.session.close()
        return page()

    @app.post("/voice/critical")
    def critical() -> Response:
        response = VoiceResponse()
        response.say("Paging the engineer on call.")
        response.dial(action="/voice/dialled").number(ENGINEER, url="/voice/whisper")
        return twiml(response)

    @app.post("/voice/whisper")
    def whisper() -> Response:
        response = VoiceResponse()
        response.gather(num_digits=1, action="/voice/whisper/answer").say("Case 1042, press 1 to accept.")
        response.hangup()
        return twiml(response)

    @app.post("/voice/whisper/answer")
    def whisper_answer() -> Response:
        response = VoiceResponse()
        if request.form["Digits"] != "1":
            response.hangup()
        return twiml(response)

    @app.post("/voice/dialled")
    def dialled() -> Response:
        response = VoiceResponse()
        response.say(f"Dial status {request.form['DialCallStatus']}.")
        return twiml(response)


def _add_status_routes(app: Flask) -> None:
    @app.post("/sms")
    def sms() -> Response:
        response = MessagingResponse()
        response.message("Thanks, we got your message.")
        return twiml(response)

    @app.post("/sms-status")
    @app.post("/voice/status")
    def status() -> tuple[str, int]:
        return "", 204


@pytest.fixture
def project() -> Iterator[Project]:
    with served_project(_add_voice_routes, _add_status_routes) as project:
        yield project


@pytest.fixture
def fake(project: Project) -> Iterator[FakeTwilio]:
    # Depends on the project so that the project outlives the fake's background work.
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        project.app.config["TWILIO_API_URL"] = fake.url
        yield fake


def _client(fake: FakeTwilio, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> Client:
    client = Client(account_sid, auth_token)
    client.api.base_url = fake.url
    return client


@pytest.fixture
def client(fake: FakeTwilio) -> Iterator[Client]:
    client = _client(fake)
    yield client
    client.http_client.session.close()


def test_an_sms_sent_with_the_twilio_client_is_reported_sent_then_delivered(project, fake, client):
    message = client.messages.create(
        to=ENGINEER,
        from_=LINE,
        body="Case 1042: ACME production down",
        status_callback=project.url + "/sms-status",
    )

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.status, message.to, message.from_, message.body) == (
        "queued",
        ENGINEER,
        LINE,
        "Case 1042: ACME production down",
    )
    callbacks = fake.wait_until(lambda: len(project.hits("/sms-status")) == 2 and project.hits("/sms-status"))
    assert [c.params["MessageStatus"] for c in callbacks] == ["sent", "delivered"]
    assert all(c.signed for c in callbacks)
    assert callbacks[-1].params == {
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "MessageStatus": "delivered",
        "SmsStatus": "delivered",
        "AccountSid": ACCOUNT_SID,
        "From": LINE,
        "To": ENGINEER,
        "ApiVersion": "2010-04-01",
    }
    assert client.messages(message.sid).fetch().status == "delivered"
    assert [m["sid"] for m in fake.messages()] == [message.sid]


@pytest.mark.parametrize(
    ("sms_status", "statuses", "error_code"),
    [("undelivered", ["sent", "undelivered"], "30003"), ("failed", ["failed"], "30008")],
)
def test_an_sms_to_an_unreachable_phone_reports_the_failure(
    project, fake, client, sms_status, statuses, error_code
):
    fake.add_number(ENGINEER, sms_status=sms_status)

    message = client.messages.create(
        to=ENGINEER, from_=LINE, body="Case 1042", status_callback=project.url + "/sms-status"
    )

    callbacks = fake.wait_until(
        lambda: len(project.hits("/sms-status")) == len(statuses) and project.hits("/sms-status")
    )
    assert [c.params["MessageStatus"] for c in callbacks] == statuses
    assert callbacks[-1].params["ErrorCode"] == error_code
    fetched = client.messages(message.sid).fetch()
    assert (fetched.status, str(fetched.error_code)) == (sms_status, error_code)


def test_an_engineer_acknowledges_by_sms_with_the_case_number(project, fake, client):
    fake.add_number(LINE, sms_url=project.url + "/sms")
    fake.add_number(ENGINEER, sms_reply="ACK {case}")

    client.messages.create(to=ENGINEER, from_=LINE, body="Case 1042: ACME production down. Reply ACK 1042.")

    (reply,) = fake.wait_until(lambda: project.hits("/sms"))
    assert reply.signed
    assert (reply.params["From"], reply.params["To"], reply.params["Body"]) == (ENGINEER, LINE, "ACK 1042")
    assert (reply.params["NumMedia"], reply.params["AccountSid"]) == ("0", ACCOUNT_SID)
    assert reply.params["MessageSid"] == reply.params["SmsSid"] and reply.params["MessageSid"].startswith(
        "SM"
    )
    inbound = fake.wait_until(lambda: [e for e in fake.log() if e["kind"] == "inbound-sms"])
    assert inbound[0]["replies"] == ["Thanks, we got your message."]


def test_a_paged_engineer_presses_1_and_the_call_completes(project, fake, client):
    fake.add_number(ENGINEER, presses=["1"])

    call = client.calls.create(
        to=ENGINEER,
        from_=LINE,
        url=project.url + "/voice/page",
        status_callback=project.url + "/voice/status",
        machine_detection="Enable",
    )

    assert re.fullmatch(r"CA[0-9a-f]{32}", call.sid) and call.status == "queued"
    (status,) = fake.wait_until(lambda: project.hits("/voice/status"))
    (ack,) = project.hits("/voice/page/ack")
    assert ack.signed
    assert (ack.params["Digits"], ack.params["AnsweredBy"], ack.params["Direction"]) == (
        "1",
        "human",
        "outbound-api",
    )
    assert (status.params["CallSid"], status.params["CallStatus"]) == (call.sid, "completed")
    assert int(status.params["CallDuration"]) > 0
    assert fake.transcript(call.sid).lines() == [
        "Line: Critical case 1042 for ACME. Press 1 to acknowledge.",
        "Caller presses 1",
        "Line: Acknowledged.",
        "Line hangs up (end of document)",
    ]
    assert client.calls(call.sid).fetch().status == "completed"


@pytest.mark.parametrize("answer", ["busy", "no-answer", "failed"])
def test_an_unanswered_page_only_gets_a_status_callback(project, fake, client, answer):
    fake.add_number(ENGINEER, answer=answer)

    call = client.calls.create(
        to=ENGINEER,
        from_=LINE,
        url=project.url + "/voice/page",
        status_callback=project.url + "/voice/status",
    )

    (status,) = fake.wait_until(lambda: project.hits("/voice/status"))
    assert (status.params["CallSid"], status.params["CallStatus"]) == (call.sid, answer)
    assert (status.params["Direction"], status.params["To"]) == ("outbound-api", ENGINEER)
    assert "CallDuration" not in status.params
    assert project.hits("/voice/page") == []
    assert fake.calls()[0]["status"] == answer


def test_voicemail_answering_a_page_is_reported_as_a_machine(project, fake, client):
    fake.add_number(ENGINEER, answer="machine", presses=["1"])

    call = client.calls.create(
        to=ENGINEER,
        from_=LINE,
        url=project.url + "/voice/page",
        status_callback=project.url + "/voice/status",
        machine_detection="Enable",
    )

    fake.wait_until(lambda: project.hits("/voice/status"))
    (page,) = project.hits("/voice/page")
    assert page.params["AnsweredBy"] == "machine_start"
    assert project.hits("/voice/page/ack") == []  # a machine presses nothing
    assert "Caller stays silent" in fake.transcript(call.sid).lines()


def test_a_call_ended_by_the_project_over_rest_stops_at_its_next_webhook(project, fake, client):
    fake.add_number(ENGINEER, presses=["1"])

    call = client.calls.create(to=ENGINEER, from_=LINE, url=project.url + "/voice/page-then-update")

    transcript = fake.wait_until(lambda: fake.transcript(call.sid))
    assert transcript.lines()[-2:] == ["Caller presses 1", "Call ended through the REST API"]
    assert project.hits("/voice/page/ack") == []
    assert [e["params"] for e in fake.log() if e["kind"] == "call-update"] == [{"Status": "completed"}]


def test_a_call_redirected_by_the_project_over_rest_requests_the_new_url(project, fake, client):
    fake.add_number(ENGINEER, presses=["1"])
    new_url = project.url + "/voice/page/ack"

    call = client.calls.create(
        to=ENGINEER, from_=LINE, url=f"{project.url}/voice/page-then-update?redirect={new_url}"
    )

    transcript = fake.wait_until(lambda: fake.transcript(call.sid))
    assert transcript.lines()[-4:] == [
        "Caller presses 1",
        f"Redirect → {new_url}",
        "Line: Acknowledged.",
        "Line hangs up (end of document)",
    ]
    (ack,) = project.hits("/voice/page/ack")
    assert "Digits" not in ack.params  # the redirect replaced the gather's request


def test_an_inbound_critical_call_reaches_the_engineer_who_accepts_the_whisper(project, fake):
    fake.add_number(LINE, voice_url=project.url + "/voice/critical")
    fake.add_number(ENGINEER, presses=["1"])

    transcript = fake.place_inbound_call(
        CALLER, LINE, Script(), status_callback=project.url + "/voice/status"
    )

    assert transcript.lines() == [
        "Line: Paging the engineer on call.",
        f"  [{ENGINEER}] Line: Case 1042, press 1 to accept.",
        f"  [{ENGINEER}] Callee presses 1",
        f"Dial {ENGINEER} → completed by {ENGINEER}",
        "Line: Dial status completed.",
        "Line hangs up (end of document)",
    ]
    (status,) = project.hits("/voice/status")
    assert (status.params["CallStatus"], status.params["Direction"]) == ("completed", "inbound")
    assert fake.calls() == []  # the project placed no call itself


def test_wrong_credentials_raise_twilio_error_20003(fake):
    client = _client(fake, auth_token="wrong-token")
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=ENGINEER, from_=LINE, body="Case 1042")
    client.http_client.session.close()

    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert fake.messages() == []


def test_another_accounts_resources_are_not_found(fake, client):
    with pytest.raises(TwilioRestException) as raised:
        client.api.v2010.accounts(OTHER_ACCOUNT_SID).messages.create(to=ENGINEER, from_=LINE, body="x")

    assert (raised.value.status, raised.value.code) == (404, 20404)


@pytest.mark.parametrize(
    ("send", "code"),
    [
        (lambda c: c.messages.create(to=ENGINEER, from_=LINE), 21602),  # no body
        (lambda c: c.messages.create(to="12345", from_=LINE, body="x"), 21211),  # not E.164
        (lambda c: c.calls.create(to=ENGINEER, from_=LINE), 21205),  # no Url
        (lambda c: c.calls("CA" + "0" * 32).fetch(), 20404),  # unknown call
    ],
)
def test_invalid_requests_get_twilios_error_codes(fake, client, send, code):
    with pytest.raises(TwilioRestException) as raised:
        send(client)

    assert raised.value.code == code


def test_the_control_api_works_over_http(project, fake):
    with requests.Session() as http:
        added = http.post(
            f"{fake.url}/_fake/numbers",
            json={
                "number": LINE,
                "voice_url": project.url + "/voice/page",
                "sms_url": project.url + "/sms",
            },
        )
        sms = http.post(f"{fake.url}/_fake/sms", json={"from": CALLER, "to": LINE, "body": "hello"})
        call = http.post(f"{fake.url}/_fake/calls", json={"from": CALLER, "to": LINE, "presses": ["1"]})
        log = http.get(f"{fake.url}/_fake/log").json()
        bad = http.post(f"{fake.url}/_fake/numbers", json={"number": ENGINEER, "answer": "maybe"})
        unknown = http.post(f"{fake.url}/_fake/calls", json={"from": CALLER, "to": ENGINEER})
        reset = http.post(f"{fake.url}/_fake/reset")
        after_reset = http.get(f"{fake.url}/_fake/log").json()

    assert added.status_code == 201 and added.json()["voice_url"] == project.url + "/voice/page"
    assert sms.json()["status_code"] == 200 and sms.json()["replies"] == ["Thanks, we got your message."]
    assert project.hits("/sms")[0].params["Body"] == "hello"
    assert call.json()["status"] == "completed"
    assert call.json()["lines"][:3] == [
        "Line: Critical case 1042 for ACME. Press 1 to acknowledge.",
        "Caller presses 1",
        "Line: Acknowledged.",
    ]
    assert {"inbound-sms", "webhook", "transcript"} <= {entry["kind"] for entry in log}
    assert (bad.status_code, unknown.status_code, reset.status_code) == (400, 404, 204)
    assert after_reset == []


def test_wait_until_gives_up_with_a_timeout_error(fake):
    with pytest.raises(TimeoutError, match="condition not met within 0.05 s"):
        fake.wait_until(lambda: False, timeout=0.05)


def test_the_fake_runs_standalone_until_sigterm():
    command = [
        sys.executable,
        "-m",
        "router.fake_twilio",
        "--port",
        "0",
        "--account-sid",
        ACCOUNT_SID,
        "--auth-token",
        AUTH_TOKEN,
    ]
    with subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        url = process.stdout.readline().split()[-1]
        log = requests.get(f"{url}/_fake/log", timeout=5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == "fake Twilio stopped\n"

    assert log.json() == []


def test_an_outage_refuses_the_next_requests_with_503_then_recovers(fake, client):
    fake.add_number(ENGINEER)
    with requests.Session() as http:
        assert http.post(f"{fake.url}/_fake/outage", json={"requests": 1}).status_code == 204
    fake.refuse_next(2)  # the API and the method set the same count

    for send in (lambda: client.messages.create(to=ENGINEER, from_=LINE, body="page"),
                 lambda: client.calls.create(to=ENGINEER, from_=LINE, url="http://127.0.0.1:9/page")):
        with pytest.raises(TwilioRestException) as raised:
            send()
        assert (raised.value.status, raised.value.code) == (503, 20503)
    message = client.messages.create(to=ENGINEER, from_=LINE, body="page")

    assert message.status == "queued"
    assert [e["resource"] for e in fake.log() if e["kind"] == "refused"] == ["message", "call"]
