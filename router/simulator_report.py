"""What a simulated call did, read back from the call log, and how the terminal shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import func, select

from router.cases import promise
from router.config import SupportConfig
from router.fake_twilio import FakeTwilio, Transcript
from router.fake_twilio.transcript import render
from router.models import Call, Notification, Page
from router.paging.statuses import Channel, Delivery, PageStatus

CHANNELS = {Channel.SMS: "an SMS", Channel.VOICE: "a call"}


@dataclass
class CallReport:
    """One simulated call: the conversation, the case, the page and what it still has to do."""

    lines: list[str]
    zone: dt.tzinfo = dt.timezone.utc
    decision: str | None = None
    announced: str | None = None  # the incident or maintenance the caller heard of first
    case: dict | None = None
    page_id: int | None = None
    page: dict | None = None
    still_due: list[tuple[dt.datetime, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PageProgress:
    """Where a page stands for the simulator: done, being sent, or waiting for something later."""

    settled: bool
    under_way: bool
    seconds_to_next: float | None        # service-clock seconds until the next thing due, if any
    still_due: list[tuple[dt.datetime, str]]


def spoken_number(number: str | None) -> str:
    """A phone number as people write it: "+55 11 98888-7777"."""
    if not number:
        return "unknown number"
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


def _who(support: SupportConfig, number: str) -> str:
    person = support.person_by_phone(number)
    return f"{person.name} ({spoken_number(number)})" if person else spoken_number(number)


def conversation(transcript: Transcript, support: SupportConfig, caller: str = "Caller") -> list[str]:
    """The call's lines; a Dial names whom it rang and who answered."""
    lines = []
    for entry in transcript.entries:
        if entry.kind == "dial" and entry.side == "caller":
            answered = support.person_by_phone(entry.answered) if entry.answered else None
            outcome = (f"answered by {answered.name if answered else spoken_number(entry.answered)}"
                       if entry.outcome == "completed" else entry.outcome)
            lines.append(f"Dial {', '.join(_who(support, n) for n in entry.numbers)} → {outcome}")
        else:
            lines.append(render(entry).replace("Caller ", f"{caller} ", 1))
    return lines


def describe_call(sessions, transcript: Transcript, support: SupportConfig) -> CallReport:
    """The call as logged: the line's decision, and its case if it opened or joined one."""
    report = CallReport(lines=conversation(transcript, support))
    with sessions() as session:
        call = session.scalars(select(Call).where(Call.sid == transcript.call_sid)).first()
        if call is None:
            return report
        line = support.line(call.line_number)
        report.zone = line.timezone if line else dt.timezone.utc
        report.decision, report.announced, case = call.decision, call.announced, call.case
        if case is None:
            return report
        customer = support.customer(case.customer_id)
        report.case = {
            "number": case.number, "severity": case.severity, "tier": case.tier,
            "promise": promise(case, support, call.started_at),
            "calls": session.scalar(select(func.count()).where(Call.case_id == case.id)),
            "customer": customer.name if customer else "unidentified (flagged for review)",
            "opened": case.opened_at, "due": case.first_response_due, "answered": case.first_answered_at,
        }
        report.page_id = case.page_id
        return report


def page_progress(sessions, page_id: int, support: SupportConfig, whole_escalation: bool,
                  now: dt.datetime) -> PageProgress:
    """Whether the page is settled (nothing under way; taken, exhausted or, by default, past its first step
    that reached someone), and what it will still do."""
    with sessions() as session:
        page = session.get(Page, page_id)
        notifications = page.notifications
        # Under way: Twilio has not finished with it, or its callbacks came before the sender stored its SID.
        under_way = any(_under_way(n) for n in notifications)
        pending = [n for n in notifications if n.status == Delivery.PENDING]
        due = [(n.due_at, f"{CHANNELS[Channel(n.channel)]} to {support.person_name(n.person_id)}") for n in pending]
        if page.status == PageStatus.OPEN and page.next_escalation_at is not None:
            due.append((page.next_escalation_at, "the next escalation step, unless someone acknowledges"))
        # The first step that reached someone: a step with nobody on call is skipped at once.
        first = min(((n.round, n.step) for n in notifications), default=None)
        first_step = [n for n in notifications if (n.round, n.step) == first]
        if page.status != PageStatus.OPEN:
            settled = not under_way and not pending
        elif whole_escalation:
            settled = False
        else:
            settled = not under_way and bool(first_step) and all(Delivery(n.status).final for n in first_step)
        waited_for = [at for at, _ in due] if whole_escalation else [n.due_at for n in pending if n in first_step]
        seconds = (min(waited_for) - now).total_seconds() if waited_for else None
        return PageProgress(settled, under_way, seconds, sorted(due))


def _under_way(notification: Notification) -> bool:
    status = Delivery(notification.status)
    if status in (Delivery.PENDING, Delivery.CANCELED):
        return False
    recorded = notification.sent_at is not None or notification.error is not None
    return not status.final or not recorded


def describe_page(sessions, page_id: int, support: SupportConfig, fake: FakeTwilio) -> dict:
    """The page: its status, every event and notification, and the engineers' calls as they heard them."""
    with sessions() as session:
        page = session.get(Page, page_id)
        calls = []
        for n in page.notifications:
            transcript = fake.transcript(n.twilio_sid) if n.channel == "voice" and n.twilio_sid else None
            if transcript:
                person = support.person_name(n.person_id)
                calls.append((f"{person}'s call ({spoken_number(n.to_number)})",
                              conversation(transcript, support, caller=person.split()[0])))
        return {
            "status": page.status, "policy": page.policy_id,
            "notifications": [(support.person_name(n.person_id), n.channel, spoken_number(n.to_number), n.status)
                              for n in page.notifications],
            "events": [(e.at, f"{e.kind}: {e.detail}") for e in page.events],
            "acknowledged_by": support.person_name(page.acknowledged_by) if page.acknowledged_by else None,
            "acknowledged_via": page.acknowledged_via,
            "acknowledged_after": (page.acknowledged_at - page.opened_at) if page.acknowledged_at else None,
            "engineer_calls": calls,
        }


def _local(at: dt.datetime, zone: dt.tzinfo) -> str:
    return f"{at.astimezone(zone):%a %Y-%m-%d %H:%M:%S %Z}"


def format_report(report: CallReport, from_: str, to: str, at: dt.datetime, speed: float = 1.0,
                  whole_escalation: bool = False) -> str:
    """The report as the terminal shows it."""
    zone = report.zone
    out = [f"Call from {spoken_number(from_)} to {spoken_number(to)} at {at:%a %Y-%m-%d %H:%M %Z}",
           f"  line decided: {report.decision}"]
    if report.announced:
        out.append(f"  status page announced: {report.announced}")
    out += [f"  {line}" for line in report.lines]
    out += _case_lines(report.case, zone)
    page = report.page
    if page:
        out.append(f"  page (policy {page['policy']}): {page['status']}")
        out += [f"    {_local(at, zone)} {event}" for at, event in page["events"]]
        out += [f"    {name}: {channel} to {number} → {status}"
                for name, channel, number, status in page["notifications"]]
        if page["acknowledged_by"]:
            out.append(f"    acknowledged by {page['acknowledged_by']} via {page['acknowledged_via']} "
                       f"after {page['acknowledged_after'].total_seconds():.1f} s")
        for title, lines in page["engineer_calls"]:
            out.append(f"    {title}:")
            out += [f"      {line}" for line in lines]
    out += _still_due_lines(report, speed, whole_escalation)
    return "\n".join(out)


def _case_lines(case: dict | None, zone: dt.tzinfo) -> list[str]:
    if not case:
        return ["  no case opened"]
    out = [f"  case {case['number']}: {case['severity']}, tier {case['tier']}, {case['customer']}; "
           f"opened {case['opened'].astimezone(zone):%a %Y-%m-%d %H:%M}, "
           f"first response due {case['due'].astimezone(zone):%a %Y-%m-%d %H:%M %Z}"]
    out.append(f"  first response: {_local(case['answered'], zone)} (answered live)" if case["answered"]
               else f"  first response promise: {case['promise']}")
    if case["calls"] > 1:
        out.append(f"  this call joined the open case, which now has {case['calls']} calls")
    return out


def _still_due_lines(report: CallReport, speed: float, whole_escalation: bool) -> list[str]:
    """What the page will still do after the simulator stopped waiting, and how to see it."""
    if not report.still_due:
        return []
    out = ["  still due when the simulator stopped waiting:"]
    out += [f"    {_local(at, report.zone)}  {what}" for at, what in report.still_due]
    faster = max(60.0, speed * 10)
    hint = (f"--speed {faster:g}" if whole_escalation
            else f"--speed {faster:g} (a minute in {60 / faster:g} s), or --whole-escalation --speed {faster:g}")
    out.append(f"  to see it happen, play the call again with {hint}")
    return out
