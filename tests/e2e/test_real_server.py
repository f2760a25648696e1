"""The real service process (gunicorn, `router serve`) with the fake Twilio on the other side."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from router.fake_twilio import FakeTwilio, Script
from router.models import Case, Page
from tests.conftest import EXAMPLE_CONFIG

TOKEN = "e2e-auth-token"
SID = "AC" + "e" * 32
LINE = "+551130000000"
ACME = "+5511988887777"
ON_CALL = {"carla": "+5511970000003", "diego": "+5511970000004"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config_closed_today(tmp_path: Path, port: int) -> Path:
    """The example configuration, with today and tomorrow closed on the Brazilian line."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    today = dt.datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    closures = ",\n".join(f'  {{ date = {day}, name = "End-to-end test closure" }}'
                          for day in (today, today + dt.timedelta(days=1)))
    text = text.replace('closures = [\n', f'closures = [\n{closures},\n', 1)
    text = text.replace('public_url = "http://127.0.0.1:5000"', f'public_url = "http://127.0.0.1:{port}"')
    tomllib.loads(text)
    path = tmp_path / "support.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def service(tmp_path):
    """`router serve` in its own process, talking to a fake Twilio in this one."""
    port = _free_port()
    database = tmp_path / "e2e.sqlite3"
    with FakeTwilio(SID, TOKEN) as fake:
        env = {**os.environ, "ROUTER_CONFIG": str(_config_closed_today(tmp_path, port)),
               "DATABASE_URL": f"sqlite:///{database}", "TWILIO_ACCOUNT_SID": SID,
               "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": fake.url, "SECRET_KEY": "e2e"}
        router = Path(sys.executable).with_name("router")
        process = subprocess.Popen([str(router), "serve", "--port", str(port), "--workers", "1"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_for_port(port, process)
            url = f"http://127.0.0.1:{port}"
            fake.add_number(LINE, voice_url=f"{url}/voice/incoming", sms_url=f"{url}/sms/incoming")
            for phone in ON_CALL.values():
                fake.add_number(phone, answer="human", presses=("1",))
            yield fake, url, create_engine(f"sqlite:///{database}")
        finally:
            process.terminate()
            process.communicate(timeout=15)


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


def test_a_critical_call_on_a_closure_day_pages_the_engineer_who_acknowledges_by_key(service):
    fake, url, engine = service
    transcript = fake.place_inbound_call(ACME, LINE, Script(presses=["1", "1"], recording_seconds=12),
                                         status_callback=f"{url}/voice/status")
    heard = transcript.heard()
    assert "Today is End-to-end test closure, a holiday." in heard
    assert "Your critical case number is 1, 0, 0, 1." in heard

    def acknowledged():
        with Session(engine) as session:
            page = session.scalars(select(Page)).first()
            return page if page is not None and page.status == "acknowledged" else None

    page = fake.wait_until(acknowledged, timeout=15)
    engineer = page.acknowledged_by
    assert page.acknowledged_via == "voice" and engineer in ON_CALL
    sms = [m for m in fake.messages() if m["to"] == ON_CALL[engineer]]
    calls = [c for c in fake.calls() if c["to"] == ON_CALL[engineer]]
    assert len(sms) == 1 and "CRITICAL case 1001 from ACME Retail" in sms[0]["body"]
    assert len(calls) == 1
    with Session(engine) as session:
        case = session.scalars(select(Case)).one()
        assert (case.severity, case.customer_id, case.recording_seconds) == ("critical", "acme-retail", 12)
