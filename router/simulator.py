"""Play calls through the real webhooks, exactly as Twilio would, and tell what happened.

`local_stack` runs the service, its paging worker and the fake Twilio side by
side on local ports; `play` places one inbound call through the fake (signed
requests, Gather, Record, Dial and Redirect followed), waits, within its
patience, for any page it caused, and returns a report read from the call log.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from router import create_app, db
from router.clock import Clock
from router.config import Settings, SupportConfig
from router.fake_twilio import BackgroundServer, FakeTwilio, Script
from router.paging.worker import work
from router.runtime import runtime, stop
from router.simulator_report import CallReport, describe_call, describe_page, format_report, page_progress

__all__ = ["Behaviour", "CallReport", "LocalStack", "format_report", "local_stack", "play"]

log = logging.getLogger(__name__)
PATIENCE = 20.0  # real seconds the simulator waits for a page to settle before telling what is still due


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
    engineer: str = "human"        # how the phone of everyone paged answers
    engineer_presses: tuple[str, ...] = ("1",)
    engineer_sms_reply: str | None = None


@contextmanager
def local_stack(settings: Settings, support: SupportConfig, clock: Clock,
                behaviour: Behaviour = Behaviour()) -> Iterator[LocalStack]:
    """Start the fake Twilio, the service and its paging worker on free local ports; stop them afterwards."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the report tells the story, not access logs
    schema = db.make_engine(settings.database_url)
    db.migrate(schema)
    schema.dispose()
    with FakeTwilio(settings.twilio_account_sid, settings.twilio_auth_token) as fake:
        settings = dataclasses.replace(settings, twilio_api_base=fake.url)
        app = create_app(settings, support, clock=clock)
        with BackgroundServer(app) as server, _paging_worker(app):
            runtime(app).services.public_url = server.url
            _register_numbers(fake, support, server.url, behaviour)
            try:
                yield LocalStack(app, server, fake, support)
            finally:
                runtime(app).dispatcher.shutdown()
                fake.network.shutdown()
        stop(app)


@contextmanager
def _paging_worker(app, interval: float = 0.2) -> Iterator[None]:
    """The paging worker's loop, as `router serve` runs it, beside the simulated service."""
    stopping = threading.Event()
    thread = threading.Thread(target=work, args=(runtime(app).services, interval, stopping, log.info),
                              name="simulated-paging-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        thread.join()


def _register_numbers(fake: FakeTwilio, support: SupportConfig, url: str, behaviour: Behaviour) -> None:
    """The lines call the service; every person's phone answers a page as `behaviour.engineer` says.

    Agents and TAMs answer the line's Dial as `tier1` / `tam` say (the call's script), whatever their phone
    does with a page: Gabriel is the TAM and on the escalation policy.
    """
    for line in support.lines:
        fake.add_number(line.number, voice_url=f"{url}/voice/incoming", sms_url=f"{url}/sms/incoming")
    for person in support.people:
        fake.add_number(person.phone, answer=behaviour.engineer, presses=behaviour.engineer_presses,
                        sms_reply=behaviour.engineer_sms_reply)


def _dial_script(support: SupportConfig, to: str, behaviour: Behaviour) -> dict[str, str]:
    line = support.line(to)
    agents = (line.ring_group + line.tier2_group + line.tier3_group) if line else ()
    dial = {support.person(c.tam).phone: behaviour.tam for c in support.customers if c.tam}
    return dial | {support.person(p).phone: behaviour.tier1 for p in agents}


def play(stack: LocalStack, from_: str, to: str, presses: list[str], recording_seconds: int = 7,
         behaviour: Behaviour = Behaviour(), whole_escalation: bool = False, speed: float = 1.0,
         patience: float = PATIENCE) -> CallReport:
    """Place one inbound call, then wait for the page it caused, if any, to settle.

    A page settles when its first step's notifications are answered, or, with `whole_escalation`, when it
    is acknowledged or its escalation has run out. What is due later than `patience` real seconds away (at
    `speed`) is not waited for: the report lists it.
    """
    script = Script(presses=presses, recording_seconds=recording_seconds,
                    dial=_dial_script(stack.support, to, behaviour))
    transcript = stack.fake.place_inbound_call(from_, to, script,
                                               status_callback=f"{stack.server.url}/voice/status")
    sessions = runtime(stack.app).services.readers  # the report only reads
    report = describe_call(sessions, transcript, stack.support)
    if report.page_id is None:
        return report
    clock = runtime(stack.app).services.clock
    deadline = time.monotonic() + patience
    while True:
        progress = page_progress(sessions, report.page_id, stack.support, whole_escalation, clock())
        real_wait = progress.seconds_to_next / speed if progress.seconds_to_next is not None else None
        beyond = real_wait is not None and time.monotonic() + real_wait > deadline
        if progress.settled or (beyond and not progress.under_way) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    report.page = describe_page(sessions, report.page_id, stack.support, stack.fake)
    report.still_due = progress.still_due
    return report
