"""The demo: three calls played through the service, then the service left running.

It runs on its own SQLite file and the fake Twilio, so it needs no account and
no network. The calls happen at fixed moments of late November 2026 so that
their output is the same on every machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import fcntl
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from router import create_app, db
from router.cli_support import DEMO_DATABASE
from router.clock import clock_starting_at, system_clock
from router.config import Settings, SupportConfig
from router.fake_twilio import BackgroundServer, FakeTwilio
from router.models import Role
from router.paging.worker import work
from router.recordings import kept_recordings
from router.runtime import runtime
from router.seed import history
from router.seed_store import first_ids, seeded, write_orm
from router.simulator import Behaviour, format_report, local_stack, play
from router.status.demo_history import seed_status
from router.users import add_user, find_user, set_password

DEMO_LOCK = DEMO_DATABASE.with_suffix(".lock")
DEMO_MANAGER, DEMO_PASSWORD = "manager", "demo-manager-password"  # the demo's own database: a fixed, printed password
HISTORY_WEEKS, HISTORY_CALLS = 4, 3000
STRANGER = "+5511912345678"


@dataclasses.dataclass(frozen=True)
class DemoCall:
    title: str
    caller: str
    at: str  # the line's local time
    presses: list[str]
    behaviour: Behaviour


def demo_calls(support: SupportConfig) -> list[DemoCall]:
    """The three calls: tier 1 in business hours, an after-hours message, an after-hours critical case."""
    critical = next(c for c in support.customers
                    if support.package(c.package).after_hours_critical and c.contacts)
    return [
        DemoCall("1. Monday 10:00: a customer reaches tier 1", critical.contacts[0], "2026-11-23 10:00",
                 ["1"], Behaviour(tier1="answer")),
        DemoCall("2. Friday 20:00: an unknown caller leaves a message", STRANGER, "2026-11-27 20:00",
                 ["2"], Behaviour()),
        DemoCall(f"3. Saturday 03:00: {critical.name} reports a critical production case", critical.contacts[0],
                 "2026-11-28 03:00", ["1", "1"], Behaviour(engineer="human", engineer_presses=("1",))),
    ]


@contextmanager
def demo_lock(port: int) -> Iterator[None]:
    """Hold the checkout's demo lock, or refuse: a second demo would delete the first one's database."""
    DEMO_LOCK.parent.mkdir(exist_ok=True)
    with open(DEMO_LOCK, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise click.ClickException(f"a demo is already running in this checkout ({holder}): "
                                       "stop it with Ctrl-C in its terminal first") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"on :{port}, pid {os.getpid()}")
        lock.flush()
        yield


def check_ports(ports: dict[str, int]) -> None:
    """Say which port is taken before any call is played, and the option that picks another."""
    for option, port in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is free
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise click.ClickException(f"port {port} is already in use (another demo or router serve?): "
                                           f"choose another with {option}") from None


def run_demo(settings: Settings, support: SupportConfig, port: int, fake_port: int, serve: bool) -> None:
    """Play the demo calls on a fresh demo database, then serve until interrupted."""
    with demo_lock(port):
        if serve:
            check_ports({"--port": port, "--fake-twilio-port": fake_port})
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
        settings = dataclasses.replace(settings, database_url=f"sqlite:///{DEMO_DATABASE}")
        line = support.lines[0]
        for demo_call in demo_calls(support):
            at = dt.datetime.fromisoformat(demo_call.at).replace(tzinfo=line.timezone)
            with local_stack(settings, support, clock_starting_at(at), demo_call.behaviour) as stack:
                report = play(stack, demo_call.caller, line.number, demo_call.presses, behaviour=demo_call.behaviour)
            click.echo(f"\n=== {demo_call.title}\n" + format_report(report, demo_call.caller, line.number, at))
        click.echo(f"\nThe calls are kept in {DEMO_DATABASE}; look at the last case with\n"
                   f"  DATABASE_URL=sqlite:///{DEMO_DATABASE} router case show {report.case['number']}")
        first = dt.datetime.fromisoformat(demo_calls(support)[0].at).replace(tzinfo=line.timezone)
        seeded = seed_console(settings.database_url, support, first)
        click.echo(f"\n{seeded}\nThe console: http://127.0.0.1:{port}/ (log in as {DEMO_MANAGER}, "
                   f"password {DEMO_PASSWORD})" + ("" if serve else ", once the demo serves (without --no-serve)"))
        if serve:
            _serve(settings, support, port, fake_port)


def seed_console(url: str, support: SupportConfig, end: dt.datetime) -> str:
    """Weeks of calls before the played ones (once), and the manager's account; says what it did."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            if seeded(session):
                told = "The seeded history is there already."
            else:
                batches = history(support, end, HISTORY_WEEKS, HISTORY_CALLS, public_url=support.service.public_url,
                                  first=first_ids(session))
                count = write_orm(session, batches)
                seed_status(session, support, end, system_clock())
                told = (f"Seeded {count} calls over the {HISTORY_WEEKS} weeks before the first played call, and "
                        "the status page's incidents and a maintenance to come.")
            manager = find_user(session, DEMO_MANAGER)
            if manager is None:
                add_user(session, support, DEMO_MANAGER, "Demo Manager", Role.MANAGER, DEMO_PASSWORD,
                         system_clock())
            else:
                set_password(manager, DEMO_PASSWORD)
            session.commit()
    finally:
        engine.dispose()
    return told


def _serve(settings: Settings, support: SupportConfig, port: int, fake_port: int) -> None:
    with FakeTwilio(settings.twilio_account_sid, settings.twilio_auth_token, port=fake_port) as fake:
        settings = dataclasses.replace(settings, twilio_api_base=fake.url)
        app = create_app(settings, support, clock=system_clock, public_url=f"http://127.0.0.1:{port}")
        # The calls were recorded by the fakes that played them, gone now: this one serves their audio.
        with runtime(app).services.readers() as session:
            for sid, seconds in kept_recordings(session):
                fake.add_recording(sid, seconds)
        stop = threading.Event()
        # The paging worker, as `router serve` runs it: escalations, retries, what the web process left.
        worker = threading.Thread(target=work, args=(runtime(app).services, 1.0, stop, click.echo),
                                  name="paging-worker", daemon=True)
        with BackgroundServer(app, "127.0.0.1", port) as server:
            worker.start()
            for number in (line.number for line in support.lines):
                fake.add_number(number, voice_url=f"{server.url}/voice/incoming", sms_url=f"{server.url}/sms/incoming")
            for person in support.people:
                fake.add_number(person.phone, answer="human", presses=("1",))
            click.echo(f"\nThe service is answering on {server.url} (SQLite: {DEMO_DATABASE}), "
                       f"with its paging engine and the fake Twilio on {fake.url}.\n"
                       "Place a call through the fake Twilio, now:\n"
                       f"  curl -s -X POST {fake.url}/_fake/calls -H 'Content-Type: application/json' "
                       f"-d '{{\"from\": \"{support.customers[0].contacts[0]}\", "
                       f"\"to\": \"{support.lines[0].number}\", "
                       f"\"presses\": [\"1\", \"1\"]}}'\nor play one at any moment with `router call --help`. "
                       "Ctrl-C stops the demo.")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                click.echo("stopping")
            finally:
                stop.set()
                worker.join()
                runtime(app).dispatcher.shutdown()
