"""What each role may see of the log: managers everything; engineers the pages that reached them, with
those pages' cases and calls and the calls that paged them; agents cases. Each returns a condition to
add to a query's WHERE."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true

from router.models import Call, Case, Notification, Page, Role, User


def pages_reaching(person_id: str | None) -> ColumnElement[bool]:
    """The pages that notified this person on any channel (a page reaches people step by step)."""
    return exists(select(Notification.id).where(Notification.page_id == Page.id,
                                                Notification.person_id == (person_id or "")))


def visible_pages(user: User) -> ColumnElement[bool]:
    return true() if user.role == Role.MANAGER else pages_reaching(user.person_id)


def visible_cases(user: User) -> ColumnElement[bool]:
    if user.role in (Role.MANAGER, Role.AGENT):
        return true()
    return Case.page_id.in_(select(Page.id).where(pages_reaching(user.person_id)))


def visible_calls(user: User) -> ColumnElement[bool]:
    """Managers see every call; engineers the calls of the cases of their pages; agents none."""
    if user.role == Role.MANAGER:
        return true()
    if user.role == Role.AGENT:
        return Call.id.is_(None)  # no row: agents work cases, not the call log
    paged = select(Case.id).where(Case.page_id.in_(select(Page.id).where(pages_reaching(user.person_id))))
    # ...and the calls that paged them (those have no case: the call is the notification).
    rang = select(Notification.twilio_sid).where(Notification.person_id == (user.person_id or ""),
                                                 Notification.twilio_sid.is_not(None))
    return or_(Call.case_id.in_(paged), Call.sid.in_(rang))
