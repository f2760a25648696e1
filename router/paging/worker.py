"""The paging worker's loop, as `router serve` and `router worker` run it every second, and its heartbeat."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable

from sqlalchemy import ColumnElement, delete, select

from router import metrics, spool
from router.models import Page, WorkerBeat
from router.paging.dispatcher import Dispatcher
from router.paging.health import lag
from router.paging.page import TimedOut
from router.paging.pages import change, lock
from router.paging.recovery import poll_silent, recover_stuck
from router.paging.sender import pages_due, send_due
from router.paging.services import Services
from router.paging.statuses import PageStatus
from router.status.engine import status_pass

FORGET_WORKERS_AFTER = dt.timedelta(days=1)  # a stopped worker's beat is kept a day, for the health check



def run_pass(services: Services, dispatcher: Dispatcher | None = None) -> dict[str, int]:
    """Record spooled critical calls, escalate timed-out pages, settle stuck sends, send what is due, ask
    Twilio about notifications gone silent; returns the counts.

    With a `dispatcher` (the engine's loop), every page with something due is sent from its threads: a burst
    of sends, or a Twilio that does not answer, never holds the next pass and its deadlines up.
    """
    recorded = spool.replay(services)
    escalated = escalate_due(services)
    stuck = recover_stuck(services)
    if dispatcher is None:
        handed, sent = 0, send_due(services)
    else:
        due = dict.fromkeys([*escalated, *pages_due(services)])
        handed, sent = sum(dispatcher.submit(page_id) for page_id in due), 0
    polled = poll_silent(services)
    return {"spooled calls recorded": len(recorded), "pages escalated": len(escalated),
            "stuck notifications settled": stuck, "notifications sent": sent, "pages handed to senders": handed,
            "silent notifications polled": polled, **status_pass(services)}


def escalate_due(services: Services, limit: int = 50) -> list[int]:
    """Escalate every page whose step has timed out; returns their ids.

    Those no one else holds go in one transaction (one commit for a burst of deadlines); a page a sender
    or a callback holds for a moment is then waited for, alone, rather than left to the next pass. A page
    another worker escalated first is left as it is (the machine sees its step's deadline has moved). A pass
    that finds none only reads.
    """
    if not services.finds(select(Page.id).where(*_timed_out(services.clock()))):
        return []
    with services.sessions() as session, session.begin():
        now = services.clock()
        free = session.scalars(select(Page).where(*_timed_out(now)).order_by(Page.next_escalation_at).limit(limit)
                               .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
        escalated = [page.id for page in free if change(session, page, TimedOut(), services.support, now)]
    with services.readers() as session:
        held = session.scalars(select(Page.id).where(*_timed_out(services.clock()))
                               .order_by(Page.next_escalation_at).limit(limit)).all()
    for page_id in held:
        with services.sessions() as session, session.begin():
            page = lock(session, page_id)
            if page is not None and change(session, page, TimedOut(), services.support, services.clock()):
                escalated.append(page_id)
    return escalated


def _timed_out(now: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    return Page.status == PageStatus.OPEN, Page.next_escalation_at <= now


def summary_line(summary: dict[str, int]) -> str:
    """What a pass did, e.g. "1 pages escalated, 3 notifications sent"."""
    return ", ".join(f"{count} {what}" for what, count in summary.items() if count)


def beat(services: Services, worker: str, started_at: dt.datetime) -> None:
    """Write that `worker` has just made a pass (and forget workers silent for a day)."""
    now = services.clock()
    with services.sessions() as session, session.begin():
        row = session.get(WorkerBeat, worker)
        if row is None:
            session.add(WorkerBeat(worker=worker, started_at=started_at, last_pass_at=now))
        else:
            row.last_pass_at = now
        session.execute(delete(WorkerBeat).where(WorkerBeat.last_pass_at < now - FORGET_WORKERS_AFTER))


def work(services: Services, interval: float, stop: threading.Event, report: Callable[[str], None]) -> None:
    """Make a pass every `interval` seconds until `stop` is set, beating after each.

    A pass that fails (the database or Twilio down) is reported and tried again: the worker never stops for it.
    """
    worker = f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]
    started = services.clock()
    dispatcher = Dispatcher(services, threads=4)
    try:
        while not stop.is_set():
            try:
                with metrics.engine_pass():
                    summary = run_pass(services, dispatcher)
                beat(services, worker, started)
                observe(services)
            except Exception as exc:  # noqa: BLE001 - reported; the next pass tries again
                report(f"pass failed, trying again in {interval:g} s: {exc!r}"[:500])
            else:
                if any(summary.values()):
                    report(summary_line(summary))
            stop.wait(interval)
    finally:
        dispatcher.shutdown()


def observe(services: Services) -> None:
    """The engine's lag (its most overdue notification or escalation) and the spool's depth, for `/metrics`."""
    with services.readers() as session:
        behind = lag(session, services.clock())
    metrics.engine_state(behind.total_seconds(), spool.depth(services.spool_dir))
