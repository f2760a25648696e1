"""One pass of the paging engine, as `router worker` runs it every second."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from router import db, spool
from router.escalation import escalate_due
from router.paging import fail_stuck, send_due


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
