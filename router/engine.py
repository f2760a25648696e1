"""One pass of the paging engine, as `router worker` runs it every second, and the worker's heartbeat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from sqlalchemy import delete

from router import db, spool
from router.escalation import escalate_due
from router.models import WorkerBeat
from router.paging import fail_stuck, send_due

FORGET_WORKERS_AFTER = dt.timedelta(days=1)  # a stopped worker's beat is kept a day, for the health check


def run_pass(app: Flask) -> dict[str, int]:
    """Record spooled critical calls, escalate timed-out pages, send what is due; returns the counts."""
    ext = app.extensions
    sessions, support, clock = db.sessions(app), ext["support"], ext["clock"]
    recorded = spool.replay(Path(ext["settings"].spool_dir), sessions, support)
    escalated = escalate_due(sessions, support, clock)
    stuck = fail_stuck(sessions, clock)
    sent = send_due(sessions, ext["twilio"], support, clock)
    return {"spooled calls recorded": len(recorded), "pages escalated": len(escalated),
            "stuck notifications failed": stuck, "notifications sent": sent}


def beat(app: Flask, worker: str, started_at: dt.datetime) -> None:
    """Write that `worker` has just made a pass (and forget workers silent for a day)."""
    now = app.extensions["clock"]()
    with db.sessions(app)() as session, session.begin():
        row = session.get(WorkerBeat, worker)
        if row is None:
            session.add(WorkerBeat(worker=worker, started_at=started_at, last_pass_at=now))
        else:
            row.last_pass_at = now
        session.execute(delete(WorkerBeat).where(WorkerBeat.last_pass_at < now - FORGET_WORKERS_AFTER))
