"""The simulated Twilio account: what its REST API accepts and what happens next."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from .call import API_VERSION, Script, new_sid
from .delivery import connect_call, deliver_message
from .gate import Gate
from .ledger import Ledger
from .player import DEFAULT_API_URL, play_call
from .resources import (
    CALL_RULES,
    MESSAGE_RULES,
    TwilioApiError,
    call_resource,
    check,
    message_resource,
    rfc2822_now,
)
from .transcript import Transcript
from .twiml import message_texts
from .webhooks import SignedWebhooks
from .workers import Workers

# How long reset and shutdown wait for background work before going on.
BACKGROUND_TIMEOUT = 10.0


class _LoggedWebhooks:
    """Signed webhooks, each written into the log with the project's status code."""

    def __init__(self, auth_token: str, ledger: Ledger) -> None:
        self._inner = SignedWebhooks(auth_token)
        self._ledger = ledger

    def post(self, url: str, params: Mapping[str, str], method: str = "POST") -> tuple[int, str]:
        """Deliver the webhook and log it."""
        sent = datetime.now(UTC).isoformat()  # "time" is when the answer came back
        status, body = self._inner.post(url, params, method)
        self._ledger.record(
            "webhook", url=url, method=method.upper(), params=dict(params), status_code=status, sent=sent
        )
        return status, body


class PhoneNetwork:
    """One fake Twilio account with the phones around it."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        # Recording URLs point here; the server sets it once it listens.
        self.api_url = DEFAULT_API_URL
        self.ledger = Ledger()
        self.webhooks = _LoggedWebhooks(auth_token, self.ledger)
        self.workers = Workers(lambda text: self.ledger.record("error", text=text))
        self._outage_lock = threading.Lock()
        self._refusals_left = 0
        self.gate = Gate()  # hold() it, and the REST API hangs until release()

    def refuse_next(self, requests: int) -> None:
        """Answer the next `requests` Messages/Calls requests 503, as Twilio does in an outage."""
        with self._outage_lock:
            self._refusals_left = requests

    def _refuse_if_down(self, kind: str, params: Mapping[str, Any]) -> None:
        with self._outage_lock:
            down = self._refusals_left > 0
            self._refusals_left -= down
        if down:
            self.ledger.record("refused", resource=kind, params=dict(params))
            raise TwilioApiError(503, 20503, "Service Unavailable")

    def send_message(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Accept an outbound SMS (Messages.json) and deliver it in the background."""
        self._refuse_if_down("message", params)
        check(params, MESSAGE_RULES)
        sid = new_sid("SM")
        message = message_resource(
            self.account_sid,
            sid,
            to=params["To"],
            from_=params["From"],
            body=params["Body"],
            direction="outbound-api",
            status="queued",
        )
        self.ledger.save("message", message)
        self.ledger.record("message", sid=sid, params=dict(params))
        self.workers.spawn(deliver_message, self, message, params.get("StatusCallback"))
        return message

    def place_call(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Accept an outbound call (Calls.json) and ring the callee in the background."""
        self._refuse_if_down("call", params)
        check(params, CALL_RULES)
        call = self._open_call(to=params["To"], from_=params["From"], direction="outbound-api")
        self.ledger.record("call", sid=call["sid"], params=dict(params))
        self.workers.spawn(connect_call, self, call, dict(params))
        return call

    def update_call(self, sid: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """End (Status=completed|canceled) or redirect (Url=) a call, as Twilio's call update does."""
        call = self.fetch("call", sid)
        status = params.get("Status")
        if status not in (None, "completed", "canceled"):
            raise TwilioApiError(400, 21220, f"Invalid call state: {status}")
        control = self.ledger.control(sid)
        if control and status:
            control.end()
        if control and params.get("Url"):
            control.redirect(params["Url"], params.get("Method", "POST"))
        self.ledger.record("call-update", sid=sid, params=dict(params))
        return call

    def fetch(self, kind: str, sid: str) -> dict[str, Any]:
        """A stored message or call, or Twilio's 404."""
        resource = self.ledger.resource(kind, sid)
        if resource is None:
            raise TwilioApiError(404, 20404, f"The requested resource {sid} was not found")
        return resource

    def deliver_sms(self, from_: str, to: str, body: str) -> dict[str, Any]:
        """Deliver an inbound SMS to ``to``'s sms_url; return the sid, status and TwiML replies."""
        phone = self.ledger.phone(to)
        if phone is None or not phone.sms_url:
            raise LookupError(f"{to} has no sms_url; register it with add_number first")
        sid = new_sid("SM")
        self.ledger.save(
            "message",
            message_resource(
                self.account_sid,
                sid,
                to=to,
                from_=from_,
                body=body,
                direction="inbound",
                status="received",
            ),
        )
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.account_sid,
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": API_VERSION,
        }
        status, answer = self.webhooks.post(phone.sms_url, params)
        replies = self._sms_replies(status, answer)
        self.ledger.record("inbound-sms", sid=sid, params=params, status_code=status, replies=replies)
        return {"sid": sid, "status_code": status, "replies": replies}

    def place_inbound_call(
        self, from_: str, to: str, script: Script, status_callback: str | None = None
    ) -> Transcript:
        """Call ``to``'s voice_url from ``from_`` and play the call to its end."""
        phone = self.ledger.phone(to)
        if phone is None or not phone.voice_url:
            raise LookupError(f"{to} has no voice_url; register it with add_number first")
        call = self._open_call(to=to, from_=from_, direction="inbound")
        return self.play(call, phone.voice_url, script, status_callback=status_callback)

    def play(
        self,
        call: Mapping[str, Any],
        url: str,
        script: Script,
        *,
        method: str = "POST",
        status_callback: str | None = None,
        answered_by: str | None = None,
    ) -> Transcript:
        """Play an answered call, keep its transcript and log how it went."""
        sid = call["sid"]
        self.ledger.update(
            "call", sid, status="in-progress", start_time=rfc2822_now(), answered_by=answered_by
        )
        people = [p for p in self.ledger.phones() if p.is_person]
        # People registered with the fake answer when the line dials them,
        # unless the script says otherwise.
        dial = {**{p.number: p.dial_answer() for p in people}, **script.dial}
        return play_call(
            self.webhooks,
            url,
            call_sid=sid,
            from_=call["from"],
            to=call["to"],
            direction=call["direction"],
            script=replace(script, dial=dial),
            status_callback=status_callback,
            answered_by=answered_by,
            method=method,
            account_sid=self.account_sid,
            api_url=self.api_url,
            callees={p.number: p.script() for p in people},
            control=self.ledger.control(sid),
            on_finish=lambda transcript: self._settle(call, transcript),
            keep_recording=self.ledger.save_recording,
        )

    def finish_call(self, sid: str, status: str, duration: int, transcript: Transcript | None = None) -> None:
        """Mark a call as ended with its final status and length."""
        now = rfc2822_now()
        self.ledger.update("call", sid, status=status, duration=str(duration), end_time=now, date_updated=now)
        self.ledger.close_call(sid, transcript)

    def reset(self, timeout: float = BACKGROUND_TIMEOUT) -> None:
        """Let background work finish (bounded), then forget everything."""
        self.workers.wait(timeout)
        self.ledger.clear()
        self.refuse_next(0)

    def shutdown(self, timeout: float = BACKGROUND_TIMEOUT) -> bool:
        """Hang up live calls, stop waiting phones and wait for background work."""
        self.workers.stopping.set()
        self.ledger.end_live_calls()
        return self.workers.wait(timeout)

    def _settle(self, call: Mapping[str, Any], transcript: Transcript) -> None:
        self.finish_call(call["sid"], transcript.status, transcript.duration, transcript)
        self.ledger.record(
            "transcript",
            sid=call["sid"],
            direction=call["direction"],
            status=transcript.status,
            duration=transcript.duration,
            lines=transcript.lines(),
            **{"from": call["from"], "to": call["to"]},
        )

    def _sms_replies(self, status: int, answer: str) -> list[str]:
        if not 200 <= status < 300:
            return []
        try:
            return message_texts(answer)
        except ValueError as error:
            self.ledger.record("error", text=f"SMS webhook did not return TwiML: {error}")
            return []

    def _open_call(self, *, to: str, from_: str, direction: str) -> dict[str, Any]:
        call = call_resource(self.account_sid, new_sid("CA"), to=to, from_=from_, direction=direction)
        self.ledger.save("call", call)
        self.ledger.open_call(call["sid"])
        return call
