"""A database that is busy (a lock not had within its timeout) or away answers 503 with `Retry-After`, never
a 500: on the console, the public status page, the API, the feeds. The webhooks never get here: they answer
from the configuration (router/webhooks/fallback.py).

The page is rendered without the database, the log-in included: the error may be the log-in's own read.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from router.db import DatabaseError
from router.deadline import DeadlinePassed

log = logging.getLogger(__name__)
RETRY_AFTER = 5  # seconds: about one lock wait (router/db.py STATEMENT_TIMEOUT)
MESSAGE = "The database is busy or unreachable for a moment. Try again in a few seconds."


def init_app(app: Flask) -> None:
    for kind in (OperationalError, PoolTimeout, DatabaseError, DeadlinePassed):
        app.register_error_handler(kind, _unavailable)


def _unavailable(error: Exception) -> tuple[Response | str, int, dict[str, str]]:
    reason = str(error.orig).splitlines()[0] if isinstance(error, OperationalError) and error.orig else str(error)
    log.warning("%s %s answered 503: the database is busy or away (%s)", request.method, request.path,
                reason[:200])
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=MESSAGE), 503, headers
    # Without the context processors: Flask-Login's would load the user again, from the database that failed.
    page = current_app.jinja_env.get_template("unavailable.html").render(message=MESSAGE, retry_after=RETRY_AFTER)
    return page, 503, headers
