"""A TwiML interpreter that plays one call against the project's webhooks.

It walks the verbs of each document the way Twilio does, follows actions and
redirects, and writes down what the person on the phone heard and did.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from .call import API_VERSION, CallControl, End, Script, call_params, new_sid
from .dial import dial
from .transcript import Transcript
from .twiml import parse_response, text_of
from .webhooks import Transport

MAX_REQUESTS = 50
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_API_URL = "https://api.twilio.com"
# A rough speaking rate: the call's CallDuration, and its real length with Script.pace.
SECONDS_PER_WORD = 0.4
_PROMPTS = frozenset({"Say", "Play", "Pause"})
_END_ENTRIES = {
    End.END_OF_DOCUMENT: {"by": "line", "text": "end of document"},
    End.HANGUP: {"by": "line"},
    End.CALLER: {"by": "caller"},
    End.API: {"by": "api"},
}


@dataclass(frozen=True)
class Document:
    """A TwiML document and the URL it came from (relative URLs resolve against it)."""

    url: str
    root: ET.Element


Outcome = Document | End | None


@dataclass(frozen=True)
class _Line:
    """What all legs of one call share."""

    transport: Transport
    account_sid: str
    api_url: str
    callees: Mapping[str, Script]
    keep_recording: Callable[[str, int], None]  # (RecordingSid, seconds): its URL serves it from now on


class CallLeg:
    """One leg of a call: the caller's, or a dialled callee's whisper."""

    def __init__(
        self,
        line: _Line,
        script: Script,
        transcript: Transcript,
        params: dict[str, str],
        *,
        control: CallControl | None = None,
        party: str = "",
    ) -> None:
        self.line, self.script, self.transcript = line, script, transcript
        self.params, self.control, self.party = params, control, party
        self.requests = 0
        self.presses_used = 0
        self.elapsed = 0.0
        self._handlers: dict[str, Callable[[ET.Element, str], Outcome]] = {
            "Say": self._say,
            "Play": self._play,
            "Pause": self._pause,
            "Gather": self._gather,
            "Record": self._record,
            "Dial": lambda verb, url: dial(self, verb, url),
            "Redirect": self._redirect,
            "Hangup": self._hangup,
            "Reject": self._reject,
            "Sms": self._message,
            "Message": self._message,
        }

    def run(self, url: str, method: str) -> End:
        """Request ``url`` and play documents until the leg ends; say why it ended."""
        outcome = self.fetch(url, method, {})
        while isinstance(outcome, Document):
            outcome = self._play_document(outcome)
        # A whisper leg reaching the end of its document is bridged, not hung up.
        if outcome in _END_ENTRIES and not (self.party and outcome is End.END_OF_DOCUMENT):
            self.add("hangup", **_END_ENTRIES[outcome])
        return outcome

    def add(self, kind: str, **fields: object) -> None:
        """Write an entry on this leg's side of the transcript."""
        if self.party:
            fields.update(side="callee", party=self.party)
        self.transcript.add(kind, **fields)

    def fetch(self, url: str, method: str, extra: Mapping[str, str]) -> Document | End:
        """Make one webhook request, unless the call has to stop first."""
        ended, redirect = self.control.take() if self.control else (False, None)
        if ended:
            return End.API
        if redirect:
            (url, method), extra = redirect, {}
            self.add("redirect", url=url, text="REST API update")
        if self.script.hang_up_after is not None and self.requests >= self.script.hang_up_after:
            return End.CALLER
        if self.requests >= MAX_REQUESTS:
            self.add("error", text=f"stopped after {MAX_REQUESTS} webhook requests; is the flow looping?")
            return End.ERROR
        params = {**self.params, "CallStatus": self._call_status(), **extra}
        self.requests += 1
        status, body = self.line.transport.post(url, params, method)
        return self._document(url, status, body)

    def whisper(self, number: str, url: str, method: str, caller_id: str, call_sid: str) -> bool:
        """Play a dialled number's whisper URL to it; True if the callee stayed on."""
        params = call_params(self.line.account_sid, call_sid, caller_id, number, "outbound-dial")
        params["ParentCallSid"] = self.params["CallSid"]
        script = self.line.callees.get(number, Script())
        leg = CallLeg(self.line, script, self.transcript, params, party=number)
        return leg.run(url, method) is End.END_OF_DOCUMENT

    def spend(self, seconds: float) -> None:
        """The call spends `seconds` (speaking, waiting, recording); with a pace, so does the player."""
        self.elapsed += seconds
        if self.script.pace:
            time.sleep(seconds * self.script.pace)

    def _call_status(self) -> str:
        # Twilio asks for the first document of an inbound call while it rings.
        if self.requests == 0 and self.params["Direction"] == "inbound":
            return "ringing"
        return "in-progress"

    def _document(self, url: str, status: int, body: str) -> Document | End:
        if not 200 <= status < 300:
            reason = f"answered {status}: {body[:200]}" if status else body
            self.add("error", url=url, text=f"webhook {url} {reason}")
            return End.ERROR
        try:
            return Document(url, parse_response(body))
        except ValueError as error:
            self.add("error", url=url, text=f"webhook {url} did not return TwiML: {error}")
            return End.ERROR

    def _play_document(self, document: Document) -> Outcome:
        for verb in document.root:
            outcome = self._verb(verb, document.url)
            if outcome is not None:
                return outcome
        return End.END_OF_DOCUMENT

    def _verb(self, verb: ET.Element, document_url: str) -> Outcome:
        handler = self._handlers.get(verb.tag)
        if handler is None:
            self.add("error", text=f"skipped unsupported verb <{verb.tag}>")
            return None
        return handler(verb, document_url)

    def _say(self, verb: ET.Element, _url: str) -> Outcome:
        text = text_of(verb)
        self.add("say", text=text, voice=verb.get("voice", ""), language=verb.get("language", ""))
        self.spend(len(text.split()) * SECONDS_PER_WORD)
        return None

    def _play(self, verb: ET.Element, _url: str) -> Outcome:
        self.add("play", url=text_of(verb), digits=verb.get("digits", ""))
        return None

    def _pause(self, verb: ET.Element, _url: str) -> Outcome:
        seconds = float(verb.get("length", "1"))
        self.add("pause", seconds=seconds)
        self.spend(seconds)
        return None

    def _gather(self, verb: ET.Element, document_url: str) -> Outcome:
        for prompt in verb:
            if prompt.tag in _PROMPTS:
                self._verb(prompt, document_url)
            else:
                self.add("error", text=f"<{prompt.tag}> is not allowed inside <Gather>")
        digits, finished_on_key = self._next_press(verb)
        action = urljoin(document_url, verb.get("action", ""))
        method = verb.get("method", "POST")
        if digits:
            self.add("press", digits=digits)
            return self.fetch(action, method, {"Digits": digits, "FinishedOnKey": finished_on_key})
        self.add("silence")
        self.spend(float(verb.get("timeout", "5")))
        if verb.get("actionOnEmptyResult") == "true":
            return self.fetch(action, method, {})
        return None

    def _next_press(self, verb: ET.Element) -> tuple[str, str]:
        presses = self.script.presses
        press = presses[self.presses_used] if self.presses_used < len(presses) else ""
        self.presses_used += 1
        finish_key = verb.get("finishOnKey", "#")
        if finish_key:
            digits, found, _rest = press.partition(finish_key)
            if found:
                return digits, finish_key
        num_digits = verb.get("numDigits")
        return (press[: int(num_digits)] if num_digits else press), ""

    def _record(self, verb: ET.Element, document_url: str) -> Outcome:
        seconds = min(self.script.recording_seconds, int(verb.get("maxLength", "3600")))
        self.spend(seconds)
        if seconds == 0:
            # Twilio does not request the action when nothing was recorded.
            self.add("record", seconds=0)
            return None
        sid = new_sid("RE")
        url = f"{self.line.api_url}/{API_VERSION}/Accounts/{self.line.account_sid}/Recordings/{sid}"
        self.line.keep_recording(sid, seconds)
        self.add("record", seconds=seconds, url=url)
        params = {"RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": str(seconds)}
        action = urljoin(document_url, verb.get("action", ""))
        outcome = self.fetch(action, verb.get("method", "POST"), params)
        if verb.get("transcribeCallback") or verb.get("transcribe") == "true":
            # Twilio transcribes after the recording is handled; its callback comes later than the action.
            self._transcribe(urljoin(document_url, verb.get("transcribeCallback") or action), params)
        return outcome

    def _transcribe(self, url: str, recording: dict[str, str]) -> None:
        self.line.transport.post(url, {**self.params, **recording, "TranscriptionSid": new_sid("TR"),
                                       "TranscriptionText": self.script.says, "TranscriptionStatus": "completed"})

    def _redirect(self, verb: ET.Element, document_url: str) -> Outcome:
        url = urljoin(document_url, text_of(verb))
        self.add("redirect", url=url)
        return self.fetch(url, verb.get("method", "POST"), {})

    def _hangup(self, _verb: ET.Element, _url: str) -> Outcome:
        return End.HANGUP

    def _reject(self, verb: ET.Element, _url: str) -> Outcome:
        self.add("reject", outcome=verb.get("reason", "rejected"))
        return End.REJECT

    def _message(self, verb: ET.Element, _url: str) -> Outcome:
        to = verb.get("to")
        self.add("message", text=text_of(verb), numbers=(to,) if to else ())
        return None


def play_call(
    transport: Transport,
    url: str,
    *,
    call_sid: str,
    from_: str,
    to: str,
    direction: str,
    script: Script,
    status_callback: str | None = None,
    answered_by: str | None = None,
    method: str = "POST",
    account_sid: str = DEFAULT_ACCOUNT_SID,
    api_url: str = DEFAULT_API_URL,
    callees: Mapping[str, Script] | None = None,
    control: CallControl | None = None,
    on_finish: Callable[[Transcript], None] | None = None,
    keep_recording: Callable[[str, int], None] = lambda _sid, _seconds: None,
) -> Transcript:
    """Play one call from its first TwiML ``url`` to its end and return the transcript.

    ``direction`` is "inbound" or "outbound-api"; ``callees`` gives the
    scripts of dialled numbers that hear a whisper; ``control`` lets another
    thread end or redirect the call; ``keep_recording`` is told of each
    recording made, so that its URL can serve it. ``on_finish`` sees the finished
    transcript before the final status is posted to ``status_callback``, so
    that whoever keeps the call's state has settled it when the project hears.
    """
    line = _Line(transport, account_sid, api_url, callees or {}, keep_recording)
    params = call_params(account_sid, call_sid, from_, to, direction, answered_by)
    transcript = Transcript(call_sid)
    leg = CallLeg(line, script, transcript, params, control=control)
    end = leg.run(url, method)
    # Twilio reports a rejected call as busy; it was never answered.
    if end is End.REJECT:
        transcript.finish("busy", 0)
    else:
        transcript.finish("completed", round(leg.elapsed))
    if on_finish:
        on_finish(transcript)
    if status_callback:
        final = {**params, "CallStatus": transcript.status}
        if transcript.status == "completed":
            final["CallDuration"] = str(transcript.duration)
        transport.post(status_callback, final)
    return transcript
