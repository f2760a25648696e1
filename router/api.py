"""The JSON API for other tools: cases, their tiers and their first response.

Every request carries `Authorization: Bearer <ROUTER_API_TOKEN>`; with no
token configured the API refuses everything.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from flask import Blueprint, abort, jsonify, request

from router import db
from router.cases import describe, find_case, move_tier, record_response, resolve
from router.oncall import on_call_report, overrides_since
from router.overrides import effective_overrides
from router.runtime import runtime

bp = Blueprint("api", __name__, url_prefix="/api")
ONCALL_REACH = timedelta(days=100 * 365)  # rotations are computed week by week: the year 9999 is out of reach


@bp.before_request
def require_token() -> None:
    """401 unless the request carries the configured API token."""
    expected = runtime().settings.api_token
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(401)


@bp.errorhandler(400)
@bp.errorhandler(401)
@bp.errorhandler(404)
def _error(error):
    return jsonify(error=error.description), error.code


@bp.get("/cases/<int:number>")
def case(number: int):
    """One case: who, when, its tier and tier history, its calls and where its promise stands."""
    session = db.session()
    found = find_case(session, number) or abort(404, f"no case {number}")
    return jsonify(describe(session, found, runtime().support, _now()))


@bp.post("/cases/<int:number>/tier")
def change_tier(number: int):
    """Move a case to another tier: JSON {"tier": 2, "by": "<person id>", "reason": "..."}."""
    body = request.get_json(silent=True) or {}
    session = db.session()
    with session.begin():
        found = find_case(session, number) or abort(404, f"no case {number}")
        by = _person(body.get("by"))
        tier = body.get("tier")
        try:
            move_tier(found, tier if isinstance(tier, int) else -1, by, str(body.get("reason") or ""), _now())
        except ValueError as exc:
            abort(400, str(exc))
    return case(number)


@bp.post("/cases/<int:number>/response")
def first_response(number: int):
    """Mark the case's first response: JSON {"by": "<person id>"}. Only the first one counts."""
    body = request.get_json(silent=True) or {}
    session = db.session()
    with session.begin():
        found = find_case(session, number) or abort(404, f"no case {number}")
        record_response(found, _person(body.get("by")), _now())
    return case(number)


@bp.post("/cases/<int:number>/resolve")
def resolve_case(number: int):
    """Resolve a case: JSON {"by": "<person id>"}. A resolved case stays resolved (400 the second time)."""
    body = request.get_json(silent=True) or {}
    session = db.session()
    with session.begin():
        found = find_case(session, number) or abort(404, f"no case {number}")
        try:
            resolve(found, _person(body.get("by")), _now())
        except ValueError as exc:
            abort(400, str(exc))
    return case(number)


@bp.get("/oncall")
def oncall():
    """Who is on call for every rotation, until when, and who is next; `?at=<ISO time>` asks about another moment."""
    at = _now()
    if request.args.get("at"):
        try:
            at = datetime.fromisoformat(request.args["at"])
        except ValueError:
            abort(400, "at must be an ISO 8601 time with its offset")
        if at.tzinfo is None:
            abort(400, "at must carry its UTC offset")
        if abs(at - _now()) > ONCALL_REACH:
            abort(400, f"at must be within {ONCALL_REACH.days // 365} years of now")
    support = runtime().support
    overrides = effective_overrides(db.session(), support, overrides_since(support, at))
    return jsonify(at=at.isoformat(), rotations=on_call_report(support, overrides, at))


def _person(person_id: object) -> str:
    support = runtime().support
    if not isinstance(person_id, str) or person_id not in {p.id for p in support.people}:
        abort(400, "'by' must be the id of a configured person")
    return person_id


def _now():
    return runtime().now()


from router.status import api as status_api  # noqa: E402, F401  (the status page's writing routes join `bp`)
