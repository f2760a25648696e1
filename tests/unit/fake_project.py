"""A small stand-in for the project that the fake Twilio's tests call: it checks signatures and keeps
every webhook it receives; each test file adds the routes that answer with TwiML."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from router.fake_twilio import BackgroundServer

AUTH_TOKEN = "project-auth-token"


@dataclass(frozen=True)
class Webhook:
    """One request the project received."""

    path: str
    method: str
    params: dict[str, str]
    signed: bool
    token: str


@dataclass
class Project:
    """The project side: its app, where it listens and what it received."""

    app: Flask
    url: str
    received: list[Webhook] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.received]

    def hits(self, path: str) -> list[Webhook]:
        return [hit for hit in self.received if hit.path == path]

    def hit(self, path: str) -> Webhook:
        (found,) = self.hits(path)
        return found


def twiml(response: VoiceResponse | MessagingResponse) -> Response:
    """A TwiML answer."""
    return Response(str(response), mimetype="text/xml")


@contextmanager
def served_project(*add_routes: Callable[[Flask], None]) -> Iterator[Project]:
    """The project app with these routes, served over HTTP until the block ends."""
    app = Flask(__name__)
    received: list[Webhook] = []
    validator = RequestValidator(AUTH_TOKEN)

    @app.before_request
    def check_signature() -> None:
        body = request.form.to_dict() if request.method == "POST" else {}
        signed = validator.validate(request.url, body, request.headers.get("X-Twilio-Signature", ""))
        token = request.headers.get("I-Twilio-Idempotency-Token", "")
        received.append(Webhook(request.path, request.method, request.values.to_dict(), signed, token))
        if not signed:
            abort(403)

    for add in add_routes:
        add(app)
    with BackgroundServer(app) as server:
        yield Project(app, server.url, received)
