"""A case's recording, fetched from Twilio for the console's player.

Twilio serves a recording's audio at `/2010-04-01/Accounts/<account>/Recordings/<RecordingSid>.wav`
to whoever gives the account's credentials. Only the SID is taken from the RecordingUrl a webhook
stored: the audio is asked for at the configured Twilio (the fake one in tests and the demo) with our
own account, never at a host the database names, and the browser never sees Twilio's URL.

The SDK has no call for media: its HTTP client returns every body decoded as text, which mangles audio.
So the request goes through the SDK client's own session, with its credentials and the project's
timeout, streamed rather than read whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from router.models import Case
from router.twilio_api import TIMEOUT

API_VERSION = "2010-04-01"
RECORDING_SID = re.compile(r"/Recordings/(RE[0-9a-fA-F]{32})(?:\.(?:wav|mp3|json))?$")
CHUNK = 64 * 1024
# What a player needs of Twilio's answer to seek in the audio; nothing else of it reaches the browser.
RANGE_HEADERS = ("Content-Length", "Content-Range", "Accept-Ranges")


class RecordingUnavailable(Exception):
    """Twilio could not give the recording: `status` is the console's answer (404, 416, 502, 504)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class RecordingAudio:
    """The audio as Twilio answers it: all of it (200) or the asked range (206), in chunks."""

    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]  # closes the connection to Twilio once read, or when closed


def recording_sid(url: str | None) -> str | None:
    """The RecordingSid at the end of a RecordingUrl; None for a URL that names no recording."""
    found = RECORDING_SID.search(url or "")
    return found.group(1) if found else None


def open_recording(client: Client, sid: str, byte_range: str | None = None) -> RecordingAudio:
    """Start fetching a recording's WAV (the browser's `Range`, if any, passed on); RecordingUnavailable
    when Twilio has no such recording, refuses, or does not answer within the timeout."""
    url = f"{client.api.base_url}/{API_VERSION}/Accounts/{client.account_sid}/Recordings/{sid}.wav"
    try:
        answer = _session(client).get(url, auth=client.auth, headers={"Range": byte_range} if byte_range else {},
                                      timeout=TIMEOUT, stream=True)  # a redirect to Twilio's storage is followed
    except requests.Timeout as error:
        raise RecordingUnavailable(504, "Twilio did not send the recording in time") from error
    except requests.RequestException as error:
        raise RecordingUnavailable(502, f"Twilio could not be reached: {type(error).__name__}") from error
    problem = _problem(answer)
    if problem:
        answer.close()
        raise problem
    headers = {name: answer.headers[name] for name in RANGE_HEADERS if name in answer.headers}
    return RecordingAudio(answer.status_code, headers, _chunks(answer))


def _session(client: Client) -> requests.Session:
    http = client.http_client
    if not isinstance(http, TwilioHttpClient) or http.session is None:
        raise RecordingUnavailable(502, "the Twilio client has no HTTP session to fetch recordings with")
    return http.session


def _problem(answer: requests.Response) -> RecordingUnavailable | None:
    if answer.status_code == 404:
        return RecordingUnavailable(404, "Twilio has no such recording (deleted, or of another account)")
    if answer.status_code == 416:
        return RecordingUnavailable(416, "the range asked for is outside the recording")
    if answer.status_code not in (200, 206):
        return RecordingUnavailable(502, f"Twilio answered {answer.status_code} for the recording")
    if not answer.headers.get("Content-Type", "").startswith("audio/"):
        return RecordingUnavailable(502, f"Twilio sent {answer.headers.get('Content-Type')!r}, not audio")
    return None


def _chunks(answer: requests.Response) -> Iterator[bytes]:
    try:
        yield from answer.iter_content(CHUNK)
    finally:
        answer.close()


def kept_recordings(session: Session) -> list[tuple[str, int]]:
    """(RecordingSid, seconds) of every case's recording: what a fresh fake Twilio is to serve (the demo)."""
    rows = session.execute(select(Case.recording_url, Case.recording_seconds).where(Case.recording_url.is_not(None)))
    return [(sid, seconds or 0) for url, seconds in rows if (sid := recording_sid(url))]
