"""SMS to our numbers: engineers acknowledging or escalating pages by reply, customers' contacts subscribing."""

from __future__ import annotations

import hashlib
import logging

from flask import request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
from router.status import subscribers
from router.webhooks import bp
from router.webhooks.replies import twiml, with_database

log = logging.getLogger(__name__)


UNAVAILABLE = ("The support line is having technical difficulties and could not take your reply; nothing was "
               "acknowledged or escalated. Please send it again in a few minutes.")


@bp.post("/sms/incoming")
def sms_incoming():
    """An SMS arrived: `ACK 1042` / `1` acknowledge, `ESC 1042` / `2` escalate; from anyone else, the status
    page's STATUS, SUBSCRIBE, STOP (router/status/subscribers.py)."""
    run = runtime()
    now = run.now()
    form = request.form.to_dict(flat=True)
    sid = (form.get("MessageSid") or "")[:64] or "sha256:" + hashlib.sha256(repr(sorted(form.items())).encode()
                                                                            ).hexdigest()[:57]
    dispatch: list[int] = []

    def reply() -> str | None:
        session = db.session()
        with session.begin():
            earlier = _received(session, sid)
            if earlier is None:
                sender = phone_number(form.get("From"))
                person = run.support.person_by_phone(sender) if sender else None
                answer = (_answer(session, run.support, person.id, parse_reply(form.get("Body")), now, dispatch)
                          if person else subscribers.text_received(session, run.support, sender,
                                                                   phone_number(form.get("To")), form.get("Body"), now))
                earlier = InboundSms(sid=sid, at=now, from_number=sender, to_number=phone_number(form.get("To")),
                                     body=form.get("Body", "")[:1600], person_id=person.id if person else None,
                                     kind=answer.outcome, outcome=answer.note[:200], reply=answer.reply)
                session.add(earlier)
        return earlier.reply

    try:
        text = with_database(reply)
    except IntegrityError:  # the same message posted again while the first was being answered
        earlier = _received(db.session(), sid)
        text = earlier.reply if earlier is not None else UNAVAILABLE
    except Exception:
        log.exception("SMS %s could not use the database", sid)
        text = UNAVAILABLE
    for page_id in dispatch:
        run.dispatcher.submit(page_id)
    response = MessagingResponse()
    if text:
        response.message(text)
    return twiml(str(response))


def _received(session: Session, sid: str) -> InboundSms | None:
    return session.scalars(select(InboundSms).where(InboundSms.sid == sid)).first()


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
