"""Play calls through the real webhooks, exactly as Twilio would, and tell what happened.

`local_stack` runs the service and the fake Twilio side by side on local
ports; `play` places one inbound call through the fake (signed requests,
Gather, Record, Dial and Redirect followed), waits for any page it caused
to be answered, and returns a report read from the call log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select

from router import create_app, db
from router.cases import promise
from router.clock import Clock
from router.config import Settings, SupportConfig
from router.engine import run_pass
from router.fake_twilio import BackgroundServer, FakeTwilio, Script
from router.models import Call, Page

FINAL = {"completed", "busy", "no-answer", "failed", "canceled", "delivered", "undelivered", "machine"}


@dataclass
class LocalStack:
    """The service, its HTTP server and the fake Twilio it talks to."""

    app: object
    server: BackgroundServer
    fake: FakeTwilio
    support: SupportConfig


@dataclass(frozen=True)
class Behaviour:
    """How the people on the other end behave during a simulated call."""

    tier1: str = "no-answer"       # "answer", "no-answer" or "busy", for the tiers' ring groups
    tam: str = "answer"            # the same, for Technical Account Managers
    engineer: str = "human"        # how the paged engineer's phone answers
    engineer_presses: tuple[str, ...] = ("1",)
    engineer_sms_reply: str | None = None


@contextmanager
def local_stack(settings: Settings, support: SupportConfig, clock: Clock,
                behaviour: Behaviour = Behaviour()) -> Iterator[LocalStack]:
    """Start the fake Twilio and the service on free local ports; stop both afterwards."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the report tells the story, not access logs
    with FakeTwilio(settings.twilio_account_sid, settings.twilio_auth_token) as fake:
        settings = dataclasses.replace(settings, twilio_api_base=fake.url)
        app = create_app(settings, support, clock=clock)
        db.upgrade(app.extensions["engine"])
        with BackgroundServer(app) as server, _worker(app):
            app.config["PUBLIC_URL"] = server.url
            _register_numbers(fake, support, server.url, behaviour)
            try:
                yield LocalStack(app, server, fake, support)
            finally:
                app.extensions["dispatcher"].shutdown()
                fake.network.shutdown()
        app.extensions["engine"].dispose()


@contextmanager
def _worker(app, interval: float = 0.2) -> Iterator[None]:
    """`router worker`'s passes in a thread beside the simulated service, stopped on the way out."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            with app.app_context():
                run_pass(app)

    thread = threading.Thread(target=loop, name="simulated-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _register_numbers(fake: FakeTwilio, support: SupportConfig, url: str, behaviour: Behaviour) -> None:
    for line in support.lines:
        fake.add_number(line.number, voice_url=f"{url}/voice/incoming", sms_url=f"{url}/sms/incoming")
    agents = {p for line in support.lines for p in line.ring_group + line.tier2_group + line.tier3_group}
    agents |= {c.tam for c in support.customers if c.tam}
    for person in support.people:
        if person.id not in agents:
            fake.add_number(person.phone, answer=behaviour.engineer, presses=behaviour.engineer_presses,
                            sms_reply=behaviour.engineer_sms_reply)


@dataclass
class CallReport:
    """What one simulated call did: the conversation and what the log kept of it."""

    lines: list[str]
    decision: str | None = None
    case: dict | None = None
    page: dict | None = None
    engineer_calls: list[list[str]] = field(default_factory=list)


def play(stack: LocalStack, from_: str, to: str, presses: list[str], recording_seconds: int = 7,
         behaviour: Behaviour = Behaviour(), page_timeout: float = 60.0, whole_escalation: bool = False
         ) -> CallReport:
    """Place one inbound call and wait (bounded) for the page it caused, if any, to settle.

    A page settles when its first notifications are answered, or, with `whole_escalation`,
    when it is acknowledged or its escalation has run out.
    """
    support = stack.support
    line = support.line(to)
    agents = (line.ring_group + line.tier2_group + line.tier3_group) if line else ()
    dial = {support.person(c.tam).phone: behaviour.tam for c in support.customers if c.tam}
    dial |= {support.person(p).phone: behaviour.tier1 for p in agents}
    script = Script(presses=presses, recording_seconds=recording_seconds, dial=dial)
    transcript = stack.fake.place_inbound_call(from_, to, script,
                                               status_callback=f"{stack.server.url}/voice/status")
    report = CallReport(lines=transcript.lines())
    sessions = db.sessions(stack.app)
    page_id = _describe_call(sessions, transcript.call_sid, report, stack.support)
    if page_id is not None:
        stack.fake.wait_until(lambda: _page_settled(sessions, page_id, whole_escalation), timeout=page_timeout)
        report.page = _describe_page(sessions, page_id, stack.support, line.timezone)
        report.engineer_calls = [stack.fake.transcript(c["sid"]).lines() for c in stack.fake.calls()
                                 if stack.fake.transcript(c["sid"]) and c["sid"] in report.page["call_sids"]]
    return report


def _describe_call(sessions, sid: str, report: CallReport, support: SupportConfig) -> int | None:
    with sessions() as session:
        call = session.scalars(select(Call).where(Call.sid == sid)).first()
        if call is None:
            return None
        report.decision = call.decision
        case = call.case
        if case is None:
            return None
        line = support.line(case.line_number)
        zone = line.timezone if line else dt.timezone.utc
        customer = support.customer(case.customer_id)
        report.case = {
            "number": case.number, "severity": case.severity, "tier": case.tier,
            "promise": promise(case, support, call.started_at),
            "calls": len(session.scalars(select(Call.id).where(Call.case_id == case.id)).all()),
            "customer": customer.name if customer else "unidentified (flagged for review)",
            "opened": case.opened_at.astimezone(zone), "due": case.first_response_due.astimezone(zone),
            "answered": case.first_answered_at.astimezone(zone) if case.first_answered_at else None,
            "recording_seconds": case.recording_seconds,
        }
        return case.page_id


def _page_settled(sessions, page_id: int, whole_escalation: bool) -> bool:
    """Nothing sent is still under way, and the page is taken, exhausted or (by default) past its first step."""
    with sessions() as session:
        page = session.get(Page, page_id)
        under_way = [n for n in page.notifications if n.status not in FINAL and n.status != "pending"]
        if under_way:
            return False
        if page.status != "open" or page.next_escalation_at is None:
            return True
        first = [n for n in page.notifications if (n.round, n.step) == (0, 0)]
        return not whole_escalation and bool(first) and all(n.status in FINAL for n in first)


def _describe_page(sessions, page_id: int, support: SupportConfig, zone: dt.tzinfo) -> dict:
    with sessions() as session:
        page = session.get(Page, page_id)
        by = support.person(page.acknowledged_by).name if page.acknowledged_by else None
        return {
            "status": page.status, "policy": page.policy_id,
            "notifications": [(support.person(n.person_id).name, n.channel, n.to_number, n.status)
                              for n in page.notifications],
            "events": [f"{e.at.astimezone(zone):%H:%M:%S} {e.kind}: {e.detail}" for e in page.events],
            "acknowledged_by": by, "acknowledged_via": page.acknowledged_via,
            "acknowledged_after": (page.acknowledged_at - page.opened_at) if page.acknowledged_at else None,
            "call_sids": {n.twilio_sid for n in page.notifications if n.channel == "voice"},
        }


def format_report(report: CallReport, from_: str, to: str, at: dt.datetime) -> str:
    """The report as the terminal shows it."""
    out = [f"Call from {from_} to {to} at {at:%a %Y-%m-%d %H:%M %Z}", f"  line decided: {report.decision}"]
    out += [f"  {line}" for line in report.lines]
    case = report.case
    if case:
        out.append(f"  case {case['number']}: {case['severity']}, tier {case['tier']}, {case['customer']}; "
                   f"opened {case['opened']:%a %Y-%m-%d %H:%M}, first response due {case['due']:%a %Y-%m-%d %H:%M %Z}")
        out.append(f"  first response: {case['answered']:%a %H:%M:%S} (answered live)" if case["answered"]
                   else f"  first response promise: {case['promise']}")
        if case["calls"] > 1:
            out.append(f"  this call joined the open case, which now has {case['calls']} calls")
    else:
        out.append("  no case opened")
    page = report.page
    if page:
        out.append(f"  page (policy {page['policy']}): {page['status']}")
        out += [f"    {event}" for event in page["events"]]
        out += [f"    {name}: {channel} to {number} → {status}" for name, channel, number, status in page["notifications"]]
        if page["acknowledged_by"]:
            out.append(f"    acknowledged by {page['acknowledged_by']} via {page['acknowledged_via']} "
                       f"after {page['acknowledged_after'].total_seconds():.1f} s")
        for lines in report.engineer_calls:
            out.append("    engineer's call:")
            out += [f"      {line.replace('Caller ', 'Engineer ', 1)}" for line in lines]
    return "\n".join(out)
