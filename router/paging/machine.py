"""The page as a state machine, pure: given the page, an event and the rules, what changes.

`decide(state, event, rules, now)` returns commands and nothing else: no
database, no Twilio, no clock. The shell (`router.paging.pages`) loads the page
under a row lock, calls `decide`, applies the commands and commits; the sender
carries out the notifications after the commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from router.paging.page import (
    Acknowledge,
    Cancel,
    Command,
    Contact,
    Escalate,
    Event,
    Exhaust,
    Fail,
    Join,
    Move,
    Notify,
    Open,
    PageState,
    Record,
    Recovered,
    Requeue,
    Retry,
    Rules,
    SendFailed,
    SetStatus,
    Status,
    Taken,
    TimedOut,
    same_step,
)
from router.paging.statuses import Channel, Delivery, Kind, PageStatus
from schedules import Position, contact_plan, first_position, next_position, quiet_until, step_at

RETRY_AFTER = dt.timedelta(seconds=15)  # Twilio refusing for a moment: again 15 s later (GoAlert's figures)
ATTEMPTS = 3                            # ... three attempts in all


# ---------------------------------------------------------------- decisions


@dataclass
class _Plan:
    """The commands being decided, and the state they lead to (a later rule reads what an earlier changed)."""

    state: PageState
    commands: list[Command] = field(default_factory=list)

    def add(self, *commands: Command) -> None:
        self.commands.extend(commands)


def decide(state: PageState, event: Event, rules: Rules, now: dt.datetime) -> tuple[Command, ...]:
    """What `event` does to the page at `now`."""
    plan = _Plan(state)
    match event:
        case Open():
            _open(plan, event, rules, now)
        case Join():
            _join(plan, event, rules, now)
        case TimedOut():
            _timed_out(plan, rules, now)
        case Escalate():
            _escalate_now(plan, event, rules, now)
        case Acknowledge():
            _acknowledge(plan, event)
        case Status():
            _status(plan, event, rules, now)
        case SendFailed():
            _send_failed(plan, event, rules, now)
        case Recovered():
            _recovered(plan, event, rules, now)
    return tuple(plan.commands)


def notifies(commands: tuple[Command, ...]) -> bool:
    """Whether the change planned notifications: the sender should look at the page once it commits."""
    return any(isinstance(command, Notify) for command in commands)


def _open(plan: _Plan, event: Open, rules: Rules, now: dt.datetime) -> None:
    plan.add(Record("opened", f"for case {event.case_number}"))
    if rules.policy is None:
        plan.add(Record("no policy", "the line names no escalation policy"), Exhaust())
        return
    _enter(plan, first_position(rules.policy), rules, now, event.hold_calls)


def _join(plan: _Plan, event: Join, rules: Rules, now: dt.datetime) -> None:
    """The people of the current step hear of the case in one SMS, bundled: at most one per `bundle`."""
    plan.add(Record("case joined", f"case {event.case_number} joined the open page"))
    position = plan.state.position
    for person in sorted({c.person for c in plan.state.of_step()}):
        assert position is not None  # a step has people only once the page is at it
        sms = [c for c in plan.state.contacts if c.person == person and c.channel is Channel.SMS
               and c.status not in (Delivery.CANCELED, Delivery.FAILED)]
        last = max(sms, key=lambda c: c.id, default=None)
        if last is not None and last.status is Delivery.PENDING:
            continue  # it is written when sent, so it will name this case too
        due = now if last is None else max(now, (last.sent_at or last.due_at) + rules.bundle)
        plan.add(Notify(person, Channel.SMS, Kind.JOINED, position, due))


def _timed_out(plan: _Plan, rules: Rules, now: dt.datetime) -> None:
    deadline = plan.state.next_escalation_at
    if plan.state.status is PageStatus.OPEN and deadline is not None and now >= deadline:
        _escalate(plan, rules, now, f"no acknowledgement by {deadline:%H:%M:%S %Z}")


def _escalate_now(plan: _Plan, event: Escalate, rules: Rules, now: dt.datetime) -> None:
    """Only from the step the asker was paged at: a page that has moved on since is not moved twice."""
    state = plan.state
    if state.status is not PageStatus.OPEN:
        return
    if event.from_position is not None and not same_step(event.from_position, state.position):
        return
    _escalate(plan, rules, now, f"{event.by} {event.how}")


def _acknowledge(plan: _Plan, event: Acknowledge) -> None:
    if not plan.state.status.untaken:
        return
    plan.add(Taken(event.person, event.via), *_cancel_pending(plan),
             Record("acknowledged", f"by {event.person} via {event.via}"))


def _status(plan: _Plan, event: Status, rules: Rules, now: dt.datetime) -> None:
    contact = plan.state.contact(event.contact)
    if contact is None or event.status.rank <= contact.status.rank:
        return  # a late or repeated callback never moves a status back
    plan.add(SetStatus(contact.id, event.status))
    _update(plan, replace(contact, status=event.status))
    _move_on_if_nobody_answered(plan, contact, rules, now)


def _send_failed(plan: _Plan, event: SendFailed, rules: Rules, now: dt.datetime) -> None:
    contact = plan.state.contact(event.contact)
    if contact is None or contact.status.final:
        return
    if event.temporary and contact.attempts + 1 < ATTEMPTS:
        plan.add(Retry(contact.id, now + RETRY_AFTER, event.error))
        return
    plan.add(Fail(contact.id, event.error))
    _update(plan, replace(contact, status=Delivery.FAILED))
    _move_on_if_nobody_answered(plan, contact, rules, now)


def _recovered(plan: _Plan, event: Recovered, rules: Rules, now: dt.datetime) -> None:
    """A dead sender's notification: sent again if Twilio never had it, else followed as Twilio tells."""
    contact = plan.state.contact(event.contact)
    if contact is None or contact.status is not Delivery.SENDING:
        return  # someone settled it meanwhile
    what = f"{contact.channel} to {contact.person}"
    if event.status is None:
        plan.add(Record("resent", f"{what}: its sender stopped before Twilio took it; sent again"),
                 Requeue(contact.id, now))
        return
    plan.add(Record("found", f"{what}: its sender stopped after Twilio took it ({event.status})"))
    _status(plan, Status(contact.id, event.status), rules, now)


def _move_on_if_nobody_answered(plan: _Plan, contact: Contact, rules: Rules, now: dt.datetime) -> None:
    """Every call of the current step reached nobody (busy, no answer, voicemail, failed): on at once."""
    state = plan.state
    calls = [c for c in state.of_step() if c.channel is Channel.VOICE]
    if (contact.channel is Channel.VOICE and state.status is PageStatus.OPEN
            and same_step(contact.position, state.position) and calls and all(c.status.unreached for c in calls)):
        _escalate(plan, rules, now, "every call of the step reached nobody")


def _escalate(plan: _Plan, rules: Rules, now: dt.datetime, why: str) -> None:
    assert rules.policy is not None and plan.state.position is not None  # an OPEN page has both
    plan.add(Record("escalated", why), *_cancel_pending(plan))
    _enter(plan, next_position(rules.policy, plan.state.position), rules, now)


def _enter(plan: _Plan, position: Position | None, rules: Rules, now: dt.datetime,
           hold_calls: dt.timedelta = dt.timedelta(0)) -> None:
    """Go to `position`, passing at once any step that reaches nobody now, and notify its people."""
    assert rules.policy is not None
    policy = rules.policy
    while position is not None:
        people = rules.reaches(step_at(policy, position), now)
        if people:
            break
        plan.add(Record("nobody", f"{where(position)} reaches nobody: next step at once"))
        position = next_position(policy, position)
    if position is None:
        plan.add(Record("exhausted", "escalation ran out; the page waits until someone takes it"), Exhaust())
        plan.state = replace(plan.state, status=PageStatus.EXHAUSTED, next_escalation_at=None)
        return
    deadline = now + step_at(policy, position).delay + hold_calls
    plan.add(Move(position, deadline), Record("step", f"{where(position)} → {', '.join(people)}"))
    plan.state = replace(plan.state, position=position, next_escalation_at=deadline)
    for person in people:
        plan.add(*_contacts(person, position, rules, now, hold_calls))


def _contacts(person: str, position: Position, rules: Rules, now: dt.datetime,
              hold_calls: dt.timedelta) -> list[Notify]:
    """The person's contact methods from now; a call waits for live connect and their quiet interval."""
    notes = []
    for due, channel in contact_plan(rules.contact_methods.get(person, ()), now):
        if channel == Channel.VOICE:
            due += hold_calls
            last = rules.last_call(person)
            due = max(due, quiet_until([last], rules.quiet) or due) if last else due
        notes.append(Notify(person, Channel(channel), Kind.PAGE, position, due))
    return notes


def _cancel_pending(plan: _Plan) -> list[Command]:
    pending = tuple(c.id for c in plan.state.contacts if c.status is Delivery.PENDING)
    if not pending:
        return []
    cancelled = tuple(replace(c, status=Delivery.CANCELED) if c.id in pending else c for c in plan.state.contacts)
    plan.state = replace(plan.state, contacts=cancelled)
    return [Cancel(pending)]


def _update(plan: _Plan, contact: Contact) -> None:
    plan.state = replace(plan.state, contacts=tuple(contact if c.id == contact.id else c
                                                      for c in plan.state.contacts))


def where(position: Position) -> str:
    """A position as the page's history says it: "step 2 (round 1)", "fallback"."""
    if position.is_fallback:
        return "fallback"
    return f"step {position.step + 1} (round {position.round + 1})"

