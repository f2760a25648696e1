"""The facts a call flow step needs, gathered from the configuration and the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache

from callflows.decision import (
    CallerInput,
    CallFacts,
    CustomerFacts,
    FlowState,
    LineFacts,
    Responders,
)
from router.config import Customer, Line, SupportConfig, to_e164
from schedules import Override, first_position, next_position, resolve, step_at


def line_facts(support: SupportConfig, line: Line) -> LineFacts:
    """The line as the flow sees it: language, voices, hours, its tier 1 numbers."""
    return LineFacts(
        number=line.number,
        name=line.name,
        company=support.service.company,
        language=line.language,
        voice=line.voice,
        english_voice=support.service.english_voice,
        place=line.place_name,
        hours=line.support_hours,
        ring_group=_phones(support, line.ring_group),
        ring_seconds=line.ring_seconds,
        tier2_group=_phones(support, line.tier2_group),
        tier3_group=_phones(support, line.tier3_group),
        after_hours=line.after_hours,
    )


def _phones(support: SupportConfig, people: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(support.person(p).phone for p in people)


def customer_facts(support: SupportConfig, customer: Customer | None) -> CustomerFacts | None:
    """The customer and whether their package lets them page after hours."""
    if customer is None:
        return None
    package = support.package(customer.package)
    may_page = package.after_hours_critical and "phone" in package.channels
    tam = support.person(customer.tam).phone if customer.tam and package.tam else None
    return CustomerFacts(id=customer.id, name=customer.name, may_page=may_page, package=package.name,
                         channels=package.channels, tam=tam, pin=customer.pin)


@lru_cache(maxsize=8192)  # each request names its numbers more than once; callers call again
def phone_number(value: str | None) -> str | None:
    """A number from Twilio's form as E.164, or None for anonymous / garbage caller IDs."""
    if not value:
        return None
    try:
        return to_e164(value)
    except ValueError:
        return None


def call_facts(support: SupportConfig, form: Mapping[str, str], state: FlowState, at: dt.datetime) -> CallFacts:
    """Everything the step may know about this call at this moment."""
    line = support.line(phone_number(form.get("To")))
    caller = phone_number(form.get("From"))
    customer = support.customer(state.customer) or support.customer_by_phone(caller)
    return CallFacts(
        line=line_facts(support, line) if line else None,
        at=at,
        caller=caller,
        customer=customer_facts(support, customer),
        state=state,
        find_account=lambda account: customer_facts(support, support.customer_by_account(account)),
        blocked=support.is_blocked(caller),
        candidate=customer_facts(support, support.customer(state.pending)),
        # The configuration's overrides: these facts serve the path without a database too; with one,
        # `callsteps.run_step` asks again with the overrides in force.
        responders=(responders(support, line, support.overrides_by_rotation, at)
                    if line and line.after_hours == "connect" else ()),
    )


def responders(support: SupportConfig, line: Line, overrides: Mapping[str, Sequence[Override]],
               at: dt.datetime) -> tuple[Responders, ...]:
    """Live connect walks the line's escalation steps once, like a page's first round: who each step rings."""
    policy = support.policy(line.escalation_policy)
    found, position = [], first_position(policy) if policy else None
    while position is not None and position.round == 0:
        step = step_at(policy, position)
        people = resolve(step, support.rotations_by_id, overrides, at)
        if people:
            found.append(Responders(_phones(support, people), step.ring_seconds))
        position = next_position(policy, position)
    return tuple(found)


def live_connect_window(facts: CallFacts) -> dt.timedelta:
    """How long a page's calls wait while the caller is put through live (the engineer's phone is busy then)."""
    if facts.line is None or facts.line.after_hours != "connect":
        return dt.timedelta(0)
    return dt.timedelta(seconds=sum(r.ring_seconds + 10 for r in facts.responders))


def whole_number(value: str | None, highest: int) -> int | None:
    """A count Twilio sent as text: ASCII digits only ('²' is a digit to `str.isdigit`, not to `int`), at
    most `highest`; None for anything else."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(highest)):
        return None
    return int(value) if int(value) <= highest else None


def caller_input(form: Mapping[str, str]) -> CallerInput:
    """What the caller did at the previous verb, as Twilio reports it."""
    return CallerInput(
        digits=(form.get("Digits") or "").strip()[:40] or None,
        recording_url=(form.get("RecordingUrl") or "")[:500] or None,
        recording_seconds=whole_number(form.get("RecordingDuration"), 86_400),
        dial_status=form.get("DialCallStatus") or None,
    )
