"""Pages as the console shows them: each notification attempt, the page's history, who took it and how
fast; and the page log, newest first, one screen at a time.

Plain functions over the session; the console's views render what they return.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from router.config import SupportConfig
from router.models import Case, Notification, Page, PageEvent
from router.models.base import MAX_ID
from router.models.cases import CASE_NUMBER_OFFSET
from router.paging.statuses import Delivery, PageStatus, twilio_status

ESCALATED = "escalated"  # the page event of a step given up on (router.paging.machine)
PAGE_SIZE = 50
PAGE_TONES: dict[str, str] = {PageStatus.ACKNOWLEDGED: "ok", PageStatus.OPEN: "warn", PageStatus.EXHAUSTED: "bad"}


@dataclass(frozen=True)
class Attempt:
    """One notification: whom it tried to reach, on which channel, and how it went."""

    notification: Notification
    whom: str
    tone: str  # the badge its status wears (delivery_tone)


@dataclass(frozen=True)
class PageStory:
    page: Page
    tone: str  # the badge its status wears (PAGE_TONES)
    zone: str | None  # the page's line's time zone
    line_name: str | None
    attempts: tuple[Attempt, ...]
    events: tuple[PageEvent, ...]
    cases: tuple[Case, ...]
    acknowledged_by: str | None  # the person's name
    seconds_to_acknowledge: float | None
    escalations: int


@dataclass(frozen=True)
class PageRow:
    """One line of the page log."""

    page: Page
    tone: str
    zone: str | None
    line_name: str | None
    case_numbers: tuple[int, ...]
    acknowledged_by: str | None
    seconds_to_acknowledge: float | None
    escalations: int
    notifications: int


@dataclass(frozen=True)
class PageLog:
    rows: tuple[PageRow, ...]
    older: int | None  # the cursor of the next screen: the id of this screen's last page, if more follow


def delivery_tone(status: str) -> str:
    """A notification status's badge: none while Twilio has it, ok once it reached the person, bad when
    it reached nobody, closed when it was called off."""
    known = twilio_status(status)
    if known is None or not known.final:
        return ""
    if known is Delivery.CANCELED:
        return "closed"
    return "bad" if known.unreached or known is Delivery.UNDELIVERED else "ok"


def page_tone(page: Page) -> str:
    return PAGE_TONES.get(page.status, "")  # a StrEnum's key matches its text


def seconds_to_acknowledge(page: Page) -> float | None:
    """How long the page waited for someone to take it: acknowledged − opened."""
    return (page.acknowledged_at - page.opened_at).total_seconds() if page.acknowledged_at else None


def tell_page(page: Page, support: SupportConfig) -> PageStory:
    """A loaded page's story (its notifications, events and cases are read through its relationships)."""
    line = support.line(page.line_number)
    return PageStory(
        page=page, tone=page_tone(page), zone=line.timezone.key if line else None,
        line_name=line.name if line else None,
        attempts=tuple(Attempt(n, support.person_name(n.person_id), delivery_tone(n.status))
                       for n in page.notifications),
        events=tuple(page.events), cases=tuple(page.cases),
        acknowledged_by=support.person_name(page.acknowledged_by) if page.acknowledged_by else None,
        seconds_to_acknowledge=seconds_to_acknowledge(page),
        escalations=sum(event.kind == ESCALATED for event in page.events))


def page_story(session: Session, page_id: int, support: SupportConfig,
               visible: ColumnElement[bool]) -> PageStory | None:
    """The page with this id, if `visible` (router.console.scope) lets the user see it."""
    if not 0 < page_id <= MAX_ID:
        return None
    page = session.scalars(select(Page).where(Page.id == page_id, visible)).first()
    return tell_page(page, support) if page else None


def page_log(session: Session, support: SupportConfig, visible: ColumnElement[bool],
             older_than: int | None = None, size: int = PAGE_SIZE) -> PageLog:
    """The pages `visible` lets the user see, newest first: `size` of them after the cursor `older_than`.

    The cursor is a page's id; the screen goes on from where that page stands in (opened_at, id) order,
    so a page opened meanwhile neither repeats nor hides a row.
    """
    escalations = (select(func.count(PageEvent.id))
                   .where(PageEvent.page_id == Page.id, PageEvent.kind == ESCALATED).scalar_subquery())
    notifications = select(func.count(Notification.id)).where(Notification.page_id == Page.id).scalar_subquery()
    query = (select(Page, escalations, notifications).where(visible)
             .order_by(Page.opened_at.desc(), Page.id.desc()).limit(size + 1))
    if older_than is not None:
        since = session.scalar(select(Page.opened_at).where(Page.id == older_than))
        if since is not None:
            query = query.where(or_(Page.opened_at < since, and_(Page.opened_at == since, Page.id < older_than)))
    found = session.execute(query).all()
    shown = found[:size]
    cases: dict[int | None, list[int]] = {}
    ids = [page.id for page, _, _ in shown]
    for page_id, case_id in session.execute(select(Case.page_id, Case.id).where(Case.page_id.in_(ids))
                                            .order_by(Case.id)):
        cases.setdefault(page_id, []).append(case_id + CASE_NUMBER_OFFSET)
    rows = tuple(_row(page, support, tuple(cases.get(page.id, ())), escalated, notified)
                 for page, escalated, notified in shown)
    return PageLog(rows, shown[-1][0].id if len(found) > size else None)


def _row(page: Page, support: SupportConfig, case_numbers: tuple[int, ...], escalations: int,
         notifications: int) -> PageRow:
    line = support.line(page.line_number)
    return PageRow(page=page, tone=page_tone(page), zone=line.timezone.key if line else None,
                   line_name=line.name if line else None, case_numbers=case_numbers,
                   acknowledged_by=support.person_name(page.acknowledged_by) if page.acknowledged_by else None,
                   seconds_to_acknowledge=seconds_to_acknowledge(page), escalations=escalations,
                   notifications=notifications)

