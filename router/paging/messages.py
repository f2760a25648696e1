"""What a page says: the facts the page call and the SMS read (`callflows.page` writes the words)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callflows.page import LISTED, CaseSummary, JoinedCases, PageFacts, joined_sms, page_sms
from router.config import SupportConfig
from router.models import CASE_NUMBER_OFFSET, Case, Notification, Page
from router.paging.statuses import Kind


def page_facts(page: Page, support: SupportConfig) -> PageFacts:
    """What the engineer hears and reads about the page: every case it carries."""
    line = support.line(page.line_number)
    cases = tuple(case_summary(case, support) for case in page.cases)
    acknowledged_by = support.person_name(page.acknowledged_by) if page.acknowledged_by else None
    return PageFacts(company=support.service.company, line=line.name if line else page.line_number,
                     cases=cases, acknowledged_by=acknowledged_by, voice=support.service.english_voice)


def case_summary(case: Case, support: SupportConfig) -> CaseSummary:
    """One case as a page reads it: its number, its customer, who called."""
    customer = support.customer(case.customer_id)
    return CaseSummary(case.number, customer.name if customer else "an unidentified caller", case.caller_number,
                       case.description)


def sms_text(session: Session, notification: Notification, page: Page,
             support: SupportConfig) -> tuple[str | None, int | None]:
    """The SMS's text, written when it is sent so it names every case it is about, and the newest case named.

    None when a "joined" SMS has nothing left to tell (an earlier one named its cases).
    """
    if notification.kind != Kind.JOINED:
        # Only a page's own SMS reads all its cases (a call reads them when answered).
        return page_sms(page_facts(page, support)), max((c.id for c in page.cases), default=None)
    told = session.scalar(select(func.max(Notification.last_case_id)).where(
        Notification.page_id == page.id, Notification.person_id == notification.person_id,
        Notification.id != notification.id))
    # One look at the page's cases, so that the count, the names and the newest agree.
    total, first_id, newest = session.execute(select(func.count(), func.min(Case.id), func.max(Case.id))
                                              .where(Case.page_id == page.id)).one()
    new = select(Case).where(Case.page_id == page.id, Case.id > (told or 0), Case.id <= (newest or 0))
    count = session.scalar(select(func.count()).select_from(new.subquery()))
    if not count:
        return None, None
    named = session.scalars(new.order_by(Case.id).limit(LISTED)).all()
    line = support.line(page.line_number)
    joined = JoinedCases(
        company=support.service.company, line=line.name if line else page.line_number,
        first_case=first_id + CASE_NUMBER_OFFSET, named=tuple(case_summary(c, support) for c in named),
        count=count, total=total)
    return joined_sms(joined), newest
