"""Signed webhooks: the signature, the idempotency token, retries and time-outs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from flask import Flask, request
from twilio.request_validator import RequestValidator

from router.fake_twilio import BackgroundServer, SignedWebhooks

AUTH_TOKEN = "project-auth-token"
PARAMS = {"CallSid": "CA" + "2" * 32, "CallStatus": "completed"}


@dataclass(frozen=True)
class Received:
    """One webhook as the project saw it."""

    method: str
    url: str
    params: dict[str, str]
    signed: bool
    token: str


@dataclass
class Project:
    url: str
    received: list[Received]
    released: threading.Event


@pytest.fixture
def project() -> Iterator[Project]:
    received: list[Received] = []
    released = threading.Event()
    app = Flask(__name__)
    validator = RequestValidator(AUTH_TOKEN)

    @app.route("/status", methods=["GET", "POST"])
    def status() -> tuple[str, int]:
        body = request.form.to_dict()
        signed = validator.validate(request.url, body, request.headers.get("X-Twilio-Signature", ""))
        token = request.headers.get("I-Twilio-Idempotency-Token", "")
        received.append(Received(request.method, request.url, request.values.to_dict(), signed, token))
        return "", 204

    @app.post("/slow")
    def slow() -> tuple[str, int]:
        released.wait(timeout=5)  # held until the test has seen the time-out
        return "", 204

    with BackgroundServer(app) as server:
        yield Project(server.url, received, released)
        released.set()


def test_a_post_is_signed_with_the_auth_token(project):
    status, body = SignedWebhooks(AUTH_TOKEN).post(project.url + "/status", PARAMS)

    assert (status, body) == (204, "")
    (hit,) = project.received
    assert (hit.method, hit.params, hit.signed) == ("POST", PARAMS, True)
    assert len(hit.token) == 32


def test_a_get_moves_the_parameters_into_the_signed_query_string(project):
    status, _body = SignedWebhooks(AUTH_TOKEN).post(project.url + "/status?step=menu", PARAMS, method="GET")

    (hit,) = project.received
    assert (status, hit.method, hit.signed) == (204, "GET", True)
    assert hit.params == {"step": "menu", **PARAMS}


def test_a_signature_made_with_another_token_does_not_validate(project):
    SignedWebhooks("someone-elses-token").post(project.url + "/status", PARAMS)

    assert project.received[0].signed is False


class FlakySession(requests.Session):
    """A session whose first request fails to connect, as a restarting server's would."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str] = []

    def request(self, method, url, *args, **kwargs):
        self.tokens.append(kwargs["headers"]["I-Twilio-Idempotency-Token"])
        if len(self.tokens) == 1:
            raise requests.ConnectionError("connection refused")
        return super().request(method, url, *args, **kwargs)


def test_a_retried_webhook_keeps_its_idempotency_token(project):
    with FlakySession() as session:
        status, _body = SignedWebhooks(AUTH_TOKEN, session).post(project.url + "/status", PARAMS)

    assert status == 204
    assert len(session.tokens) == 2 and session.tokens[0] == session.tokens[1]
    assert [hit.token for hit in project.received] == [session.tokens[0]]


def test_each_webhook_gets_its_own_idempotency_token(project):
    webhooks = SignedWebhooks(AUTH_TOKEN)
    webhooks.post(project.url + "/status", PARAMS)
    webhooks.post(project.url + "/status", PARAMS)

    first, second = project.received
    assert first.token != second.token


def test_an_unreachable_project_is_reported_without_a_status_code():
    with BackgroundServer(Flask(__name__)) as server:
        gone = server.url

    status, reason = SignedWebhooks(AUTH_TOKEN).post(gone + "/status", PARAMS)

    assert status == 0
    assert reason.startswith(f"no response from {gone}/status")


def test_a_slow_project_times_out_without_a_retry(project):
    status, reason = SignedWebhooks(AUTH_TOKEN, timeout=0.05).post(project.url + "/slow", PARAMS)
    project.released.set()

    assert (status, reason) == (0, f"{project.url}/slow did not answer within 0.05 s")
