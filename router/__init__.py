"""The Flask service: webhooks, storage, paging and the command line."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from router import db
from router.clock import Clock, check_clock_setting, system_clock
from router.config import Settings, SupportConfig, load_config
from router.dispatch import Dispatcher
from router.twilio_api import make_client

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, support: SupportConfig | None = None,
               clock: Clock = system_clock, public_url: str | None = None) -> Flask:
    """Build the service. Settings come from the environment, the rest from the config file."""
    check_clock_setting()  # a ROUTER_CLOCK that cannot be read stops the start, not a call
    settings = settings or Settings.from_env()
    support = support or load_config(settings.config_path)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        PUBLIC_URL=public_url or support.service.public_url,
    )
    hops = support.service.proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    engine = db.make_engine(settings.database_url)
    _refuse_an_old_schema(engine)
    db.init_app(app, engine)
    app.extensions.update(engine=engine, settings=settings, support=support, clock=clock, twilio=make_client(settings),
                          dispatcher=Dispatcher(app))

    from router.api import bp as api
    from router.calendars import bp as calendars
    from router.health import bp as health
    from router.webhooks import bp as webhooks

    app.register_blueprint(webhooks)
    app.register_blueprint(api)
    app.register_blueprint(calendars)
    app.register_blueprint(health)
    return app


def _refuse_an_old_schema(engine: Engine) -> None:
    """A database without this version's tables would fail every call: stop the start instead.

    A database that does not answer is no reason not to start: critical calls get through without it.
    """
    try:
        problem = db.schema_problem(engine)
    except db.DatabaseError as exc:
        log.warning("%s; starting anyway: calls are answered without it until it is back", exc)
        return
    if problem:
        raise db.DatabaseError(problem)
