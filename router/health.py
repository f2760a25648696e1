"""Health checks for load balancers and monitoring: is the database up, is the paging engine running?

No token and no personal data: only counts and times, so a monitor can call them freely.
"""

from __future__ import annotations

from flask import Blueprint, copy_current_request_context, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from router import db
from router.deadline import DeadlinePassed, within
from router.paging.health import worker_report
from router.runtime import runtime

bp = Blueprint("health", __name__, url_prefix="/health")


ANSWER_WITHIN = 3.0  # seconds: a monitor learns of a frozen database instead of timing out itself


@bp.get("")
def health():
    """200 when the web process can reach its database and it has this version's schema, 503 otherwise."""
    def check() -> str | None:
        session = db.session()
        session.execute(text("SELECT 1"))
        return db.connection_schema_problem(session.connection())

    try:
        problem = within(ANSWER_WITHIN, copy_current_request_context(check))
    except DeadlinePassed:
        return jsonify(status="failing", database=f"not answering within {ANSWER_WITHIN:g} s"), 503
    except SQLAlchemyError:
        return jsonify(status="failing", database="unreachable"), 503
    if problem:
        return jsonify(status="failing", database="not migrated", problem=problem), 503
    return jsonify(status="ok", database="ok")


@bp.get("/engine")
def paging_worker():
    """200 when a paging worker made a pass lately and nothing is overdue; 503 with what is wrong otherwise."""
    now = runtime().now()
    try:
        report = within(ANSWER_WITHIN, copy_current_request_context(lambda: worker_report(db.session(), now)))
    except (SQLAlchemyError, DeadlinePassed):
        return jsonify(status="failing", problems=["database unreachable or not answering"]), 503
    return jsonify(report), 200 if report["status"] == "ok" else 503
