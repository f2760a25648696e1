"""How the paging worker is doing, for `/health/engine`: workers seen lately, and what is overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from router.models import Notification, Page, WorkerBeat
from router.paging.statuses import Delivery, PageStatus

WORKER_SILENT = dt.timedelta(seconds=30)  # no pass for this long: the worker is stuck or gone
OVERDUE = dt.timedelta(seconds=30)        # a notification or escalation this late means the worker is behind


def worker_report(session: Session, now: dt.datetime) -> dict[str, Any]:
    """Workers seen lately, their last pass, and what is overdue."""
    last_pass = session.scalar(select(func.max(WorkerBeat.last_pass_at)))
    running = session.scalar(select(func.count()).where(WorkerBeat.last_pass_at >= now - WORKER_SILENT))
    late_notifications = session.scalar(select(func.count()).where(
        Notification.status == Delivery.PENDING, Notification.due_at < now - OVERDUE))
    late_escalations = session.scalar(select(func.count()).where(
        Page.status == PageStatus.OPEN, Page.next_escalation_at < now - OVERDUE))
    reached = select(Notification.id).where(Notification.page_id == Page.id).exists()
    unreached = session.scalar(select(func.count()).where(Page.status != PageStatus.ACKNOWLEDGED, ~reached))
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


def lag(session: Session, now: dt.datetime) -> dt.timedelta:
    """How late the most overdue pending notification or open page's escalation is (zero when none is)."""
    due = session.scalar(select(func.min(Notification.due_at)).where(Notification.status == Delivery.PENDING))
    escalation = session.scalar(select(func.min(Page.next_escalation_at)).where(Page.status == PageStatus.OPEN))
    earliest = min((t for t in (due, escalation) if t is not None), default=now)
    return max(dt.timedelta(0), now - earliest)
