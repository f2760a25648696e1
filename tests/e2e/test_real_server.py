"""The real service process (gunicorn, `router serve`) with the fake Twilio on the other side.

Nothing here depends on the day it runs: each test writes the configuration it needs (who is on call, which
day is closed), and `router serve` runs with no `router worker` beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from router.clock import system_clock
from router.fake_twilio import FakeTwilio, Script
from router.models import Case, Page, WorkerBeat
from tests.conftest import EXAMPLE_CONFIG
from tests.wallclock import SAO_PAULO

TOKEN = "e2e-auth-token"
SID = "AC" + "e" * 32
LINE = "+551130000000"
ACME = "+5511988887777"
CARLA = "+5511970000003"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _example_closed_today_with_carla_on_call(port: int) -> str:
    """The example configuration, with today and tomorrow closed on the Brazilian line and Carla on call."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    now = system_clock().astimezone(SAO_PAULO).replace(second=0, microsecond=0, tzinfo=None)
    today = now.date()
    closures = ",\n".join(f'  {{ date = {day}, name = "End-to-end test closure" }}'
                          for day in (today, today + dt.timedelta(days=1)))
    text = text.replace('closures = [\n', f'closures = [\n{closures},\n', 1)
    # Starting last, it wins over the example's own overrides (Diego covers Christmas).
    starts, ends = now - dt.timedelta(minutes=1), now + dt.timedelta(days=1)
    text += (f'\n[[overrides]]\nrotation = "on-call-brazil"\nperson = "carla"\n'
             f'starts = {starts.isoformat()}\nends = {ends.isoformat()}\n')
    return text.replace('public_url = "http://127.0.0.1:5000"', f'public_url = "http://127.0.0.1:{port}"')


# A line whose policy pages two engineers in turn, twice, then the manager; steps of one minute.
ESCALATION = """
[service]
company = "ACME Cloud"
public_url = "http://127.0.0.1:{port}"

[paging]
quiet_minutes = 0

[[lines]]
number = "+55 11 3000-0000"
name = "ACME Suporte Brasil"
timezone = "America/Sao_Paulo"
escalation_policy = "night"

[[people]]
id = "carla"
name = "Carla Mendes"
phone = "+55 11 97000-0003"

[[people]]
id = "diego"
name = "Diego Rocha"
phone = "+55 11 97000-0004"

[[people]]
id = "marta"
name = "Marta Alves"
phone = "+55 11 97000-0009"

[[packages]]
id = "enterprise"
name = "Enterprise"
channels = ["phone"]
after_hours_critical = true

[[customers]]
id = "acme-retail"
name = "ACME Retail"
account = "482910"
package = "enterprise"
contacts = ["+55 11 98888-7777"]

[[rotations]]
id = "nights"
timezone = "America/Sao_Paulo"
start = 2026-01-05T09:00:00
shift = "weekly"
participants = ["carla"]

[[escalation_policies]]
id = "night"
repeat = 1
fallback = ["marta"]

[[escalation_policies.steps]]
targets = ["rotation:nights"]
delay_minutes = 1

[[escalation_policies.steps]]
targets = ["person:diego"]
delay_minutes = 1
"""


def _escalation(port: int) -> str:
    return ESCALATION.replace("{port}", str(port))


@pytest.fixture
def serve(tmp_path):
    """Start `router serve` in its own process on a configuration; it talks to a fake Twilio in this one."""
    started = []

    def start(config: Callable[[int], str], *args: str, clock: str | None = None):
        port = _free_port()
        path = tmp_path / f"support-{port}.toml"
        path.write_text(config(port), encoding="utf-8")
        tomllib.loads(path.read_text(encoding="utf-8"))
        database = tmp_path / f"e2e-{port}.sqlite3"
        fake = FakeTwilio(SID, TOKEN).start()
        env = {**os.environ, "ROUTER_CONFIG": str(path), "DATABASE_URL": f"sqlite:///{database}",
               "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": fake.url,
               "SECRET_KEY": "e2e"}
        if clock:
            env["ROUTER_CLOCK"] = clock
        router = Path(sys.executable).with_name("router")
        process = subprocess.Popen([str(router), "serve", "--port", str(port), "--workers", "1", *args], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append((process, fake))
        _wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}"
        fake.add_number(LINE, voice_url=f"{url}/voice/incoming", sms_url=f"{url}/sms/incoming")
        return fake, url, create_engine(f"sqlite:///{database}"), process

    yield start
    for process, fake in started:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=30)  # also closes its stderr pipe
        fake.stop()


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("router serve exited: " + process.stderr.read().decode())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("router serve did not start listening")


def _page(engine, status: str) -> Page | None:
    with Session(engine) as session:
        page = session.scalars(select(Page)).first()
        if page is not None and page.status == status:
            return page
        return None


def test_a_critical_call_on_a_closure_day_pages_the_engineer_who_acknowledges_by_key(serve):
    fake, url, engine, _ = serve(_example_closed_today_with_carla_on_call)
    fake.add_number(CARLA, answer="human", presses=("1",))
    transcript = fake.place_inbound_call(ACME, LINE, Script(presses=["1", "1"], recording_seconds=12),
                                         status_callback=f"{url}/voice/status")
    heard = transcript.heard()
    assert "End-to-end test closure" in heard
    assert "Your critical case number is 1, 0, 0, 1." in heard

    page = fake.wait_until(lambda: _page(engine, "acknowledged"), timeout=15)
    assert (page.acknowledged_by, page.acknowledged_via) == ("carla", "voice")
    sms = [m for m in fake.messages() if m["to"] == CARLA]
    calls = [c for c in fake.calls() if c["to"] == CARLA]
    assert len(sms) == 1 and "CRITICAL case 1001 from ACME Retail" in sms[0]["body"]
    assert len(calls) == 1
    with Session(engine) as session:
        case = session.scalars(select(Case)).one()
        assert (case.severity, case.customer_id, case.recording_seconds) == ("critical", "acme-retail", 12)


def test_router_serve_alone_pages_through_a_whole_escalation(serve):
    # Saturday 03:00, the clock 60 times faster: a one-minute step lasts a second.
    fake, url, engine, _ = serve(_escalation, clock="2026-12-05T03:00:00-03:00 x60")
    for phone in ("+5511970000003", "+5511970000004"):  # they answer and hear the page, but do not take it
        fake.add_number(phone, answer="human", presses=("",))
    fake.add_number("+5511970000009", answer="human", presses=("1",))  # the manager takes it
    fake.place_inbound_call(ACME, LINE, Script(presses=["1", "1"]), status_callback=f"{url}/voice/status")

    page = fake.wait_until(lambda: _page(engine, "acknowledged"), timeout=60)
    assert (page.acknowledged_by, page.acknowledged_via) == ("marta", "voice")
    called = [c["to"] for c in fake.calls()]
    # Two rounds of both steps, then the fallback: every step entered by the engine inside `router serve`.
    assert called == ["+5511970000003", "+5511970000004"] * 2 + ["+5511970000009"]
    with Session(engine) as session:
        beats = session.scalars(select(WorkerBeat)).all()
    assert len(beats) == 1


def test_router_serve_stops_its_engine_with_it_even_when_killed(serve):
    fake, url, engine, process = serve(_escalation)
    beat = fake.wait_until(lambda: _beat(engine), timeout=15)
    engine_pid = int(beat.worker.split(":")[1])
    assert engine_pid != process.pid
    assert requests.get(f"{url}/health/engine", timeout=5).json()["workers_running"] == 1
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    fake.wait_until(lambda: not _alive(engine_pid), timeout=10)


def test_router_serve_no_engine_leaves_paging_to_router_worker(serve):
    fake, url, engine, _ = serve(_escalation, "--no-engine")
    time.sleep(2)  # long enough for an engine's first pass, if one ran
    answer = requests.get(f"{url}/health/engine", timeout=5)
    assert answer.status_code == 503 and answer.json()["workers_running"] == 0


def _beat(engine) -> WorkerBeat | None:
    with Session(engine) as session:
        return session.scalars(select(WorkerBeat)).first()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has exited; only its parent's wait is missing
    except FileNotFoundError:
        return False


def test_router_serve_trusts_no_forwarded_header_and_logs_no_token_nor_number(serve):
    from twilio.request_validator import RequestValidator

    from router.oncall import feed_token

    fake, url, _, process = serve(_example_closed_today_with_carla_on_call, "--no-engine")
    form = {"CallSid": "CA" + "7" * 32, "From": ACME, "To": LINE}
    over_https = RequestValidator(TOKEN).compute_signature(url.replace("http://", "https://") + "/voice/incoming", form)
    answer = requests.post(f"{url}/voice/incoming", data=form, timeout=10,
                           headers={"X-Twilio-Signature": over_https, "X-Forwarded-Proto": "https"})
    assert answer.status_code == 403  # proxy_hops = 0: the request came over http, whatever a header says
    token = feed_token("e2e", "rotation", "on-call-brazil")
    assert requests.get(f"{url}/calendar/rotations/on-call-brazil.ics?token={token}", timeout=10).status_code == 200
    fake.place_inbound_call(ACME, LINE, Script(presses=["2"], recording_seconds=3))
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    logged = stderr.decode()
    assert '"GET /calendar/rotations/on-call-brazil.ics" 200' in logged  # the access line, without its query
    assert '"POST /voice/incoming" 403' in logged
    assert token not in logged
    assert ACME.lstrip("+") not in logged and CARLA.lstrip("+") not in logged


def test_router_serve_metrics_add_up_its_web_workers_and_its_engine(serve):
    from prometheus_client.parser import text_string_to_metric_families

    fake, url, _, _ = serve(_example_closed_today_with_carla_on_call, "--workers", "2")
    for _ in range(3):
        fake.place_inbound_call(ACME, LINE, Script(presses=["2"], recording_seconds=3))

    def samples() -> dict[str, float]:
        text = requests.get(f"{url}/metrics", timeout=10).text
        return {sample.name + str(sorted(sample.labels.items())): sample.value
                for family in text_string_to_metric_families(text) for sample in family.samples}

    def counted() -> dict[str, float] | None:
        found = samples()
        passes = found.get("router_engine_pass_seconds_count[]", 0)
        return found if passes > 0 else None

    found = fake.wait_until(counted, timeout=20)  # the engine, a process of its own, has made passes
    calls = sum(v for k, v in found.items() if k.startswith("router_calls_total[") and "'line', '+551130000000'" in k)
    assert calls == 3  # whichever of the two web workers answered each
