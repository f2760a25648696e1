"""The Twilio REST client, pointed at the real API or at the fake one."""

from __future__ import annotations

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from router.config import Settings

TIMEOUT = 10  # seconds: a Twilio that hangs must not hold a sender (or a page) for ever


def make_client(settings: Settings) -> Client:
    """A client for the account in `settings`; `TWILIO_API_BASE` reaches the fake Twilio."""
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                    http_client=TwilioHttpClient(timeout=TIMEOUT))
    if settings.twilio_api_base:
        client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client
