"""The engineer's page call: read the cases, take the key press, follow Twilio's statuses."""

from __future__ import annotations

import dataclasses

from flask import abort, current_app, request

from callflows.decision import Decision, FlowState
from callflows.page import page_call as page_call_flow
from callflows.page import page_key as page_key_flow
from callflows.page import whisper as whisper_flow
from callflows.page import whisper_key as whisper_key_flow
from router import db
from router.calllog import call_ended
from router.cases import find_case, record_response
from router.escalation import acknowledge, escalate, move_on_if_nobody_answered
from router.facts import phone_number
from router.links import external_url
from router.models import Notification
from router.paging import advance_status, case_summary, open_pages_for, page_facts
from router.webhooks import bp
from router.webhooks.replies import answer_once, twiml

MACHINE = {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}


def _key_url(notification_id: int):
    def url(step: str, state: FlowState) -> str:
        return external_url("webhooks.page_key", notification_id=notification_id, attempt=state.attempt)
    return url


@bp.post("/voice/page/<int:notification_id>")
def page_call(notification_id: int):
    """The page call was answered, by the engineer or by their voicemail."""
    machine = request.form.get("AnsweredBy") in MACHINE
    return _page_step(notification_id, "page", lambda facts: (page_call_flow(facts, machine), None), machine)


@bp.post("/voice/page/<int:notification_id>/key")
def page_key(notification_id: int):
    """The engineer pressed a key (or nothing) on the page call."""
    attempt = request.args.get("attempt", "0")
    state = FlowState(attempt=int(attempt) if attempt.isdigit() else 0)
    digits = (request.form.get("Digits") or "").strip() or None
    return _page_step(notification_id, "page_key", lambda facts: page_key_flow(facts, digits, state))


def _page_step(notification_id: int, step: str, decide, machine: bool = False):
    support = current_app.extensions["support"]
    escalated: list[int] = []

    def respond(session, now):
        notification = session.get(Notification, notification_id) or abort(404)
        page = notification.page
        others = [p for p in open_pages_for(session, notification.person_id) if p.id != page.id]
        decision, action = decide(dataclasses.replace(page_facts(page, support), other_open_pages=len(others)))
        if action == "acknowledge all":
            for other in others:
                acknowledge(other, notification.person_id, "voice", now)
        if action in ("acknowledge", "acknowledge all") and not acknowledge(
                page, notification.person_id, "voice", now):
            decision = Decision("acknowledged already", decision.speech, decision.action)
        elif action == "escalate":
            escalate(session, page, support, now, f"{notification.person_id} pressed 2")
            escalated.append(page.id)
        if machine:
            notification.answered_by = request.form.get("AnsweredBy", "")[:24]
        call = {"direction": "page", "line_number": page.line_number, "from_number": page.line_number,
                "to_number": notification.to_number}
        return decision, _key_url(notification_id), call

    document = answer_once(step, respond)
    for page_id in escalated:
        current_app.extensions["dispatcher"].submit(page_id)
    return twiml(document)


@bp.post("/voice/page/<int:notification_id>/status")
def page_status(notification_id: int):
    """Twilio's status callback for a page call: busy, no-answer, failed or voicemail move on at once."""
    status = request.form.get("CallStatus", "")
    return _notification_status(notification_id, status)


@bp.post("/sms/status/<int:notification_id>")
def sms_status(notification_id: int):
    """Twilio's status callback for a page SMS: sent, delivered, undelivered, failed."""
    return _notification_status(notification_id, request.form.get("MessageStatus")
                                or request.form.get("SmsStatus", ""))


def _notification_status(notification_id: int, status: str):
    support = current_app.extensions["support"]
    now = current_app.extensions["clock"]()
    session = db.session()
    escalated = False
    with session.begin():
        notification = session.get(Notification, notification_id) or abort(404)
        answered_by = request.form.get("AnsweredBy") or notification.answered_by
        if notification.channel == "voice" and status == "completed" and answered_by in MACHINE:
            status = "machine"  # voicemail took the call: not an acknowledgement, and nobody was reached
        if status:
            advance_status(session, notification_id, status, now)
        if notification.channel == "voice":
            if request.form.get("CallSid"):
                call_ended(session, request.form["CallSid"], status, request.form.get("CallDuration"), now)
            session.refresh(notification)
            escalated = move_on_if_nobody_answered(session, notification.page, support, now)
    if escalated:
        current_app.extensions["dispatcher"].submit(notification.page_id)
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
    support = current_app.extensions["support"]
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
                if case.page is not None:
                    acknowledge(case.page, engineer.id, "connect", now)
                record_response(case, engineer.id, now)
        call = {"direction": "page", "line_number": case.line_number, "case_id": case.id,
                "from_number": phone_number(request.form.get("From")),
                "to_number": phone_number(request.form.get("To"))}
        return decision, lambda name, state: external_url("webhooks.whisper_key", case_number=case_number), call

    return twiml(answer_once(step, respond))
