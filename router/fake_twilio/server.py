"""FakeTwilio: a local stand-in for Twilio's REST API and the phones behind it."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from flask import Flask

from . import control, rest
from .call import Script
from .network import BACKGROUND_TIMEOUT, PhoneNetwork
from .numbers import Phone
from .serving import BackgroundServer
from .transcript import Transcript

T = TypeVar("T")


def create_app(network: PhoneNetwork) -> Flask:
    """The fake's Flask app: Twilio's REST API plus the /_fake control API."""
    app = Flask(__name__)
    app.extensions["fake_twilio"] = network
    app.register_blueprint(rest.bp)
    app.register_blueprint(control.bp)
    return app


class FakeTwilio:
    """A fake Twilio account served over HTTP.

    Point the project's client at it with ``client.api.base_url = fake.url``.
    It records what the project sends, and plays the other side by calling
    the project's webhooks with correctly signed requests.
    """

    def __init__(self, account_sid: str, auth_token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.network = PhoneNetwork(account_sid, auth_token)
        self._app = create_app(self.network)
        self._host, self._port = host, port
        self._server: BackgroundServer | None = None

    @property
    def url(self) -> str:
        """The base URL of the running fake, e.g. http://127.0.0.1:43123."""
        if self._server is None:
            raise RuntimeError("the fake Twilio is not started")
        return self._server.url

    def start(self) -> Self:
        """Bind the port and start serving."""
        self.network.workers.stopping.clear()  # in case this fake was stopped before
        self._server = BackgroundServer(self._app, self._host, self._port).start()
        self.network.api_url = self._server.url
        return self

    def stop(self, timeout: float = BACKGROUND_TIMEOUT) -> None:
        """Hang up live calls, wait (bounded) for background work, stop serving."""
        if self._server is None:
            return
        # Background work may still call the REST API, so it ends first; nothing waits at a held gate.
        self.network.gate.release()
        self.network.shutdown(timeout)
        self._server.stop()
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def hold(self) -> None:
        """Make the REST API hang: every request waits until `release()` (at most a minute)."""
        self.network.gate.hold()

    def release(self) -> None:
        """Let the requests held by `hold()` go on, and the next ones through at once."""
        self.network.gate.release()

    def add_number(self, number: str, **behaviour: Any) -> Phone:
        """Register how ``number`` behaves (see ``Phone`` for the keywords)."""
        phone = Phone(number, **behaviour)
        self.network.ledger.add_phone(phone)
        return phone

    def add_recording(self, sid: str, seconds: int) -> None:
        """Keep a recording made elsewhere (an earlier fake's call), so that this fake serves its audio."""
        self.network.ledger.save_recording(sid, seconds)

    def refuse_next(self, requests: int) -> None:
        """Answer the next `requests` REST requests to send or call with 503, as in a Twilio outage."""
        self.network.refuse_next(requests)

    def send_sms(self, from_: str, to: str, body: str) -> dict[str, Any]:
        """Deliver an SMS from a person to ``to``'s sms_url; return sid, status_code, replies."""
        return self.network.deliver_sms(from_, to, body)

    def place_inbound_call(
        self, from_: str, to: str, script: Script | None = None, status_callback: str | None = None
    ) -> Transcript:
        """Call ``to``'s voice_url from ``from_``, play the call to its end, return the transcript."""
        return self.network.place_inbound_call(from_, to, script or Script(), status_callback)

    def log(self) -> list[dict[str, Any]]:
        """Every REST request, webhook and played call so far, oldest first."""
        return self.network.ledger.log()

    def messages(self) -> list[dict[str, Any]]:
        """The SMS the project sent, as Twilio resources with their current status."""
        return self.network.ledger.resources("message", "outbound-api")

    def calls(self) -> list[dict[str, Any]]:
        """The calls the project placed, as Twilio resources with their current status."""
        return self.network.ledger.resources("call", "outbound-api")

    def transcript(self, call_sid: str) -> Transcript | None:
        """The transcript of a finished call, or None while it plays (or if it never did)."""
        return self.network.ledger.transcript(call_sid)

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.01) -> T:
        """Poll ``predicate`` until it returns something truthy and return that.

        Raises TimeoutError after ``timeout`` seconds, so tests never sleep blindly.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout:g} s; log: {self.log()[-5:]}")
            time.sleep(interval)

    def reset(self) -> None:
        """Wait for background work, then forget every request, phone and call."""
        self.network.reset()
