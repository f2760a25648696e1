"""The Flask service: webhooks, storage, paging and the command line."""

from __future__ import annotations

import time

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from router import db, logs, unavailable
from router.clock import Clock, check_clock_setting, system_clock
from router.config import Settings, SupportConfig, load_config
from router.paging.dispatcher import Dispatcher
from router.paging.services import make_services
from router.runtime import Runtime


def create_app(settings: Settings | None = None, support: SupportConfig | None = None,
               clock: Clock = system_clock, public_url: str | None = None) -> Flask:
    """Build the service. Settings come from the environment, the rest from the config file."""
    check_clock_setting()  # a ROUTER_CLOCK that cannot be read stops the start, not a call
    logs.configure()
    settings = settings or Settings.from_env()
    support = support or load_config(settings.config_path)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, TWILIO_AUTH_TOKEN=settings.twilio_auth_token)
    hops = support.service.proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    services = make_services(settings, support, clock, public_url)
    db.init_app(app, services.sessions, services.readers)
    app.extensions["router"] = Runtime(settings, services, Dispatcher(services))

    from router.api import bp as api
    from router.calendars import bp as calendars
    from router.health import bp as health
    from router.metrics import bp as metrics_bp
    from router.status.public import bp as status_public
    from router.webhooks import bp as webhooks

    app.register_blueprint(webhooks)
    app.register_blueprint(api)
    app.register_blueprint(calendars)
    app.register_blueprint(health)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(status_public)
    from router.console import exempt_from_csrf, init_console

    # Cookies only over HTTPS where the service is reached over HTTPS (the demo and the tests are plain HTTP).
    init_console(app, secure_cookies=services.public_url.startswith("https://"))
    exempt_from_csrf(webhooks, api, calendars, health, metrics_bp)
    exempt_from_csrf(status_public)  # read-only and public: nothing to forge
    unavailable.init_app(app)
    _time_requests(app)
    return app


def _time_requests(app: Flask) -> None:
    """Every request's time to answer, by route, for `/metrics`."""
    from flask import g, request

    from router.metrics import request_took

    @app.before_request
    def _started() -> None:
        g.started = time.perf_counter()

    @app.teardown_request
    def _answered(_error: BaseException | None) -> None:
        started = g.pop("started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "unrouted"
            request_took(route, time.perf_counter() - started)
