"""Recordings: the fake Twilio serves a real WAV at the RecordingUrl it hands out, to the account's
credentials only, and the console's fetcher (router.recordings) reads it through the SDK client."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, Response, request
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from router import recordings
from router.fake_twilio import FakeTwilio, Script
from router.recordings import RecordingUnavailable, open_recording, recording_sid
from tests.unit.fake_project import AUTH_TOKEN, Project, served_project, twiml

ACCOUNT_SID = "AC" + "2" * 32
CALLER, LINE = "+5511987654321", "+551130001000"


def _add_routes(app: Flask) -> None:
    @app.post("/voice/message")
    def message() -> Response:
        response = VoiceResponse()
        response.record(action="/voice/recorded", max_length=60)
        return twiml(response)

    @app.post("/voice/recorded")
    def recorded() -> Response:
        app.config["RECORDING"] = (request.form["RecordingUrl"], request.form["RecordingSid"])
        return twiml(VoiceResponse())


@pytest.fixture
def project() -> Iterator[Project]:
    with served_project(_add_routes) as project:
        yield project


@pytest.fixture
def fake(project: Project) -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        fake.add_number(LINE, voice_url=project.url + "/voice/message")
        yield fake


@pytest.fixture
def client(fake: FakeTwilio) -> Iterator[Client]:
    client = Client(ACCOUNT_SID, AUTH_TOKEN)
    client.api.base_url = fake.url
    yield client
    client.http_client.session.close()


def _recorded(project: Project, fake: FakeTwilio, seconds: int) -> tuple[str, str]:
    fake.place_inbound_call(CALLER, LINE, Script(recording_seconds=seconds))
    return project.app.config["RECORDING"]


def test_the_recording_url_serves_a_wav_as_long_as_the_recording_to_the_account_only(project, fake):
    url, sid = _recorded(project, fake, seconds=5)
    assert url == f"{fake.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, auth=(ACCOUNT_SID, "wrong-token"), timeout=5).status_code == 401
    answer = requests.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
    assert (answer.status_code, answer.headers["Content-Type"]) == (200, "audio/x-wav")
    with wave.open(io.BytesIO(answer.content)) as wav:  # Twilio's format: 8 kHz, 16-bit, mono
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels(), wav.getnframes()) == (8000, 2, 1, 40000)
    again = requests.get(url + ".wav", auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
    assert again.content == answer.content  # the same recording sounds the same


def test_a_recording_the_fake_never_made_is_not_found(fake):
    other = f"{fake.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE{'3' * 32}"
    assert requests.get(other, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).status_code == 404
    fake.add_recording("RE" + "3" * 32, 2)  # made by another fake, as the demo's were
    assert requests.get(other, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).content[:4] == b"RIFF"


@pytest.mark.parametrize(("url", "sid"), [
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "a1" * 16, "RE" + "a1" * 16),
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "a1" * 16 + ".mp3", "RE" + "a1" * 16),
    ("https://api.twilio.test/rec/CA" + "0" * 32, None),  # names no recording
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123", None),  # not a SID
    ("", None),
    (None, None),
])
def test_the_recording_sid_is_read_from_the_end_of_the_url(url, sid):
    assert recording_sid(url) == sid


def test_the_console_fetches_the_whole_recording_or_a_range_through_the_sdk_client(project, fake, client):
    url, sid = _recorded(project, fake, seconds=3)
    whole = requests.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).content
    audio = open_recording(client, sid)
    assert (audio.status, b"".join(audio.chunks)) == (200, whole)
    assert audio.headers["Content-Length"] == str(len(whole))
    part = open_recording(client, sid, "bytes=10-19")
    assert (part.status, b"".join(part.chunks), part.headers["Content-Range"]) == (
        206, whole[10:20], f"bytes 10-19/{len(whole)}")


def test_a_missing_recording_or_a_hanging_twilio_is_told_not_waited_for(fake, client, monkeypatch):
    with pytest.raises(RecordingUnavailable) as missing:
        open_recording(client, "RE" + "4" * 32)
    assert missing.value.status == 404
    fake.add_recording("RE" + "4" * 32, 1)
    monkeypatch.setattr(recordings, "TIMEOUT", 0.3)
    fake.hold()
    try:
        with pytest.raises(RecordingUnavailable) as hanging:
            open_recording(client, "RE" + "4" * 32)
    finally:
        fake.release()
    assert hanging.value.status == 504
