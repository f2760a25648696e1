"""Webhook requests to the project, signed the way Twilio signs them."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

# Twilio gives up on a webhook after 15 seconds.
TWILIO_TIMEOUT = 15.0


class Transport(Protocol):
    """Anything that can deliver a webhook and return (status code, body)."""

    def post(self, url: str, params: Mapping[str, str], method: str = "POST") -> tuple[int, str]:
        """Deliver ``params`` to ``url``; status 0 means no HTTP response."""


def _with_query(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params)


class SignedWebhooks:
    """Delivers webhooks with ``X-Twilio-Signature`` and an idempotency token.

    Without a ``session`` every request uses a short-lived one, which makes
    the transport safe to share between threads.
    """

    def __init__(
        self,
        auth_token: str,
        session: requests.Session | None = None,
        *,
        timeout: float = TWILIO_TIMEOUT,
        retries: int = 1,
    ) -> None:
        self._validator = RequestValidator(auth_token)
        self._session = session
        self._timeout = timeout
        self._retries = retries

    def post(self, url: str, params: Mapping[str, str], method: str = "POST") -> tuple[int, str]:
        """Send one logical webhook; a connection failure is retried with the same token.

        Returns (status code, body text), or (0, reason) when the project
        could not be reached at all.
        """
        token = secrets.token_hex(16)
        reason = ""
        for _attempt in range(self._retries + 1):
            try:
                response = self._send(url, dict(params), method.upper(), token)
            except requests.ConnectionError as error:
                reason = f"no response from {url}: {error}"
                continue
            except requests.Timeout:
                # A slow answer is not retried: the project may still act on it.
                return 0, f"{url} did not answer within {self._timeout:g} s"
            return response.status_code, response.text
        return 0, reason

    def _send(self, url: str, params: dict[str, str], method: str, token: str) -> requests.Response:
        # For GET Twilio moves the parameters into the query string and signs
        # the full URL with no body parameters.
        if method == "GET":
            url, params, data = _with_query(url, params), {}, None
        else:
            data = params
        headers = {
            "X-Twilio-Signature": self._validator.compute_signature(url, params),
            "I-Twilio-Idempotency-Token": token,
            "User-Agent": "TwilioProxy/1.1",
        }
        send = self._session.request if self._session else requests.request
        return send(
            method,
            url,
            data=data,
            headers=headers,
            timeout=self._timeout,
            allow_redirects=False,
        )
