"""The paging engine's state changes: open a page, enter a step, escalate, acknowledge.

Everything here runs inside the caller's transaction on rows it has locked;
`router worker` finds the pages whose step has timed out with
`FOR UPDATE SKIP LOCKED`, so several workers never escalate one page twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from router import locks
from router.clock import Clock
from router.config import SupportConfig
from router.models import Case, Notification, Page, PageEvent
from schedules import (
    Position,
    contact_plan,
    first_position,
    next_position,
    quiet_until,
    resolve,
    step_at,
)

log = logging.getLogger(__name__)
UNREACHED = {"busy", "no-answer", "failed", "canceled", "machine"}  # a call that reached nobody


def open_page(session: Session, case: Case, support: SupportConfig, at: dt.datetime,
              hold_calls: dt.timedelta = dt.timedelta(0)) -> Page:
    """Page for a critical case: join the open page of the same policy, or open one at its first step.

    `hold_calls` delays the first step's voice calls while the caller is being put through live.
    """
    if case.page is not None:
        return case.page
    line = support.line(case.line_number)
    policy_id = line.escalation_policy if line else None
    _one_page_opener_per_policy(session, policy_id)
    page = session.scalars(select(Page).where(Page.policy_id == policy_id, Page.status == "open")
                           .order_by(Page.id.desc())).first() if policy_id else None
    if page is not None:
        case.page = page
        _event(page, at, "case joined", f"case {case.number} joined the open page")
        _tell_current_people(session, page, support, at)
        return page
    page = Page(line_number=case.line_number, policy_id=policy_id, status="open", opened_at=at)
    case.page = page
    session.add(page)
    _event(page, at, "opened", f"for case {case.number}")
    policy = support.policy(policy_id)
    if policy is None:
        _event(page, at, "no policy", f"line {case.line_number} names no escalation policy")
        log.warning("case %s: line %s names no escalation policy", case.number, case.line_number)
    else:
        enter_step(session, page, support, first_position(policy), at, hold_calls)
    session.flush()
    return page


def _one_page_opener_per_policy(session: Session, policy_id: str | None) -> None:
    """Critical calls arriving together must find each other's open page: take the policy's lock first.

    PostgreSQL: a transaction-scoped advisory lock; SQLite's transactions are already serialised.
    """
    if policy_id:
        locks.hold(session, f"page:{policy_id}")


def enter_step(session: Session, page: Page, support: SupportConfig, position: Position | None,
               at: dt.datetime, hold_calls: dt.timedelta = dt.timedelta(0)) -> None:
    """Move the page to `position`, skipping at once any step that reaches nobody, and notify its people."""
    policy = support.policy(page.policy_id)
    while position is not None:
        people = resolve(step_at(policy, position), support.rotations_by_id, support.overrides_by_rotation, at)
        if people:
            break
        _event(page, at, "nobody", f"{_where(position)} reaches nobody: next step at once")
        position = next_position(policy, position)
    if position is None:
        page.next_escalation_at = None
        _event(page, at, "exhausted", "escalation ran out; the page stays open until acknowledged")
        return
    step = step_at(policy, position)
    page.round, page.step = position.round, position.step
    page.step_started_at, page.next_escalation_at = at, at + step.delay
    _event(page, at, "step", f"{_where(position)} → {', '.join(people)}")
    page.next_escalation_at += hold_calls
    for person_id in people:
        _notify(session, page, support, person_id, at, hold_calls)


def _notify(session: Session, page: Page, support: SupportConfig, person_id: str, at: dt.datetime,
            hold_calls: dt.timedelta) -> None:
    person = support.person(person_id)
    quiet = dt.timedelta(minutes=support.paging.quiet_minutes)
    for due, channel in contact_plan(person.contact_methods(), at):
        if channel == "voice":
            due += hold_calls
            due = max(due, quiet_until(_calls_to(session, person_id), quiet) or due)
        session.add(Notification(
            page=page, person_id=person_id, channel=channel, round=page.round, step=page.step,
            to_number=person.phone, status="pending", due_at=due, created_at=at, updated_at=at))


def _calls_to(session: Session, person_id: str) -> list[dt.datetime]:
    """When the person's latest page call was placed, or is due (still waiting): the quiet interval counts both.

    Only the latest matters, so the database finds it (a person's history only grows).
    """
    latest = session.scalar(select(func.max(func.coalesce(Notification.sent_at, Notification.due_at))).where(
        Notification.person_id == person_id, Notification.channel == "voice",
        Notification.sent_at.is_not(None) | Notification.status.in_(("pending", "sending"))))
    return [latest] if latest is not None else []


def _tell_current_people(session: Session, page: Page, support: SupportConfig, at: dt.datetime) -> None:
    """A case joined the page: the people of its current step get one SMS about the cases that joined.

    Bundled, so that a burst of calls is not a burst of messages: while a person's SMS about the
    page is still waiting, it will name this case too (its text is written when it is sent);
    otherwise the next one waits until `bundle_minutes` after their last. The waiting SMS is
    locked, so a sender claiming it now (SKIP LOCKED) leaves it until this case is committed.
    """
    reached = session.scalars(select(Notification.person_id).distinct().where(
        Notification.page_id == page.id, Notification.round == page.round, Notification.step == page.step)).all()
    bundle = dt.timedelta(minutes=support.paging.bundle_minutes)
    for person_id in sorted(reached):
        last = session.execute(select(Notification.status, Notification.sent_at, Notification.due_at).where(
            Notification.page_id == page.id, Notification.person_id == person_id, Notification.channel == "sms",
            Notification.status.not_in(("canceled", "failed"))).order_by(Notification.id.desc()).limit(1)
            .with_for_update()).first()
        if last is not None and last.status == "pending":
            continue
        due = at if last is None else max(at, (last.sent_at or last.due_at) + bundle)
        session.add(Notification(
            page=page, person_id=person_id, channel="sms", kind="joined", round=page.round, step=page.step,
            to_number=support.person(person_id).phone, status="pending", due_at=due,
            created_at=at, updated_at=at))


def escalate(session: Session, page: Page, support: SupportConfig, at: dt.datetime, why: str) -> None:
    """Go to the next step now (a timeout, "2" pressed, an SMS "ESC", every call unanswered)."""
    if page.status != "open":
        return
    policy = support.policy(page.policy_id)
    _event(page, at, "escalated", why)
    _cancel_pending(page, at)
    enter_step(session, page, support, next_position(policy, Position(page.round, page.step)), at)


def escalate_due(sessions: sessionmaker[Session], support: SupportConfig, clock: Clock, limit: int = 50) -> list[int]:
    """Escalate every open page whose step has timed out; returns their ids (to send what is now due)."""
    with sessions() as session, session.begin():
        now = clock()
        pages = session.scalars(select(Page).where(Page.status == "open", Page.next_escalation_at <= now)
                                .order_by(Page.next_escalation_at).limit(limit)
                                .with_for_update(skip_locked=True)).all()
        for page in pages:
            escalate(session, page, support, now, f"no acknowledgement by {page.next_escalation_at:%H:%M:%S}")
        return [page.id for page in pages]


def acknowledge(page: Page, person_id: str, via: str, at: dt.datetime) -> bool:
    """Someone took the page: every case on it is acknowledged, escalation stops. False if already taken."""
    if page.status != "open":
        return False
    page.status, page.acknowledged_at, page.acknowledged_by, page.acknowledged_via = "acknowledged", at, person_id, via
    page.next_escalation_at = None
    for case in page.cases:
        case.acknowledged_at, case.acknowledged_by, case.acknowledged_via = at, person_id, via
    _cancel_pending(page, at)
    _event(page, at, "acknowledged", f"by {person_id} via {via}")
    return True


def move_on_if_nobody_answered(session: Session, page: Page, support: SupportConfig, at: dt.datetime) -> bool:
    """When every call of the current step reached nobody (busy, no answer, voicemail), escalate at once."""
    calls = session.scalars(select(Notification).where(
        Notification.page_id == page.id, Notification.channel == "voice",
        Notification.round == page.round, Notification.step == page.step)).all()
    if page.status != "open" or not calls or any(n.status not in UNREACHED for n in calls):
        return False
    escalate(session, page, support, at, "every call of the step reached nobody")
    return True


def _cancel_pending(page: Page, at: dt.datetime) -> None:
    for notification in page.notifications:
        if notification.status == "pending":
            notification.status, notification.updated_at = "canceled", at


def _event(page: Page, at: dt.datetime, kind: str, detail: str) -> None:
    # Added to the session, not appended to page.events: a long history stays unloaded.
    object_session(page).add(PageEvent(page=page, at=at, kind=kind, detail=detail[:300]))


def _where(position: Position) -> str:
    if position.is_fallback:
        return "fallback"
    return f"step {position.step + 1} (round {position.round + 1})"
