"""The page a seeded critical case opens: whom each step reached (as `schedules` resolves the on-call
rotations at that moment), the notifications, the acknowledgement after a while, or escalation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from callflows.page import CaseSummary, PageFacts, page_sms
from router.config import Line
from router.models import CASE_NUMBER_OFFSET
from router.paging.statuses import Channel, Delivery, PageStatus, Via
from schedules import contact_plan, first_position, next_position, resolve, step_at

if TYPE_CHECKING:
    from router.seed import Batch, _History

ACK_MEDIAN_SECONDS = 150.0
CALLBACK_MINUTES = (3, 25)  # the engineer calls the customer back this long after acknowledging


def page_rows(history: _History, batch: Batch, line: Line, case: dict) -> None:
    """Open the case's page and play its escalation until someone acknowledges (or it runs out, or it is now)."""
    support, rng = history.support, history.rng
    policy = support.policy(line.escalation_policy)
    page_id, opened = history._id("pages"), case["opened_at"]
    page = {"id": page_id, "line_number": line.number, "policy_id": line.escalation_policy,
            "status": PageStatus.OPEN.value, "opened_at": opened, "round": 0, "step": 0, "step_started_at": None,
            "next_escalation_at": None,
            "acknowledged_at": None, "acknowledged_by": None, "acknowledged_via": None}
    case["page_id"] = page_id
    batch.rows["pages"].append(page)
    number = case["id"] + CASE_NUMBER_OFFSET
    event = _events(history, batch, page_id)
    event(opened, "opened", f"for case {number}")
    customer = support.customer(case["customer_id"])
    sms = page_sms(PageFacts(company=support.service.company, line=line.name, voice=support.service.english_voice,
                             cases=(CaseSummary(number, customer.name if customer else "an unidentified caller",
                                                case["caller_number"], case["description"]),)))
    position, now = (first_position(policy) if policy else None), opened
    while position is not None:
        step = step_at(policy, position)
        people = resolve(step, support.rotations_by_id, support.overrides_by_rotation, now)
        where = "fallback" if position.is_fallback else f"step {position.step + 1} (round {position.round + 1})"
        if not people:
            event(now, "nobody", f"{where} reaches nobody: next step at once")
            position = next_position(policy, position)
            continue
        deadline = now + step.delay
        page.update(round=position.round, step=position.step, step_started_at=now, next_escalation_at=deadline)
        event(now, "step", f"{where} → {', '.join(people)}")
        delay = dt.timedelta(seconds=rng.lognormvariate(0, 0.9) * ACK_MEDIAN_SECONDS)
        taken = now + delay < deadline and rng.random() < 0.92
        by, via = rng.choice(people), (Via.VOICE if rng.random() < 0.7 else Via.SMS)
        for person in people:
            _notify(history, batch, page_id, case, person, position, now, sms,
                    answered=taken and person == by and via == Via.VOICE)
        if taken:
            if now + delay < history.end:  # else still waiting for the engineer at the end of the history
                _acknowledged(history, page, case, by, via.value, now + delay, event)
            return
        if deadline >= history.end:
            return
        event(deadline, "escalated", f"no acknowledgement by {deadline:%H:%M:%S %Z}")
        position, now = next_position(policy, position), deadline
    page.update(status=PageStatus.EXHAUSTED.value, next_escalation_at=None)
    event(now, "exhausted", "escalation ran out; the page waits until someone takes it")


def _events(history: _History, batch: Batch, page_id: int):
    def event(at: dt.datetime, kind: str, detail: str) -> None:
        batch.rows["page_events"].append({"id": history._id("page_events"), "page_id": page_id, "at": at,
                                          "kind": kind, "detail": detail[:300]})
    return event


def _acknowledged(history: _History, page: dict, case: dict, by: str, via: str, at: dt.datetime, event) -> None:
    page.update(status=PageStatus.ACKNOWLEDGED.value, next_escalation_at=None, acknowledged_at=at, acknowledged_by=by,
                acknowledged_via=via)
    case.update(acknowledged_at=at, acknowledged_by=by, acknowledged_via=via)
    event(at, "acknowledged", f"by {by} via {via}")
    called_back = at + dt.timedelta(minutes=history.rng.uniform(*CALLBACK_MINUTES))
    if case["first_answered_at"] is None and called_back < history.end:
        case["first_answered_at"], case["first_answered_by"] = called_back, by


def _notify(history: _History, batch: Batch, page_id: int, case: dict, person_id: str, position, now: dt.datetime,
            sms: str, answered: bool) -> None:
    """The person's contact methods from `now`: an SMS delivered, a call answered by them or not."""
    person = history.support.person(person_id)
    for due, channel in contact_plan(person.contact_methods(), now):
        sent = due + dt.timedelta(seconds=history.rng.uniform(0.2, 2))
        notification_id = history._id("notifications")
        if channel == Channel.SMS:
            state, body, answered_by = Delivery.DELIVERED.value, sms, None
            sid = f"SMseed{history.seed:04d}{notification_id:024d}"
        else:
            reached = answered or history.rng.random() < 0.5  # someone not acknowledging may still pick up
            state = (Delivery.COMPLETED if reached else Delivery.NO_ANSWER).value
            sid, body = f"CAseedpage{history.seed:04d}{notification_id:020d}", None
            answered_by = "human" if state == Delivery.COMPLETED else None
        batch.rows["notifications"].append({
            "id": notification_id, "page_id": page_id, "person_id": person_id, "channel": str(channel), "kind": "page",
            "round": position.round, "step": position.step, "to_number": person.phone, "status": state,
            "due_at": due, "claimed_at": due, "body": body, "twilio_sid": sid, "answered_by": answered_by,
            "last_case_id": case["id"] if channel == Channel.SMS else None, "error": None, "attempts": 1,
            "created_at": now, "sent_at": sent, "updated_at": sent + dt.timedelta(seconds=20)})
