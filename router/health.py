"""Health checks for load balancers and monitoring: is the database up, is the paging engine running?

No token and no personal data: only counts and times, so a monitor can call them freely.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from router import db
from router.models import Notification, Page, WorkerBeat

bp = Blueprint("health", __name__, url_prefix="/health")
WORKER_SILENT = dt.timedelta(seconds=30)  # no pass for this long: the worker is stuck or gone
OVERDUE = dt.timedelta(seconds=30)        # a notification or escalation this late means the engine is behind


@bp.get("")
def health():
    """200 when the web process can reach its database and it has this version's schema, 503 otherwise."""
    try:
        session = db.session()
        session.execute(text("SELECT 1"))
        problem = db.connection_schema_problem(session.connection())
    except SQLAlchemyError:
        return jsonify(status="failing", database="unreachable"), 503
    if problem:
        return jsonify(status="failing", database="not migrated", problem=problem), 503
    return jsonify(status="ok", database="ok")


@bp.get("/engine")
def engine():
    """200 when a worker made a pass lately and nothing is overdue; 503 with what is wrong otherwise."""
    now = current_app.extensions["clock"]()
    try:
        report = engine_report(now)
    except SQLAlchemyError:
        return jsonify(status="failing", problems=["database unreachable"]), 503
    return jsonify(report), 200 if report["status"] == "ok" else 503


def engine_report(now: dt.datetime) -> dict:
    """Workers seen lately, their last pass, and what is overdue."""
    session = db.session()
    last_pass = session.scalar(select(func.max(WorkerBeat.last_pass_at)))
    running = session.scalar(select(func.count()).where(WorkerBeat.last_pass_at >= now - WORKER_SILENT))
    late_notifications = session.scalar(select(func.count()).where(
        Notification.status == "pending", Notification.due_at < now - OVERDUE))
    late_escalations = session.scalar(select(func.count()).where(
        Page.status == "open", Page.next_escalation_at < now - OVERDUE))
    reached = select(Notification.id).where(Notification.page_id == Page.id).exists()
    unreached = session.scalar(select(func.count()).where(Page.status == "open", ~reached))
    problems = []
    if not running:
        problems.append("no paging engine (router serve, router worker) made a pass in the last "
                        f"{WORKER_SILENT.total_seconds():g} s: pages will not escalate")
    if late_notifications:
        problems.append(f"{late_notifications} notifications overdue by more than {OVERDUE.total_seconds():g} s")
    if late_escalations:
        problems.append(f"{late_escalations} escalations overdue by more than {OVERDUE.total_seconds():g} s")
    if unreached:
        problems.append(f"{unreached} open pages reached nobody (no one on call, no fallback)")
    return {"status": "failing" if problems else "ok", "problems": problems, "workers_running": running,
            "last_pass": last_pass.isoformat() if last_pass else None,
            "overdue_notifications": late_notifications, "overdue_escalations": late_escalations,
            "pages_reaching_nobody": unreached}
