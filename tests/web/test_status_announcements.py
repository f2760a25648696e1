"""Callers first hear what the status page tells of their line: our incidents and maintenance, or an external
Statuspage read by the engine, which can be down, slow or garbage without the caller noticing."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from router import db
from router.config import load_config
from router.fake_twilio import Script
from router.models import Call, CallEvent, ExternalStatus, Incident, IncidentComponent, IncidentUpdate
from router.paging.worker import run_pass
from router.runtime import runtime
from router.simulator_report import describe_call, format_report
from router.status import announcements, external
from tests.conftest import EXAMPLE_CONFIG, ROOT
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, STRANGER, US_LINE, Twilio, sao_paulo

PAYLOADS = ROOT.parent / "shared" / "statuspage-v2"
OUTAGE = "Elevated error rates on the Public API"
UPDATE = "We have identified a faulty deployment and are rolling it back."


@pytest.fixture(autouse=True)
def _fresh_reads():
    """Each test's first call reads its status afresh (the cache is per database engine, but be sure)."""
    announcements.forget()
    yield
    announcements.forget()


def _open(app, name=OUTAGE, impact="major", components=("api",), kind="incident", status="identified",
          update=UPDATE, until=None, at=None, forget=True) -> None:
    """An incident or maintenance as the writing side would store it (the calls' cache forgotten)."""
    at = at or runtime(app).now() - dt.timedelta(minutes=20)
    with db.sessions(app)() as session, session.begin():
        incident = Incident(kind=kind, name=name, status=status, impact=impact, created_at=at, updated_at=at,
                            started_at=at, estimated_resolution_at=None if kind == "maintenance" else until,
                            scheduled_for=at if kind == "maintenance" else None,
                            scheduled_until=until if kind == "maintenance" else None)
        incident.components = [IncidentComponent(component_id=c) for c in components]
        incident.updates = [IncidentUpdate(status=status, body=update, created_at=at, updated_at=at, display_at=at)]
        session.add(incident)
    if forget:
        announcements.forget()


def _logged(app) -> Call:
    with db.sessions(app)() as session:
        return session.scalars(select(Call).order_by(Call.id.desc())).first()


def _first_note(app) -> str:
    with db.sessions(app)() as session:
        return session.scalars(select(CallEvent.note).order_by(CallEvent.id.desc())).first()


def test_without_an_incident_the_call_is_as_ever(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives()
    assert call.twiml.verbs() == ["Say", "Gather"]
    assert "problema" not in call.twiml.said()
    assert _logged(app).announced is None and "announced" not in _first_note(app)


def test_business_hours_in_portuguese_on_the_brazil_line(app, twilio, clock):
    _open(app, until=sao_paulo("2026-11-23 12:30"))
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives()
    greeting, told = list(call.twiml.root.iter("Say"))[:2]
    assert greeting.text == "Obrigado por ligar para o suporte da ACME Cloud."
    assert told.text == (f"Estamos cientes de um problema que afeta Public API: {OUTAGE}. {UPDATE} "
                         "Esperamos resolvê-lo até segunda-feira, 23 de novembro, às 12h30, horário de São Paulo.")
    assert (told.get("language"), told.get("voice")) == ("pt-BR", "Polly.Camila")
    call.hears("digite o número da sua conta")  # then the call goes on as usual
    call.presses("482910").hears("Para abrir um novo chamado, tecle 1")
    assert OUTAGE not in call.twiml.said()  # told once, at the start
    logged = _logged(app)
    assert logged.announced == OUTAGE and logged.decision == "open"
    with db.sessions(app)() as session:
        first = session.scalars(select(CallEvent).where(CallEvent.step == "incoming")).one()
    assert first.note == f'open; caller not recognised; announced incident "{OUTAGE}"'


def test_after_hours_in_english(app, twilio, clock):
    clock.at = sao_paulo("2026-11-23 21:00")
    _open(app, impact="critical", components=("api", "database"), until=sao_paulo("2026-11-24 01:00"))
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    says = [say.text for say in call.twiml.root.iter("Say")]
    assert says[1] == (f"We are aware of an issue affecting Public API and Managed databases: {OUTAGE}. {UPDATE} "
                       "We expect it to be resolved by Tuesday, November 24, at 1 AM, São Paulo time.")
    assert says[2].startswith("You have reached us outside our support hours")
    assert all(say.get("language") == "en-US" for say in call.twiml.root.iter("Say"))
    call.presses("1").hears("you are reporting a critical issue")
    assert _logged(app).announced == OUTAGE


def test_the_call_detail_says_what_the_caller_heard_first(app, twilio, clock):
    from tests.web.console import add_accounts, log_in

    clock.at = sao_paulo("2026-11-23 21:00")
    _open(app, impact="critical")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    add_accounts(app)
    manager = app.test_client()
    log_in(manager, "marta")
    detail = manager.get(f"/calls/{_logged(app).id}").get_data(as_text=True)
    assert f'<dd class="announced">the status page: {OUTAGE}</dd>' in detail


def test_maintenance_in_progress_is_told(app, twilio, clock):
    clock.at = sao_paulo("2026-11-23 20:00")
    _open(app, name="Managed databases upgrade", kind="maintenance", impact="maintenance", status="in_progress",
          components=("database",), update="The upgrade is under way.", until=sao_paulo("2026-11-23 23:00"))
    # Told in the line's zone: 11 PM in São Paulo is 9 PM in New York.
    twilio.call(STRANGER, US_LINE).arrives().hears(
        "Scheduled maintenance is in progress on Managed databases: Managed databases upgrade. "
        "The upgrade is under way. We expect it to be completed by Monday, November 23, at 9 PM, New York time.")
    assert _logged(app).announced == "Managed databases upgrade"


def test_scheduled_maintenance_not_yet_begun_is_not_told(app, twilio):
    _open(app, name="Next week's upgrade", kind="maintenance", impact="maintenance", status="scheduled")
    assert "upgrade" not in twilio.call(STRANGER, BRAZIL_LINE).arrives().twiml.said()
    assert _logged(app).announced is None


def test_an_incident_below_the_threshold_is_not_told(app, twilio):
    _open(app, name="Slightly slow dashboard", impact="minor", components=("dashboard",))
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives()
    assert "Slightly slow" not in call.twiml.said() and _logged(app).announced is None


def test_the_most_severe_incident_on_the_line_s_own_components_is_told(app, twilio):
    _open(app, name="SMS delays", impact="critical", components=("sms-gateway",))  # not a US line component
    _open(app, name="Dashboard outage", impact="major", components=("dashboard",))
    _open(app, name="Resolved long ago", impact="critical", status="resolved")
    call = twilio.call(STRANGER, US_LINE).arrives()
    assert "Dashboard outage" in call.twiml.said() and "SMS delays" not in call.twiml.said()
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives()
    assert "SMS delays" in call.twiml.said() and "Dashboard outage" not in call.twiml.said()


def test_a_call_logged_by_the_general_path_keeps_its_announcement(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE)
    call.arrives()
    assert _logged(app).announced is None
    _open(app)
    call._post("/voice/incoming", CallStatus="in-progress")  # the same CallSid asked again: looked up, not inserted
    assert OUTAGE in call.twiml.said()
    assert _logged(app).announced == OUTAGE


def test_the_status_read_is_cached_for_a_few_seconds(app, twilio, monkeypatch):
    twilio.call(STRANGER, BRAZIL_LINE).arrives()
    _open(app, forget=False)
    assert OUTAGE not in twilio.call(STRANGER, BRAZIL_LINE).arrives().twiml.said()  # read a moment ago
    assert OUTAGE in twilio.call(STRANGER, US_LINE).arrives().twiml.said()  # each line its own read
    monkeypatch.setattr(announcements, "CACHE_SECONDS", 0.0)  # the few seconds gone by
    assert OUTAGE in twilio.call(STRANGER, BRAZIL_LINE).arrives().twiml.said()


def test_a_status_page_that_cannot_be_read_never_changes_the_call(app, twilio, caplog):
    _open(app)
    _rename(app, "incident_components", "incident_components_away")  # the status query fails
    try:
        call = twilio.call(STRANGER, BRAZIL_LINE).arrives()
    finally:
        _rename(app, "incident_components_away", "incident_components")
    assert call.twiml.verbs() == ["Say", "Gather"] and OUTAGE not in call.twiml.said()
    assert _logged(app).decision == "open"
    assert "could not be read; the call goes on without it" in caplog.text


def _rename(app, table: str, to: str) -> None:
    with db.sessions(app)() as session, session.begin():
        session.execute(text(f"ALTER TABLE {table} RENAME TO {to}"))


def test_without_the_database_nothing_is_announced(app, twilio):
    _open(app)
    call = twilio.call(STRANGER, BRAZIL_LINE)
    call._post("/voice/fallback")
    assert OUTAGE not in call.twiml.said()
    call.hears("Obrigado por ligar")


def test_the_fake_twilio_player_and_router_call_s_report_show_it(served_app, fake_twilio, support, clock):
    _open(served_app, until=sao_paulo("2026-11-23 12:30"))
    transcript = fake_twilio.place_inbound_call(ACME_CONTACT, BRAZIL_LINE, Script(presses=["1"]))
    report = describe_call(db.sessions(served_app), transcript, support)
    printed = format_report(report, ACME_CONTACT, BRAZIL_LINE, clock.at)
    assert f"Line: Estamos cientes de um problema que afeta Public API: {OUTAGE}. {UPDATE}" in printed
    assert f"status page announced: {OUTAGE}" in printed
    lines = printed.splitlines()
    assert lines.index("  Line: Obrigado por ligar para o suporte da ACME Cloud.") + 1 == next(
        i for i, line in enumerate(lines) if OUTAGE in line and line.startswith("  Line:"))


def test_router_call_s_report_without_an_incident_says_nothing_of_it(served_app, fake_twilio, support, clock):
    transcript = fake_twilio.place_inbound_call(ACME_CONTACT, BRAZIL_LINE, Script(presses=["1"]))
    printed = format_report(describe_call(db.sessions(served_app), transcript, support), ACME_CONTACT, BRAZIL_LINE,
                            clock.at)
    assert "status page announced" not in printed and "Estamos cientes" not in printed
    lines = printed.splitlines()
    assert lines[lines.index("  Line: Obrigado por ligar para o suporte da ACME Cloud.") + 1].startswith(
        "  Line: Para abrir um novo chamado")


# An external Statuspage, served by a local HTTP server whose answer the test chooses.

class _Page(http.server.BaseHTTPRequestHandler):
    answers: dict[str, bytes]
    mode = "good"
    released = threading.Event()
    requests = 0

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests += 1
        if self.mode == "slow":
            self.released.wait(10)
        body = self.answers[self.mode]
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if body.startswith(b"<") else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # the test's output is not the server's access log
        pass


@pytest.fixture
def status_server() -> Iterator[type[_Page]]:
    good = (PAYLOADS / "github-summary.json").read_bytes()
    handler = type("Page", (_Page,), {"answers": {"good": good, "slow": good, "truncated": good[:900],
                                                  "html": b"<html><body>Service Unavailable</body></html>"},
                                      "released": threading.Event()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_port}/api/v2/summary.json"
    yield handler
    handler.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def external_app(make_app, fake_twilio, tmp_path):
    """The app with the Brazil line reading an external page at `url`, each read given 3 s."""
    def make(url: str):
        path = tmp_path / "external.toml"
        config = EXAMPLE_CONFIG.read_text().replace('after_hours = "callback"',
                                                    f'after_hours = "callback"\nstatus_url = "{url}"', 1)
        path.write_text(config.replace('announce_impact = "major"',
                                       'announce_impact = "major"\nexternal_timeout_seconds = 3'))
        return make_app(twilio_api_base=fake_twilio.url, config=load_config(path))
    return make


def _read_now(app) -> int:
    """One engine read of the external pages, waited for (the pass itself never waits)."""
    services = runtime(app).services
    started = external.refresh_external(services)
    external.wait_for_reads(services.engine, 5)
    announcements.forget()
    return started


def _row(app) -> ExternalStatus | None:
    with db.sessions(app)() as session:
        return session.get(ExternalStatus, BRAZIL_LINE)


def _answers_at_once(twilio, caller=STRANGER):
    started = time.monotonic()
    call = twilio.call(caller, BRAZIL_LINE).arrives()
    assert time.monotonic() - started < 1.5
    return call


def test_a_good_external_summary_is_announced(external_app, status_server, clock):
    app = external_app(status_server.url)
    twilio = Twilio(app.test_client())
    assert _answers_at_once(twilio).twiml.verbs() == ["Say", "Gather"]  # not read yet: nothing to tell
    assert _read_now(app) == 1
    row = _row(app)
    assert (row.url, row.error, row.read_at, row.checked_at) == (status_server.url, None, clock(), clock())
    call = _answers_at_once(twilio)
    call.hears("Estamos cientes de um problema: Unplanned Database Outage. Our master database has ham sandwiches")
    assert _logged(app).announced == "Unplanned Database Outage"
    assert _read_now(app) == 0 and status_server.requests == 1  # read again only after the poll interval
    clock.at += dt.timedelta(seconds=60)
    assert _read_now(app) == 1 and status_server.requests == 2


def test_an_external_page_that_is_down_changes_nothing(external_app, clock):
    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/api/v2/summary.json"
    app = external_app(url)
    twilio = Twilio(app.test_client())
    assert _read_now(app) == 1
    row = _row(app)
    assert row.read_at is None and row.summary is None and row.error.startswith("ConnectionError")
    call = _answers_at_once(twilio)
    assert call.twiml.verbs() == ["Say", "Gather"] and _logged(app).announced is None


@pytest.mark.parametrize("garbage", ["html", "truncated"])
def test_an_external_page_of_garbage_changes_nothing_and_keeps_the_last_good_read(external_app, status_server,
                                                                                   clock, garbage):
    app = external_app(status_server.url)
    twilio = Twilio(app.test_client())
    status_server.mode = garbage
    _read_now(app)
    assert _row(app).error.startswith("ReaderError") and _row(app).summary is None
    assert _answers_at_once(twilio).twiml.verbs() == ["Say", "Gather"]

    status_server.mode = "good"
    clock.at += dt.timedelta(seconds=60)
    _read_now(app)
    good_read = _row(app).read_at
    status_server.mode = garbage
    clock.at += dt.timedelta(seconds=60)
    _read_now(app)
    row = _row(app)
    assert row.error.startswith("ReaderError") and row.read_at == good_read and row.summary is not None
    _answers_at_once(twilio).hears("Unplanned Database Outage")  # the last good read, still fresh


def test_a_slow_external_page_holds_up_neither_the_pass_nor_a_call(external_app, status_server, clock):
    app = external_app(status_server.url)
    twilio = Twilio(app.test_client())
    services = runtime(app).services
    _read_now(app)  # a good read first
    status_server.mode = "slow"  # now it answers in 10 s
    clock.at += dt.timedelta(seconds=60)
    started = time.monotonic()
    counts = run_pass(services)
    assert time.monotonic() - started < 1.5 and counts["external status pages read"] == 1  # not the read's 3 s
    _answers_at_once(twilio).hears("Unplanned Database Outage")  # while the read hangs: the stale data
    assert run_pass(services)["external status pages read"] == 0  # still reading: not started twice

    external.wait_for_reads(services.engine, 5)  # the read gives up after its 3 s
    row = _row(app)
    assert row.error.startswith("ReadTimeout") or row.error.startswith("ConnectionError"), row.error
    assert row.summary is not None

    clock.at += dt.timedelta(minutes=10)  # ten polls after the good read: stale, no longer told
    announcements.forget()
    call = _answers_at_once(twilio)
    assert call.twiml.verbs() == ["Say", "Gather"] and "Unplanned" not in call.twiml.said()


def test_a_line_that_names_another_page_forgets_what_the_old_one_said(external_app, status_server, clock):
    app = external_app(status_server.url)
    _read_now(app)
    with db.sessions(app)() as session, session.begin():
        session.get(ExternalStatus, BRAZIL_LINE).url = "http://127.0.0.1:1/old"
    announcements.forget()
    assert "Unplanned" not in _answers_at_once(Twilio(app.test_client())).twiml.said()
    status_server.mode = "html"
    _read_now(app)  # claimed at once (another URL), and nothing of the old page is kept
    row = _row(app)
    assert row.url == status_server.url and row.summary is None and row.read_at is None
