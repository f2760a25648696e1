"""SMS to our numbers: engineers acknowledging or escalating pages by reply."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse

from callflows.page import HELP_SMS, parse_reply
from router import db
from router.escalation import acknowledge, escalate
from router.facts import phone_number
from router.models import InboundSms
from router.paging import open_pages_for, page_for_case
from router.webhooks import bp
from router.webhooks.replies import twiml


@bp.post("/sms/incoming")
def sms_incoming():
    """An SMS arrived: `ACK 1042` / `1` acknowledge, `ESC 1042` / `2` escalate; strangers are logged, ignored."""
    support = current_app.extensions["support"]
    now = current_app.extensions["clock"]()
    form = request.form
    sid = form.get("MessageSid") or "sha256:" + hashlib.sha256(repr(sorted(form.items())).encode()).hexdigest()
    session = db.session()
    escalated: list[int] = []
    with session.begin():
        earlier = session.scalars(select(InboundSms).where(InboundSms.sid == sid)).first()
        if earlier is None:
            sender = phone_number(form.get("From"))
            person = support.person_by_phone(sender) if sender else None
            outcome, reply = _answer(session, support, person.id if person else None, form.get("Body", ""), now,
                                     escalated)
            earlier = InboundSms(sid=sid[:64], at=now, from_number=sender, to_number=phone_number(form.get("To")),
                                 body=form.get("Body", "")[:1600], person_id=person.id if person else None,
                                 outcome=outcome[:200], reply=reply)
            session.add(earlier)
    for page_id in escalated:
        current_app.extensions["dispatcher"].submit(page_id)
    response = MessagingResponse()
    if earlier.reply:
        response.message(earlier.reply)
    return twiml(str(response))


def _answer(session, support, person_id: str | None, body: str, now, escalated: list[int]) -> tuple[str, str | None]:
    """What the SMS does and what we reply (nothing to strangers)."""
    if person_id is None:
        return "unknown sender, ignored", None
    reply = parse_reply(body)
    if reply.action is None:
        return "not understood, help sent", HELP_SMS
    if reply.case_number is not None:
        page = page_for_case(session, reply.case_number)
        if page is None:
            return f"no page for case {reply.case_number}", f"There is no page for case {reply.case_number}."
    else:
        pages = open_pages_for(session, person_id)
        if len(pages) != 1:
            return (f"{'1' if reply.action == 'acknowledge' else '2'} with {len(pages)} open pages",
                    "You have no open page." if not pages else "You have several open pages. " + HELP_SMS)
        page = pages[0]
    numbers = ", ".join(str(case.number) for case in page.cases)
    if page.status != "open":
        return f"case {numbers} was already acknowledged", f"Case {numbers} was already acknowledged."
    if reply.action == "escalate":
        escalate(session, page, support, now, f"{person_id} replied to escalate")
        escalated.append(page.id)
        return f"escalated case {numbers}", f"Escalated: case {numbers} goes to the next engineer."
    acknowledge(page, person_id, "sms", now)
    return f"acknowledged case {numbers}", f"Acknowledged: case {numbers} is yours."
