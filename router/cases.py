"""Opening cases and keeping their first-response promise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from callflows.decision import AttachRecording, CaseFacts, Effect, MarkAnswered, OpenCase
from router.config import Line
from router.models import Call, Case
from schedules import first_response_due


def open_case(session: Session, call: Call, request: OpenCase, line: Line, at: dt.datetime) -> Case:
    """The call's case: the one it already opened, or a new one due in one business day."""
    if call.case is not None:
        case = call.case
        if request.severity == "critical":
            case.severity = "critical"
        return case
    case = Case(
        line_number=line.number,
        customer_id=call.customer_id,
        caller_number=call.from_number,
        severity=request.severity,
        tier=1,
        status="open",
        needs_review=request.needs_review,
        opened_at=at,
        first_response_due=first_response_due(line.support_hours, at),
    )
    session.add(case)
    session.flush()
    call.case = case
    return case


def case_facts(case: Case | None) -> CaseFacts | None:
    """The case as the call flow sees it."""
    if case is None:
        return None
    return CaseFacts(number=case.number, due=case.first_response_due, severity=case.severity)


def apply_effects(case: Case | None, effects: tuple[Effect, ...], at: dt.datetime) -> None:
    """Carry out what a step decided about its case."""
    if case is None:
        return
    for effect in effects:
        if isinstance(effect, AttachRecording):
            case.recording_url = effect.url[:500]
            case.recording_seconds = effect.seconds
        elif isinstance(effect, MarkAnswered) and case.first_answered_at is None:
            case.first_answered_at = at
