"""Cases: opening them (or joining the caller's open one), tiers, and the first-response promise."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflows.decision import (
    AttachRecording,
    CaseFacts,
    Effect,
    JoinCase,
    MarkAnswered,
    OpenCase,
)
from router.config import SupportConfig
from router.models import Call, Case, CaseTierChange
from schedules import AT_RISK, BREACHED, MET, MISSED, ON_TRACK, first_response_due, promise_status

TIERS = {1: "Customer Service", 2: "Technical Solutions / TAM", 3: "Product specialists"}


class CaseStatus(StrEnum):
    """Whether a case still needs work."""

    OPEN = "open"
    RESOLVED = "resolved"


class PromiseState(StrEnum):
    """Where a case's first-response promise stands (`schedules.promise_status`)."""

    ON_TRACK = ON_TRACK
    AT_RISK = AT_RISK
    BREACHED = BREACHED
    MET = MET
    MISSED = MISSED

    @property
    def slug(self) -> str:
        """The state as a command-line option and a CSS class say it: "on-track"."""
        return self.value.replace(" ", "-")


def open_case(session: Session, call: Call, request: OpenCase, support: SupportConfig,
              at: dt.datetime) -> tuple[Case, bool]:
    """The call's case: the one it has, the caller's open one from the last minutes, or a new one.

    Returns the case and whether the call joined an existing one (one case per problem).
    """
    case = call.case or _recent_open_case(session, call, support, at)
    joined = call.case is None and case is not None
    if case is None:
        line = support.line(call.line_number)
        case = Case(line_number=line.number, customer_id=call.customer_id, caller_number=call.from_number,
                    severity=request.severity, tier=request.tier, status=CaseStatus.OPEN,
                    needs_review=request.needs_review, opened_at=at,
                    first_response_due=first_response_due(line.support_hours, at))
        session.add(case)
        session.flush()
    elif request.severity == "critical":
        case.severity = "critical"
    call.case = case
    return case, joined


def _recent_open_case(session: Session, call: Call, support: SupportConfig, at: dt.datetime) -> Case | None:
    """The caller's open case opened within the repeat-call window, if any."""
    minutes = support.service.repeat_call_minutes
    if not minutes or not (call.customer_id or call.from_number):
        return None
    same_caller = (Case.customer_id == call.customer_id if call.customer_id
                   else Case.caller_number == call.from_number)
    query = (select(Case).where(same_caller, Case.status == CaseStatus.OPEN,
                                Case.opened_at >= at - dt.timedelta(minutes=minutes), Case.opened_at <= at)
             .order_by(Case.opened_at.desc()))
    return session.scalars(query).first()


def case_facts(case: Case | None, joined: bool = False) -> CaseFacts | None:
    """The case as the call flow sees it."""
    if case is None:
        return None
    return CaseFacts(number=case.number, due=case.first_response_due, severity=case.severity, tier=case.tier,
                     customer=case.customer_id, joined=joined)


def find_case(session: Session, number: int | None) -> Case | None:
    """The case with this number, if there is one."""
    row = Case.id_for(number) if number is not None else None
    return session.get(Case, row) if row is not None else None


def apply_effects(session: Session, call: Call, effects: tuple[Effect, ...], at: dt.datetime) -> None:
    """Carry out what a step decided about the call's case."""
    for effect in effects:
        if isinstance(effect, JoinCase):
            call.case = find_case(session, effect.number)
        elif isinstance(effect, AttachRecording) and call.case is not None:
            call.case.recording_url = effect.url[:500]
            call.case.recording_seconds = effect.seconds
        elif isinstance(effect, MarkAnswered) and call.case is not None:
            record_response(call.case, "live call", at)


def record_response(case: Case, by: str, at: dt.datetime) -> bool:
    """The case's first response (a live answer, or someone marking one); later ones change nothing."""
    if case.first_answered_at is not None:
        return False
    case.first_answered_at, case.first_answered_by = at, by
    return True


def move_tier(case: Case, to_tier: int, by: str, reason: str, at: dt.datetime) -> CaseTierChange:
    """Move the case to another tier, keeping who moved it, when and why."""
    if case.status == CaseStatus.RESOLVED:
        raise ValueError(f"case {case.number} is resolved: it stays at tier {case.tier}")
    if to_tier not in TIERS:
        raise ValueError(f"tier must be one of {sorted(TIERS)}")
    if to_tier == case.tier:
        raise ValueError(f"case {case.number} is already at tier {to_tier}")
    if not reason.strip():
        raise ValueError("a tier change needs a reason")
    change = CaseTierChange(at=at, from_tier=case.tier, to_tier=to_tier, by=by, reason=reason.strip()[:500])
    case.tier_changes.append(change)
    case.tier = to_tier
    return change


def resolve(case: Case, by: str, at: dt.datetime) -> None:
    """Resolve the case, keeping who and when; once resolved it stays so.

    Resolving answers the customer: a case nobody had marked as first answered is first answered now,
    so its promise reads met or missed instead of turning breached for ever.
    """
    if case.status == CaseStatus.RESOLVED:
        raise ValueError(f"case {case.number} is already resolved")
    record_response(case, by, at)
    case.status, case.resolved_at, case.resolved_by = CaseStatus.RESOLVED, at, by


def promise(case: Case, support: SupportConfig, at: dt.datetime) -> PromiseState:
    """On track, at risk, breached (or met, missed) on the case's line's business-day clock."""
    line = support.line(case.line_number)
    return PromiseState(promise_status(line.support_hours, case.first_response_due, case.first_answered_at, at,
                                       support.service.at_risk_share))


def describe(session: Session, case: Case, support: SupportConfig, at: dt.datetime) -> dict:
    """The case as the API and the command line show it."""
    customer = support.customer(case.customer_id)
    calls = session.scalars(select(Call).where(Call.case_id == case.id).order_by(Call.started_at)).all()
    return {
        "number": case.number, "line": case.line_number, "severity": case.severity, "status": case.status,
        "customer": customer.name if customer else None, "needs_review": case.needs_review,
        "tier": case.tier, "tier_name": TIERS[case.tier],
        "opened_at": case.opened_at.isoformat(), "first_response_due": case.first_response_due.isoformat(),
        "first_answered_at": case.first_answered_at.isoformat() if case.first_answered_at else None,
        "first_answered_by": case.first_answered_by, "promise": promise(case, support, at),
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "resolved_by": case.resolved_by,
        "calls": [{"sid": c.sid, "from": c.from_number, "started_at": c.started_at.isoformat(),
                   "decision": c.decision} for c in calls],
        "tier_changes": [{"at": t.at.isoformat(), "from": t.from_tier, "to": t.to_tier, "by": t.by,
                          "reason": t.reason} for t in case.tier_changes],
        "acknowledged": _acknowledgement(case, support),
        "page": _page(case, support),
    }


def _acknowledgement(case: Case, support: SupportConfig) -> dict | None:
    """Who took the critical case, how, and how long after it was opened."""
    if case.acknowledged_at is None:
        return None
    return {"at": case.acknowledged_at.isoformat(), "by": support.person_name(case.acknowledged_by),
            "via": case.acknowledged_via, "after_seconds": (case.acknowledged_at - case.opened_at).total_seconds()}


def _page(case: Case, support: SupportConfig) -> dict | None:
    """Who the case's page reached, on which channel, with what outcome, and what happened to it."""
    page = case.page
    if page is None:
        return None
    return {
        "status": page.status, "policy": page.policy_id, "opened_at": page.opened_at.isoformat(),
        "cases": len(page.cases),
        "notifications": [{"to": support.person_name(n.person_id), "channel": n.channel, "kind": n.kind,
                           "round": n.round + 1, "step": n.step + 1, "status": n.status,
                           "due_at": n.due_at.isoformat(), "sent_at": n.sent_at.isoformat() if n.sent_at else None,
                           "attempts": n.attempts, "error": n.error} for n in page.notifications],
        "events": [{"at": e.at.isoformat(), "kind": e.kind, "detail": e.detail} for e in page.events],
    }

