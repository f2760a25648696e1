"""The fake Twilio's TwiML player, against a small project app served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, Response, request
from twilio.twiml.voice_response import VoiceResponse

from router.fake_twilio import (
    CallControl,
    Entry,
    Script,
    SignedWebhooks,
    Transcript,
    play_call,
)
from tests.unit.fake_project import AUTH_TOKEN, Project, served_project, twiml

ACCOUNT_SID = "AC" + "1" * 32
CALL_SID = "CA" + "2" * 32
CALLER = "+5511987654321"
LINE = "+551130001000"
ENGINEER = "+5511999990000"


def _add_menu_routes(app: Flask) -> None:
    @app.post("/menu")
    def menu() -> Response:
        response = VoiceResponse()
        response.say("Welcome to ACME support.", voice="Polly.Joanna", language="en-US")
        method = request.args.get("method", "POST")
        empty = request.args.get("empty") == "true"
        gather = response.gather(num_digits=1, action="/choice", method=method, action_on_empty_result=empty)
        gather.say("Press 1 for a critical issue.")
        response.say("We did not receive your choice.")
        return twiml(response)

    @app.post("/account")
    def account() -> Response:
        response = VoiceResponse()
        response.gather(action="/choice", finish_on_key="#").say("Enter your account number, then hash.")
        return twiml(response)

    @app.route("/choice", methods=["GET", "POST"])
    def choice() -> Response:
        response = VoiceResponse()
        response.say(f"You pressed {request.values.get('Digits', 'nothing')}.")
        response.hangup()
        return twiml(response)


def _add_recording_routes(app: Flask) -> None:
    @app.post("/message")
    def message() -> Response:
        response = VoiceResponse()
        response.say("Leave a message after the tone.")
        response.record(action="/recorded", max_length=60)
        response.say("We did not hear a message.")
        return twiml(response)

    @app.post("/recorded")
    def recorded() -> Response:
        response = VoiceResponse()
        response.say(f"Thanks, we recorded {request.form['RecordingDuration']} seconds.")
        return twiml(response)


def _add_dial_routes(app: Flask) -> None:
    @app.post("/dial")
    def dial() -> Response:
        response = VoiceResponse()
        whisper = "/whisper" if request.args.get("whisper") else None
        response.dial(action="/dialled", timeout=20).number(ENGINEER, url=whisper)
        return twiml(response)

    @app.post("/dialled")
    def dialled() -> Response:
        response = VoiceResponse()
        response.say(f"Dial status {request.form['DialCallStatus']}.")
        return twiml(response)

    @app.post("/whisper")
    def whisper() -> Response:
        response = VoiceResponse()
        gather = response.gather(num_digits=1, action="/whisper/answer")
        gather.say("Critical production call from ACME, case 1042, press 1 to accept.")
        response.hangup()
        return twiml(response)

    @app.post("/whisper/answer")
    def whisper_answer() -> Response:
        response = VoiceResponse()
        if request.form["Digits"] == "1":
            response.say("Connecting you to the caller.")
        else:
            response.hangup()
        return twiml(response)


def _add_odd_routes(app: Flask) -> None:
    @app.post("/redirect")
    def redirect() -> Response:
        response = VoiceResponse()
        response.redirect("/menu")
        return twiml(response)

    @app.post("/loop")
    def loop() -> Response:
        response = VoiceResponse()
        response.redirect("/loop")
        return twiml(response)

    @app.post("/queue")
    def queue() -> Response:
        response = VoiceResponse()
        response.enqueue("support")
        response.pause(length=2)
        response.say("After the queue.")
        return twiml(response)

    @app.post("/reject")
    def reject() -> Response:
        response = VoiceResponse()
        response.reject(reason="busy")
        return twiml(response)

    @app.post("/broken")
    def broken() -> tuple[str, int]:
        return "database is down", 500

    @app.post("/status")
    def status() -> tuple[str, int]:
        return "", 204


@pytest.fixture
def project() -> Iterator[Project]:
    with served_project(_add_menu_routes, _add_recording_routes, _add_dial_routes, _add_odd_routes) as project:
        yield project


def play(project: Project, path: str, script: Script | None = None, **options: object) -> Transcript:
    """Play an inbound call from CALLER to LINE starting at ``path``."""
    return play_call(
        SignedWebhooks(AUTH_TOKEN),
        project.url + path,
        call_sid=CALL_SID,
        from_=CALLER,
        to=LINE,
        direction="inbound",
        script=script or Script(),
        account_sid=ACCOUNT_SID,
        **options,
    )


def test_caller_pressing_1_reaches_the_gather_action_with_digits_and_a_valid_signature(project):
    transcript = play(project, "/menu", Script(presses=["1"]))

    assert project.paths() == ["/menu", "/choice"]
    assert all(hit.signed for hit in project.received)
    assert project.hit("/choice").params["Digits"] == "1"
    assert project.hit("/choice").params["FinishedOnKey"] == ""
    assert transcript.lines() == [
        "Line: Welcome to ACME support.",
        "Line: Press 1 for a critical issue.",
        "Caller presses 1",
        "Line: You pressed 1.",
        "Line hangs up",
    ]
    assert transcript.heard() == "Welcome to ACME support. Press 1 for a critical issue. You pressed 1."
    assert transcript.of_kind("say")[0] == Entry(
        "say", text="Welcome to ACME support.", voice="Polly.Joanna", language="en-US"
    )
    assert transcript.status == "completed"


def test_an_inbound_call_rings_on_its_first_request_and_carries_twilios_parameters(project):
    play(project, "/menu", Script(presses=["1"]))

    first, second = project.received
    assert first.params == {
        "AccountSid": ACCOUNT_SID,
        "CallSid": CALL_SID,
        "From": CALLER,
        "To": LINE,
        "Called": LINE,
        "Caller": CALLER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    assert second.params["CallStatus"] == "in-progress"
    assert first.token and second.token and first.token != second.token


def test_an_outbound_call_with_machine_detection_says_who_answered(project):
    play_call(
        SignedWebhooks(AUTH_TOKEN),
        project.url + "/menu",
        call_sid=CALL_SID,
        from_=LINE,
        to=ENGINEER,
        direction="outbound-api",
        script=Script(),
        account_sid=ACCOUNT_SID,
        answered_by="human",
    )

    params = project.hit("/menu").params
    assert (params["CallStatus"], params["Direction"], params["AnsweredBy"]) == (
        "in-progress",
        "outbound-api",
        "human",
    )


def test_gather_timeout_falls_through_to_the_next_verb(project):
    transcript = play(project, "/menu", Script(presses=[]))

    assert project.paths() == ["/menu"]
    assert transcript.lines()[-3:] == [
        "Caller stays silent",
        "Line: We did not receive your choice.",
        "Line hangs up (end of document)",
    ]


def test_action_on_empty_result_posts_the_action_without_digits(project):
    transcript = play(project, "/menu?empty=true", Script(presses=[""]))

    assert project.paths() == ["/menu", "/choice"]
    assert "Digits" not in project.hit("/choice").params
    assert transcript.heard().endswith("You pressed nothing.")


def test_the_finish_key_ends_the_digits_and_is_reported_apart(project):
    play(project, "/account", Script(presses=["1042#"]))

    params = project.hit("/choice").params
    assert (params["Digits"], params["FinishedOnKey"]) == ("1042", "#")


def test_a_get_action_is_signed_over_its_query_string(project):
    play(project, "/menu?method=GET", Script(presses=["1"]))

    choice = project.hit("/choice")
    assert (choice.method, choice.params["Digits"], choice.signed) == ("GET", "1", True)


def test_a_recording_reaches_the_action_with_its_url_and_duration(project):
    transcript = play(project, "/message", Script(recording_seconds=12))

    params = project.hit("/recorded").params
    assert params["RecordingDuration"] == "12"
    assert params["RecordingUrl"] == (
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{params['RecordingSid']}"
    )
    assert params["RecordingSid"].startswith("RE") and len(params["RecordingSid"]) == 34
    assert "Caller records 12 s" in transcript.lines()
    assert transcript.heard().endswith("Thanks, we recorded 12 seconds.")


def test_a_silent_recording_skips_the_action_and_goes_on(project):
    transcript = play(project, "/message", Script(recording_seconds=0))

    assert project.paths() == ["/message"]
    assert transcript.heard() == "Leave a message after the tone. We did not hear a message."


@pytest.mark.parametrize(
    ("answer", "dial_status"),
    [
        ("answer", "completed"),
        ("no-answer", "no-answer"),
        ("busy", "busy"),
        (None, "no-answer"),  # a number the script does not mention does not answer
    ],
)
def test_the_dial_result_reaches_the_dial_action(project, answer, dial_status):
    dial = {ENGINEER: answer} if answer else {}
    transcript = play(project, "/dial", Script(dial=dial))

    params = project.hit("/dialled").params
    assert params["DialCallStatus"] == dial_status
    assert params["DialCallSid"].startswith("CA")
    assert params["DialCallDuration"] == ("60" if dial_status == "completed" else "0")
    answered = f" by {ENGINEER}" if dial_status == "completed" else ""
    assert f"Dial {ENGINEER} → {dial_status}{answered}" in transcript.lines()


def test_an_engineer_who_presses_1_on_the_whisper_is_connected(project):
    transcript = play(
        project,
        "/dial?whisper=1",
        Script(dial={ENGINEER: "answer"}),
        callees={ENGINEER: Script(presses=["1"])},
    )

    assert transcript.lines() == [
        f"  [{ENGINEER}] Line: Critical production call from ACME, case 1042, press 1 to accept.",
        f"  [{ENGINEER}] Callee presses 1",
        f"  [{ENGINEER}] Line: Connecting you to the caller.",
        f"Dial {ENGINEER} → completed by {ENGINEER}",
        "Line: Dial status completed.",
        "Line hangs up (end of document)",
    ]
    whisper = project.hit("/whisper").params
    assert (whisper["To"], whisper["From"], whisper["Direction"]) == (ENGINEER, CALLER, "outbound-dial")
    assert whisper["ParentCallSid"] == CALL_SID
    assert whisper["CallSid"] == project.hit("/dialled").params["DialCallSid"]
    assert transcript.heard("callee").startswith("Critical production call")


@pytest.mark.parametrize("presses", [[], ["2"]], ids=["silent", "presses-2"])
def test_an_engineer_who_does_not_accept_the_whisper_counts_as_no_answer(project, presses):
    transcript = play(
        project,
        "/dial?whisper=1",
        Script(dial={ENGINEER: "answer"}),
        callees={ENGINEER: Script(presses=presses)},
    )

    assert project.hit("/dialled").params["DialCallStatus"] == "no-answer"
    assert f"  [{ENGINEER}] Line hangs up" in transcript.lines()


def test_a_redirect_is_followed(project):
    transcript = play(project, "/redirect", Script(presses=["1"]))

    assert project.paths() == ["/redirect", "/menu", "/choice"]
    assert transcript.lines()[0] == f"Redirect → {project.url}/menu"


def test_a_caller_who_hangs_up_half_way_still_gets_a_completed_status_callback(project):
    transcript = play(
        project, "/menu", Script(presses=["1"], hang_up_after=1), status_callback=project.url + "/status"
    )

    assert project.paths() == ["/menu", "/status"]
    assert transcript.lines()[-2:] == ["Caller presses 1", "Caller hangs up"]
    status = project.hit("/status").params
    assert (status["CallStatus"], status["CallSid"]) == ("completed", CALL_SID)
    assert status["CallDuration"] == str(transcript.duration)
    assert transcript.duration > 0


def test_a_rejected_call_reports_busy_without_a_duration(project):
    transcript = play(project, "/reject", status_callback=project.url + "/status")

    assert transcript.lines() == ["Line rejects the call (busy)"]
    status = project.hit("/status").params
    assert status["CallStatus"] == "busy"
    assert "CallDuration" not in status


def test_the_loop_guard_stops_a_call_after_50_requests(project):
    transcript = play(project, "/loop")

    assert len(project.received) == 50
    (error,) = transcript.of_kind("error")
    assert "stopped after 50 webhook requests" in error.text


def test_unknown_verbs_are_written_down_and_skipped(project):
    transcript = play(project, "/queue")

    assert transcript.lines() == [
        "Error: skipped unsupported verb <Enqueue>",
        "Line pauses 2 s",
        "Line: After the queue.",
        "Line hangs up (end of document)",
    ]


def test_a_failing_webhook_ends_the_call_with_an_error(project):
    transcript = play(project, "/broken")

    assert transcript.lines() == [f"Error: webhook {project.url}/broken answered 500: database is down"]
    assert transcript.status == "completed"


def test_a_wrong_auth_token_is_refused_by_the_project(project):
    transcript = play_call(
        SignedWebhooks("not-the-token"),
        project.url + "/menu",
        call_sid=CALL_SID,
        from_=CALLER,
        to=LINE,
        direction="inbound",
        script=Script(),
    )

    assert project.received[0].signed is False
    assert transcript.of_kind("error")[0].text.startswith(f"webhook {project.url}/menu answered 403")


def test_a_call_ended_through_the_rest_api_stops_before_its_next_request(project):
    control = CallControl()
    control.end()

    transcript = play(project, "/menu", control=control)

    assert project.received == []
    assert transcript.lines() == ["Call ended through the REST API"]


def test_a_call_redirected_through_the_rest_api_requests_the_new_url(project):
    control = CallControl()
    control.redirect(project.url + "/choice")

    transcript = play(project, "/menu", control=control)

    assert project.paths() == ["/choice"]
    assert transcript.lines()[:2] == [f"Redirect → {project.url}/choice", "Line: You pressed nothing."]


def test_a_script_refuses_an_unknown_dial_answer():
    with pytest.raises(ValueError, match="dial answers"):
        Script(dial={ENGINEER: "voicemail"})


def test_a_paced_call_waits_what_it_spends_before_the_next_webhook(project, monkeypatch):
    waits = []
    monkeypatch.setattr("router.fake_twilio.player.time.sleep", waits.append)

    transcript = play(project, "/message", Script(recording_seconds=12, pace=0.5))

    # "Leave a message after the tone." is 6 words at 0.4 s a word, then 12 s of recording.
    assert waits[:2] == [pytest.approx(1.2), 6.0]
    assert transcript.duration == round(sum(waits) / 0.5)


def test_an_unpaced_call_never_waits(project, monkeypatch):
    waits = []
    monkeypatch.setattr("router.fake_twilio.player.time.sleep", waits.append)

    play(project, "/message", Script(recording_seconds=12))

    assert waits == []
