"""SMS to our numbers: engineers acknowledging or escalating pages by reply."""

from __future__ import annotations

import hashlib

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse

from callflows.page import SmsReply, parse_reply
from router import db
from router.config import SupportConfig
from router.facts import phone_number
from router.models import InboundSms, Page
from router.paging.dialogue import HELP_LIMIT, PageSummary, SmsAnswer, SmsOutcome, answer_sms
from router.paging.machine import notifies
from router.paging.pages import asked_at, change, lock_all, page_for_case, position_of, untaken_pages_for
from router.paging.statuses import PageStatus
from router.runtime import runtime
from router.webhooks import bp
from router.webhooks.replies import twiml


@bp.post("/sms/incoming")
def sms_incoming():
    """An SMS arrived: `ACK 1042` / `1` acknowledge, `ESC 1042` / `2` escalate; strangers are logged, ignored."""
    run = runtime()
    now = run.now()
    form = request.form
    sid = form.get("MessageSid") or "sha256:" + hashlib.sha256(repr(sorted(form.items())).encode()).hexdigest()
    session = db.session()
    dispatch: list[int] = []
    with session.begin():
        earlier = session.scalars(select(InboundSms).where(InboundSms.sid == sid[:64])).first()
        if earlier is None:
            sender = phone_number(form.get("From"))
            person = run.support.person_by_phone(sender) if sender else None
            answer = _answer(session, run.support, person.id if person else None, parse_reply(form.get("Body")),
                             now, dispatch)
            earlier = InboundSms(sid=sid[:64], at=now, from_number=sender, to_number=phone_number(form.get("To")),
                                 body=form.get("Body", "")[:1600], person_id=person.id if person else None,
                                 kind=answer.outcome, outcome=answer.note[:200], reply=answer.reply)
            session.add(earlier)
    for page_id in dispatch:
        run.dispatcher.submit(page_id)
    response = MessagingResponse()
    if earlier.reply:
        response.message(earlier.reply)
    return twiml(str(response))


def _answer(session: Session, support: SupportConfig, person: str | None, reply: SmsReply, now,
            dispatch: list[int]) -> SmsAnswer:
    """Lock the pages the reply may be about, let the dialogue decide, and carry out what it decided."""
    reached: list[Page] = untaken_pages_for(session, person) if person else []
    named = page_for_case(session, reply.case_number) if person and reply.case_number is not None else None
    pages = {p.id: p for p in lock_all(session, [p.id for p in reached] + ([named.id] if named else []))}
    answer = answer_sms(person, reply, tuple(_summary(session, support, pages[p.id], person) for p in reached
                                             if pages[p.id].status != PageStatus.ACKNOWLEDGED),
                        _summary(session, support, pages[named.id], person) if named else None,
                        _helps_in_a_row(session, person) if person else 0)
    for page_id, event in answer.events:
        if notifies(change(session, pages[page_id], event, support, now)):
            dispatch.append(page_id)
    return answer


def _summary(session: Session, support: SupportConfig, page: Page, person: str | None) -> PageSummary:
    position = position_of(support.policy(page.policy_id), page.round, page.step) if page.step_started_at else None
    return PageSummary(page.id, tuple(case.number for case in page.cases), PageStatus(page.status), position,
                       asked_at(session, page, person) if person else None)


def _helps_in_a_row(session: Session, person: str) -> int:
    """How many of the person's last messages got the help text (or were refused it): an auto-reply on their
    phone must not talk with us for ever."""
    kinds = session.scalars(select(InboundSms.kind).where(InboundSms.person_id == person)
                            .order_by(InboundSms.id.desc()).limit(HELP_LIMIT)).all()
    count = 0
    for kind in kinds:
        if kind not in (SmsOutcome.HELP, SmsOutcome.HELP_WITHHELD):
            break
        count += 1
    return count
