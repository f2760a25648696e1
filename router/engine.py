"""One pass of the paging engine, as `router worker` runs it every second, and the worker's heartbeat."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import delete

from router import db, spool
from router.escalation import escalate_due
from router.models import WorkerBeat
from router.paging import fail_stuck, poll_silent, send_due

FORGET_WORKERS_AFTER = dt.timedelta(days=1)  # a stopped worker's beat is kept a day, for the health check


def run_pass(app: Flask) -> dict[str, int]:
    """Record spooled critical calls, escalate timed-out pages, send what is due, ask Twilio about notifications
    gone silent; returns the counts."""
    ext = app.extensions
    sessions, support, clock = db.sessions(app), ext["support"], ext["clock"]
    recorded = spool.replay(Path(ext["settings"].spool_dir), sessions, support)
    escalated = escalate_due(sessions, support, clock)
    stuck = fail_stuck(sessions, clock)
    sent = send_due(sessions, ext["twilio"], support, clock)
    polled = poll_silent(sessions, ext["twilio"], support, clock)
    return {"spooled calls recorded": len(recorded), "pages escalated": len(escalated),
            "stuck notifications failed": stuck, "notifications sent": sent, "silent notifications polled": polled}


def summary_line(summary: dict[str, int]) -> str:
    """What a pass did, e.g. "1 pages escalated, 3 notifications sent"."""
    return ", ".join(f"{count} {what}" for what, count in summary.items() if count)


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


def work(app: Flask, interval: float, stop: threading.Event, report: Callable[[str], None]) -> None:
    """Make a pass every `interval` seconds until `stop` is set, beating after each.

    A pass that fails (the database or Twilio down) is reported and tried again: the engine never stops for it.
    """
    worker = f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]
    started = app.extensions["clock"]()
    while not stop.is_set():
        try:
            with app.app_context():
                summary = run_pass(app)
                beat(app, worker, started)
        except Exception as exc:  # noqa: BLE001 - reported; the next pass tries again
            report(f"pass failed, trying again in {interval:g} s: {exc!r}"[:500])
        else:
            if any(summary.values()):
                report(summary_line(summary))
        stop.wait(interval)
