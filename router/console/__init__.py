"""The web console: managers review every call, engineers run their on-call, agents work cases.

Server-rendered pages behind a log-in (Flask-Login), every form with a CSRF token (Flask-WTF). Each
page says which roles may see it (`router.console.access.allow`); a role that may not gets 403.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/console/static")
csrf = CSRFProtect()


def init_console(app: Flask, secure_cookies: bool) -> None:
    """Register the console on `app`: log-in, CSRF on every console form, its pages and helpers."""
    from router.console import auth, pages  # noqa: F401  (their routes join `bp`)
    from router.console.auth import login_manager
    from router.console.render import install as install_helpers

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=12 * 3600, WTF_CSRF_TIME_LIMIT=None,  # a form is as good as its session
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    install_helpers(app)
    app.register_blueprint(bp)


def exempt_from_csrf(*blueprints: Blueprint) -> None:
    """Blueprints that authenticate otherwise (Twilio's signature, the API token) take no CSRF token."""
    for blueprint in blueprints:
        csrf.exempt(blueprint)
