"""SMS to our numbers: engineers acknowledging or escalating pages by reply."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse

from callflows.page import HELP_SMS, case_numbers, parse_reply
from router import db
from router.escalation import acknowledge, escalate
from router.facts import phone_number
from router.models import InboundSms
from router.paging import open_pages_for, page_for_case
from router.webhooks import bp
from router.webhooks.replies import twiml

HELP_LIMIT = 5  # help texts in a row to one person, then silence until they send something we understand (GoAlert)


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
    if reply.action == "opt-out":  # Twilio itself answers and stops our SMS: a reply would be refused
        return "opted out of SMS: Twilio blocks page SMS to this phone until START (calls still go)", None
    if reply.action == "opt-in":
        return "opted back in to SMS", None
    if reply.action is None:
        if _helped_lately(session, person_id):
            return f"not understood, no help sent ({HELP_LIMIT} already sent)", None
        return "not understood, help sent", HELP_SMS
    if reply.action == "acknowledge all":
        pages = [page for page in open_pages_for(session, person_id) if acknowledge(page, person_id, "sms", now)]
        if not pages:
            return "ACK ALL with no open page", "You have no open page."
        named = case_numbers([case.number for page in pages for case in page.cases])
        return f"acknowledged {len(pages)} pages: {named}", f"Acknowledged all your open pages: {named}."
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
    numbers = [case.number for case in page.cases]
    named, one = case_numbers(numbers), len(numbers) == 1
    if page.status != "open":
        return f"{named} already acknowledged", f"{named.capitalize()} {'was' if one else 'were'} already acknowledged."
    if reply.action == "escalate":
        escalate(session, page, support, now, f"{person_id} replied to escalate")
        escalated.append(page.id)
        return f"escalated {named}", f"Escalated: {named} {'goes' if one else 'go'} to the next engineer."
    acknowledge(page, person_id, "sms", now)
    return f"acknowledged {named}", f"Acknowledged: {named} {'is' if one else 'are'} yours."


def _helped_lately(session, person_id: str) -> bool:
    """True when the person's last HELP_LIMIT messages all got the help text: stop answering (an auto-reply
    on their phone would otherwise talk with us forever)."""
    outcomes = session.scalars(select(InboundSms.outcome).where(InboundSms.person_id == person_id)
                               .order_by(InboundSms.id.desc()).limit(HELP_LIMIT)).all()
    return len(outcomes) == HELP_LIMIT and all(o.startswith("not understood") for o in outcomes)
