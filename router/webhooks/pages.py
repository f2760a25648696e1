"""The engineer's page call: read the cases, take the key press, follow Twilio's statuses.

Each view changes its page only through `router.paging.pages.change`, on the page locked for the request.
"""

from __future__ import annotations

import dataclasses
import logging

from flask import abort, request
from werkzeug.exceptions import HTTPException

from callflows.decision import Decision, FlowState
from callflows.page import page_call as page_call_flow
from callflows.page import page_key as page_key_flow
from callflows.page import page_unavailable, whisper_unavailable
from callflows.page import whisper as whisper_flow
from callflows.page import whisper_key as whisper_key_flow
from router import db, metrics
from router.calllog import call_ended
from router.cases import find_case, record_response
from router.facts import phone_number
from router.links import external_url
from router.models import Notification
from router.paging import callbacks
from router.paging.machine import notifies
from router.paging.messages import case_summary, page_facts
from router.paging.page import Acknowledge, Escalate, Status
from router.paging.pages import change, lock, lock_all, position_of, untaken_pages_for
from router.paging.statuses import MACHINE_ANSWERS, Channel, Via, call_result, twilio_status
from router.runtime import runtime
from router.webhooks import bp
from router.webhooks.replies import answer_once, twiml, with_database

log = logging.getLogger(__name__)


def _key_url(notification_id: int):
    def url(step: str, state: FlowState) -> str:
        return external_url("webhooks.page_key", notification_id=notification_id, attempt=state.attempt)
    return url


@bp.post(callbacks.route(callbacks.PAGE_CALL))
def page_call(notification_id: int):
    """The page call was answered, by the engineer or by their voicemail."""
    machine = request.form.get("AnsweredBy") in MACHINE_ANSWERS
    return _page_step(notification_id, "page", lambda facts: (page_call_flow(facts, machine), None), machine)


@bp.post(callbacks.route(callbacks.PAGE_KEY))
def page_key(notification_id: int):
    """The engineer pressed a key (or nothing) on the page call."""
    attempt = request.args.get("attempt", "0")
    state = FlowState(attempt=min(int(attempt), 9) if attempt.isascii() and attempt.isdigit() else 0)
    digits = (request.form.get("Digits") or "").strip() or None
    return _page_step(notification_id, "page_key", lambda facts: page_key_flow(facts, digits, state))


def _page_step(notification_id: int, step: str, decide, machine: bool = False):
    support = runtime().support
    dispatch: list[int] = []

    def respond(session, now):
        notification = session.get(Notification, notification_id) or abort(404)
        person = notification.person_id
        others = [p.id for p in untaken_pages_for(session, person) if p.id != notification.page_id]
        pages = {p.id: p for p in lock_all(session, [notification.page_id, *others])}
        page = pages[notification.page_id]
        facts = dataclasses.replace(page_facts(page, support), other_open_pages=len(others))
        decision, action = decide(facts)
        events = []
        if action in ("acknowledge", "acknowledge all"):
            targets = [page.id, *others] if action == "acknowledge all" else [page.id]
            events = [(pages[i], Acknowledge(person, Via.VOICE)) for i in targets]
        elif action == "escalate":
            at = position_of(support.policy(page.policy_id), notification.round, notification.step)
            events = [(page, Escalate(person, at, "pressed 2"))]
        results = {p.id: change(session, p, event, support, now) for p, event in events}
        if action in ("acknowledge", "acknowledge all") and not results.get(page.id):
            decision = Decision("acknowledged already", decision.speech, decision.action)
        dispatch.extend(page_id for page_id, commands in results.items() if notifies(commands))
        if machine:
            notification.answered_by = request.form.get("AnsweredBy", "")[:24]
        call = {"direction": "page", "line_number": page.line_number, "from_number": page.line_number,
                "to_number": notification.to_number}
        return decision, _key_url(notification_id), call

    document = answer_once(step, respond, lambda: page_unavailable(support.service.english_voice))
    for page_id in dispatch:
        runtime().dispatcher.submit(page_id)
    return twiml(document)


@bp.post(callbacks.route(callbacks.PAGE_STATUS))
def page_status(notification_id: int):
    """Twilio's status callback for a page call: busy, no-answer, failed or voicemail move on at once."""
    status = request.form.get("CallStatus", "")
    return _notification_status(notification_id, status)


@bp.post(callbacks.route(callbacks.SMS_STATUS))
def sms_status(notification_id: int):
    """Twilio's status callback for a page SMS: sent, delivered, undelivered, failed."""
    return _notification_status(notification_id, request.form.get("MessageStatus")
                                or request.form.get("SmsStatus", ""))


def _notification_status(notification_id: int, reported: str):
    run = runtime()
    now = run.now()
    form = request.form.to_dict(flat=True)

    def record() -> int | None:
        session = db.session()
        with session.begin():
            notification = session.get(Notification, notification_id) or abort(404)
            page = lock(session, notification.page_id)
            status = twilio_status(reported)
            metrics.notification(notification.channel, status or "unknown")
            if status is not None and notification.channel == Channel.VOICE:
                status = call_result(status, form.get("AnsweredBy") or notification.answered_by)
            commands = change(session, page, Status(notification_id, status), run.support, now) if status else ()
            if notification.channel == Channel.VOICE and form.get("CallSid"):
                call_ended(session, form["CallSid"], reported[:24], form.get("CallDuration"), now)
        return notification.page_id if notifies(commands) else None

    try:
        page_id = with_database(record)
        if page_id is not None:
            run.dispatcher.submit(page_id)
    except HTTPException:
        raise
    except Exception:
        # Twilio does not post a status twice; the engine's poller asks Twilio for it once the database is back.
        log.exception("the status of notification %s could not be recorded", notification_id)
    return "", 204


@bp.post("/voice/whisper/<int:case_number>")
def whisper(case_number: int):
    """Live connect: the engineer answered; before the caller is put through, they must press 1."""
    return _whisper_step(case_number, "whisper")


@bp.post("/voice/whisper/<int:case_number>/key")
def whisper_key(case_number: int):
    """The engineer's key on the whisper: 1 accepts the live call (the acknowledgement, the first response)."""
    return _whisper_step(case_number, "whisper_key")


def _whisper_step(case_number: int, step: str):
    support = runtime().support
    voice = support.service.english_voice

    def respond(session, now):
        case = find_case(session, case_number) or abort(404)
        summary = case_summary(case, support)
        if step == "whisper":
            decision = whisper_flow(summary, voice)
        else:
            digits = (request.form.get("Digits") or "").strip() or None
            decision, accepted = whisper_key_flow(summary, digits, voice)
            engineer = support.person_by_phone(phone_number(request.form.get("To")))
            if accepted and engineer:
                page = lock(session, case.page_id) if case.page_id else None
                if page is not None:
                    change(session, page, Acknowledge(engineer.id, Via.CONNECT), support, now)
                record_response(case, engineer.id, now)
        call = {"direction": "page", "line_number": case.line_number, "case_id": case.id,
                "from_number": phone_number(request.form.get("From")),
                "to_number": phone_number(request.form.get("To"))}
        return decision, lambda name, state: external_url("webhooks.whisper_key", case_number=case_number), call

    return twiml(answer_once(step, respond, lambda: whisper_unavailable(voice)))
