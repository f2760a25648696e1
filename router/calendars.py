"""iCalendar feeds of on-call shifts, per rotation and per person, behind a secret in the URL."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request

from router import db
from router.oncall import feed_token, overrides_since, person_feed, rotation_feed
from router.overrides import effective_overrides
from router.runtime import runtime

bp = Blueprint("calendars", __name__, url_prefix="/calendar")


def _check(kind: str, name: str) -> None:
    expected = feed_token(current_app.config["SECRET_KEY"], kind, name)
    if not hmac.compare_digest(request.args.get("token", "").encode(), expected.encode()):
        abort(404)  # a wrong token reveals nothing, not even that the feed exists


def _ics(body: bytes) -> Response:
    return Response(body, mimetype="text/calendar")


def _overrides(now):
    """The overrides in force, the console's with the configuration's (one query)."""
    support = runtime().support
    return effective_overrides(db.session(), support, overrides_since(support, now))


@bp.get("/rotations/<rotation_id>.ics")
def rotation(rotation_id: str):
    """A rotation's shifts, for any calendar app."""
    support = runtime().support
    _check("rotation", rotation_id)
    if support.rotation(rotation_id) is None:
        abort(404)
    now = runtime().now()
    return _ics(rotation_feed(support, _overrides(now), rotation_id, now))


@bp.get("/people/<person_id>.ics")
def person(person_id: str):
    """One engineer's shifts across every rotation."""
    support = runtime().support
    _check("person", person_id)
    if person_id not in {p.id for p in support.people}:
        abort(404)
    now = runtime().now()
    return _ics(person_feed(support, _overrides(now), person_id, now))
