"""Fixtures of the webhook and browser tiers: the app on each database, and Twilio played by the test."""

from __future__ import annotations

import pytest

from router import create_app
from router.config import Settings
from router.runtime import runtime
from tests.web.helpers import ACCOUNT_SID, AUTH_TOKEN, Clock, Twilio, sao_paulo


@pytest.fixture
def clock():
    return Clock(sao_paulo("2026-11-23 10:00"))  # a Monday, open


@pytest.fixture
def make_app(support, database_url, clock, tmp_path):
    """Build the app on the test database; `twilio_api_base` points it at a fake Twilio."""
    apps = []

    def make(twilio_api_base: str | None = None, config=support, api_token: str | None = None):
        settings = Settings(config_path="examples/support.toml", database_url=database_url,
                            twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
                            twilio_api_base=twilio_api_base, secret_key="test",
                            spool_dir=str(tmp_path / "spool"), api_token=api_token)
        app = create_app(settings, config, clock=clock, public_url="http://localhost")
        apps.append(app)
        return app

    yield make
    for app in apps:
        runtime(app).dispatcher.shutdown()
        runtime(app).services.engine.dispose()


@pytest.fixture
def app(make_app, fake_twilio):
    return make_app(twilio_api_base=fake_twilio.url)


@pytest.fixture
def twilio(app):
    return Twilio(app.test_client())


@pytest.fixture
def fake_twilio():
    """A fake Twilio the app sends its pages to; it plays the engineers' phones."""
    from router.fake_twilio import FakeTwilio

    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def served_app(app, fake_twilio):
    """The app also served over HTTP, so the fake Twilio can call its webhooks as Twilio would."""
    from router.fake_twilio import BackgroundServer

    with BackgroundServer(app) as server:
        runtime(app).services.public_url = server.url
        for line in ("+551130000000", "+12125550100"):
            fake_twilio.add_number(line, voice_url=f"{server.url}/voice/incoming", sms_url=f"{server.url}/sms/incoming")
        yield app
        runtime(app).dispatcher.shutdown()
        fake_twilio.network.shutdown()
