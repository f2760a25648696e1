"""A page's changes, one unit of work each: lock the page's row, decide, apply, and let the caller commit.

Every entry point (the critical call, the page call's keys, SMS replies, Twilio's
status callbacks, the sender, the poller, the worker's timeouts, the spool)
changes a page only through `change`, on a page it locked with `lock`. Locks
are taken in one order: a policy's opener lock, then pages by id, then their
notifications; so two entry points never wait for each other in a circle.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from router import metrics
from router.config import SupportConfig
from router.models import Case, Notification, Page, PageEvent
from router.overrides import effective_overrides
from router.paging import locks
from router.paging.machine import decide
from router.paging.page import (
    Cancel,
    Command,
    Contact,
    Event,
    Exhaust,
    Fail,
    Join,
    Move,
    Notify,
    Open,
    PageState,
    Record,
    Requeue,
    Retry,
    Rules,
    SetStatus,
    Taken,
)
from router.paging.statuses import Channel, Delivery, Kind, PageStatus
from schedules import EscalationPolicy, EscalationStep, Override, Position, resolve

log = logging.getLogger(__name__)


def lock(session: Session, page_id: int) -> Page | None:
    """The page, its row locked until the transaction ends, read afresh."""
    query = select(Page).where(Page.id == page_id).with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def lock_all(session: Session, page_ids: list[int]) -> list[Page]:
    """Several pages, locked in the order of their ids."""
    query = (select(Page).where(Page.id.in_(sorted(set(page_ids)))).order_by(Page.id).with_for_update()
             .execution_options(populate_existing=True))
    return list(session.scalars(query))


def change(session: Session, page: Page, event: Event, support: SupportConfig, now: dt.datetime) -> tuple[Command, ...]:
    """What `event` does to the locked `page`, applied to its rows; returns the commands."""
    commands = decide(state_of(session, page, support), event, rules_for(session, page, support), now)
    for command in commands:
        _apply(session, page, command, support, now)
    session.flush()
    return commands


def position_of(policy: EscalationPolicy | None, round_: int, step: int) -> Position:
    """A stored position, knowing it is the fallback when it is."""
    fallback = policy is not None and bool(policy.fallback) and (round_, step) == (policy.repeat + 1, 0)
    return Position(round_, step, fallback=fallback)


def state_of(session: Session, page: Page, support: SupportConfig) -> PageState:
    """The page as the machine sees it, its notifications read from the database now."""
    policy = support.policy(page.policy_id)
    rows = session.scalars(select(Notification).where(Notification.page_id == page.id)
                           .order_by(Notification.id).execution_options(populate_existing=True))
    contacts = tuple(Contact(n.id, n.person_id, Channel(n.channel), Kind(n.kind), position_of(policy, n.round, n.step),
                             Delivery(n.status), n.due_at, n.sent_at, n.attempts) for n in rows)
    position = position_of(policy, page.round, page.step) if page.step_started_at else None
    return PageState(PageStatus(page.status), page.opened_at, position, page.next_escalation_at, contacts)


def rules_for(session: Session, page: Page, support: SupportConfig) -> Rules:
    """The configuration's rules for the page; the database says a person's last call (the quiet interval) and
    the overrides in force when a step resolves (one small query per moment asked, only if a step resolves)."""
    overrides: dict[dt.datetime, dict[str, tuple[Override, ...]]] = {}

    def reaches(step: EscalationStep, at: dt.datetime) -> tuple[str, ...]:
        if at not in overrides:
            overrides[at] = effective_overrides(session, support, since=at)
        return resolve(step, support.rotations_by_id, overrides[at], at)

    return Rules(policy=support.policy(page.policy_id), reaches=reaches,
                 contact_methods={p.id: p.contact_methods() for p in support.people},
                 last_call=lambda person: last_call(session, person),
                 quiet=dt.timedelta(minutes=support.paging.quiet_minutes),
                 bundle=dt.timedelta(minutes=support.paging.bundle_minutes))


def last_call(session: Session, person_id: str) -> dt.datetime | None:
    """When the person's latest page call was placed, or is due (still waiting): the quiet interval counts both."""
    return session.scalar(select(func.max(func.coalesce(Notification.sent_at, Notification.due_at))).where(
        Notification.person_id == person_id, Notification.channel == Channel.VOICE,
        Notification.sent_at.is_not(None) | Notification.status.in_((Delivery.PENDING, Delivery.SENDING))))


def _apply(session: Session, page: Page, command: Command, support: SupportConfig, now: dt.datetime) -> None:
    match command:
        case Record(kind, detail):
            session.add(PageEvent(page_id=page.id, at=now, kind=kind, detail=detail[:300]))
        case Move(position, deadline):
            page.round, page.step, page.step_started_at, page.next_escalation_at = (
                position.round, position.step, now, deadline)
        case Exhaust():
            page.status, page.next_escalation_at = PageStatus.EXHAUSTED, None
        case Notify(person, channel, kind, position, due):
            session.add(Notification(
                page_id=page.id, person_id=person, channel=channel, kind=kind, round=position.round,
                step=position.step, to_number=support.person(person).phone, status=Delivery.PENDING, due_at=due,
                created_at=now, updated_at=now))
        case Cancel(ids):
            _update(session, ids, Delivery.PENDING, status=Delivery.CANCELED, updated_at=now)
        case Taken(person, via):
            _taken(page, person, via, now)
        case SetStatus(contact, status):
            _update(session, (contact,), None, status=status, updated_at=now)
        case Retry(contact, due, error):
            _update(session, (contact,), None, status=Delivery.PENDING, due_at=due, error=error[:300],
                    attempts=Notification.attempts + 1, claimed_at=None, updated_at=now)
        case Fail(contact, error):
            _update(session, (contact,), None, status=Delivery.FAILED, error=error[:300],
                    attempts=Notification.attempts + 1, updated_at=now)
        case Requeue(contact, due):
            _update(session, (contact,), Delivery.SENDING, status=Delivery.PENDING, due_at=due, claimed_at=None,
                    updated_at=now)


def _update(session: Session, ids: tuple[int, ...], only: Delivery | None, **values: object) -> None:
    query = update(Notification).where(Notification.id.in_(ids))
    if only is not None:
        query = query.where(Notification.status == only)
    session.execute(query.values(**values).execution_options(synchronize_session=False))


def _taken(page: Page, person: str, via: str, now: dt.datetime) -> None:
    page.status, page.next_escalation_at = PageStatus.ACKNOWLEDGED, None
    page.acknowledged_at, page.acknowledged_by, page.acknowledged_via = now, person, via
    metrics.acknowledged((now - page.opened_at).total_seconds())
    for case in page.cases:
        case.acknowledged_at, case.acknowledged_by, case.acknowledged_via = now, person, via


def open_or_join(session: Session, case: Case, support: SupportConfig, at: dt.datetime,
                 hold_calls: dt.timedelta = dt.timedelta(0)) -> Page:
    """The critical case's page: the policy's page still escalating within `group_minutes`, or a new one.

    An exhausted page, a taken one or an older one never absorbs a case: the new case opens a page at its
    policy's first step, with the people on call now. `hold_calls` delays the first step's calls while the
    caller is put through live.
    """
    joined: Page | None = case.page
    if joined is not None:
        return joined
    line = support.line(case.line_number)
    policy_id = line.escalation_policy if line else None
    if policy_id:
        locks.hold(session, f"page:{policy_id}")  # callers arriving together find each other's page
        page = _joinable(session, policy_id, support, at)
        if page is not None:
            case.page = page
            change(session, page, Join(case.number), support, at)
            return page
    page = Page(line_number=case.line_number, policy_id=policy_id, status=PageStatus.OPEN, opened_at=at)
    session.add(page)
    metrics.page_opened(policy_id)
    case.page = page
    session.flush()
    if policy_id is None:
        log.warning("case %s: line %s names no escalation policy", case.number, case.line_number)
    change(session, page, Open(case.number, hold_calls), support, at)
    return page


def _joinable(session: Session, policy_id: str, support: SupportConfig, at: dt.datetime) -> Page | None:
    window = dt.timedelta(minutes=support.paging.group_minutes)
    if not window:
        return None
    # No upper bound: a caller whose request read the clock a moment before the page's opener did still joins.
    query = (select(Page).where(Page.policy_id == policy_id, Page.status == PageStatus.OPEN,
                                Page.opened_at >= at - window)
             .order_by(Page.id.desc()).limit(1).with_for_update().execution_options(populate_existing=True))
    return session.scalars(query).first()


def untaken_pages_for(session: Session, person_id: str) -> list[Page]:
    """The pages not yet taken that have reached this person, oldest first."""
    query = (select(Page).join(Notification).where(Notification.person_id == person_id,
                                                   Page.status != PageStatus.ACKNOWLEDGED)
             .distinct().order_by(Page.id))
    return list(session.scalars(query))


def page_for_case(session: Session, case_number: int) -> Page | None:
    """The page carrying the case with this number."""
    row = Case.id_for(case_number)
    case = session.get(Case, row) if row is not None else None
    return case.page if case else None


def asked_at(session: Session, page: Page, person_id: str) -> Position | None:
    """The step at which the page last reached this person (an ESC of theirs escalates from there)."""
    latest = session.execute(select(Notification.round, Notification.step).where(
        Notification.page_id == page.id, Notification.person_id == person_id, Notification.kind == Kind.PAGE)
        .order_by(Notification.id.desc()).limit(1)).first()
    return Position(latest.round, latest.step) if latest else None
