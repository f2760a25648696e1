"""A soak: mixed traffic for minutes against `router serve` with its engine, memory and connections reported.

    .venv/bin/python benchmarks/soak.py                                  # 10 minutes, SQLite
    .venv/bin/python benchmarks/soak.py --database postgresql --minutes 10

`router serve` (2 gunicorn workers and its paging engine) on the example configuration, adapted
as `paging.py` adapts it (the Brazilian line closed today, one-minute escalation steps, a
customer per caller) and with the US line open every hour of every day. The fake Twilio plays,
from a few threads at once: open-hours calls put through to tier 1 on the US line, after-hours
messages and critical calls on the Brazilian one, and the engineers' SMS replies (ACK) to the
pages those open; the engineers' phones answer and acknowledge now and then. It prints the
service's memory (resident, all its processes) and database connections after a warm-up and at
the end, and what was placed, logged and sent. It asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paging import SID, TOKEN, Database, Processes, build_config, customer_phone, free_port, wait_for_port  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from router.fake_twilio import FakeTwilio, Script  # noqa: E402
from router.models import Call, Case, Notification, Page  # noqa: E402

BRAZIL, US = "+551130000000", "+12125550100"
# The Brazilian policy's people (Carla, Diego, Gabriel, Marta): some acknowledge by key, some only listen.
ENGINEERS = {"+5511970000003": "1", "+5511970000004": "", "+5511970000005": "1", "+5511970000009": "1"}
US_TIER_1 = "+12125550142"  # Erin, the US line's ring group
CUSTOMERS = 400


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--threads", type=int, default=4, help="callers at once")
    return parser.parse_args()


def soak_config(port: int) -> str:
    """`paging.py`'s configuration, with the US line open all day, every day."""
    text_ = build_config(port, CUSTOMERS, 1)
    hours = "".join(f'{day} = "00:00-23:59"\n' for day in
                    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    text_, found = re.subn(r"(?s)(\[lines\.hours\]\n)(?:[a-z]+ = \"[^\"]*\"\n)+", r"\1" + hours.replace("\\", ""),
                           text_, count=1)
    if not found:
        raise SystemExit("examples/support.toml changed shape: no [lines.hours] table for the US line")
    return text_


def resident_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status)[1])
    return total


def service_pids(root: int) -> list[int]:
    """The service's processes: gunicorn's master, its workers and the paging engine."""
    found, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int(re.search(r"PPid:\s+(\d+)", (entry / "status").read_text())[1])
                except (OSError, TypeError):
                    continue
                if ppid == parent:
                    found.append(int(entry.name))
                    frontier.append(int(entry.name))
    return found


def connections(database: Database, pids: list[int], sqlite_file: Path) -> int:
    if database.kind == "postgresql":
        engine = create_engine(database.url)
        with engine.connect() as connection:
            count = connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                                           "AND pid <> pg_backend_pid()"), {"name": database.name})
        engine.dispose()
        return int(count)
    opened = 0
    for pid in pids:
        try:
            opened += sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd) == str(sqlite_file))
        except OSError:
            continue
    return opened


def traffic(fake: FakeTwilio, stop: threading.Event, placed: Counter, seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        caller = customer_phone(rng.randrange(1, CUSTOMERS + 1))
        kind = rng.choices(["open", "message", "critical", "ack"], weights=[5, 3, 1, 1])[0]
        try:
            if kind == "open":
                fake.place_inbound_call(caller, US, Script(presses=["1"], recording_seconds=5))
            elif kind == "message":
                fake.place_inbound_call(caller, BRAZIL, Script(presses=["2"], recording_seconds=9))
            elif kind == "critical":
                fake.place_inbound_call(caller, BRAZIL, Script(presses=["1", "1"], recording_seconds=12))
            else:
                fake.send_sms(rng.choice(list(ENGINEERS)), BRAZIL, rng.choice(["1", "ACK", "ACK ALL", "2"]))
            placed[kind] += 1
        except Exception as exc:  # noqa: BLE001 - counted, the soak goes on
            placed[f"failed: {type(exc).__name__}"] += 1
        stop.wait(rng.uniform(0.05, 0.3))


def report(database: Database, fake: FakeTwilio, tmp: Path, placed: Counter) -> None:
    """What was placed, what the database recorded, and whether Twilio got each send once."""
    engine = create_engine(database.url)
    with engine.connect() as connection:
        inbound = connection.scalar(select(func.count()).select_from(Call).where(Call.direction == "inbound"))
        counted = {model.__name__: connection.scalar(select(func.count()).select_from(model))
                   for model in (Case, Page, Notification)}
        sent = connection.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.twilio_sid.is_not(None)))
    engine.dispose()
    log = (tmp / "router.log").read_text(encoding="utf-8", errors="replace")
    errors = len(re.findall(r'" 5\d\d ', log))
    at_twilio = len(fake.messages()) + len(fake.calls())  # every SMS and call the service asked for
    print(f"placed: {dict(placed)}")
    print(f"recorded: {inbound} inbound calls, {counted}; 5xx answers: {errors}; notifications Twilio took: "
          f"{sent}, sends Twilio received: {at_twilio} ({'none twice' if sent == at_twilio else 'MISMATCH'}); "
          f"spool left: {len(list((tmp / 'spool').glob('*.json'))) if (tmp / 'spool').is_dir() else 0}")


def main() -> None:
    args = parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake Twilio's server: a line per request
    tmp = Path(tempfile.mkdtemp(prefix="router-soak-"))
    database, processes = Database(args.database, tmp), Processes()
    fake = FakeTwilio(SID, TOKEN).start()
    try:
        port = free_port()
        config = tmp / "support.toml"
        config.write_text(soak_config(port), encoding="utf-8")
        env = {**os.environ, "ROUTER_CONFIG": str(config), "DATABASE_URL": database.url, "SECRET_KEY": "soak",
               "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": fake.url,
               "ROUTER_SPOOL": str(tmp / "spool")}
        service = processes.start("router", [str(Path(sys.executable).with_name("router")), "serve", "--port",
                                             str(port), "--workers", "2"], env, tmp)
        wait_for_port(port, service, tmp / "router.log")
        url = f"http://127.0.0.1:{port}"
        for number in (BRAZIL, US):
            fake.add_number(number, voice_url=f"{url}/voice/incoming", sms_url=f"{url}/sms/incoming")
        for phone, key in ENGINEERS.items():
            fake.add_number(phone, answer="human", presses=(key,) if key else ())
        fake.add_number(US_TIER_1, answer="human")

        stop, placed = threading.Event(), Counter()
        callers = [threading.Thread(target=traffic, args=(fake, stop, placed, seed)) for seed in range(args.threads)]
        for caller in callers:
            caller.start()
        time.sleep(30)  # warm-up: every process has served and connected
        sqlite_file = tmp / "bench.sqlite3"
        start = (resident_kib(service_pids(service.pid)), connections(database, service_pids(service.pid),
                                                                       sqlite_file))
        print(f"{args.database}, {args.threads} callers, {args.minutes:g} min; after 30 s: "
              f"{start[0] / 1024:.0f} MiB resident in {len(service_pids(service.pid))} processes, "
              f"{start[1]} database connections")
        deadline = time.monotonic() + args.minutes * 60 - 30
        while time.monotonic() < deadline:
            time.sleep(min(60, max(0.0, deadline - time.monotonic())))
            pids = service_pids(service.pid)
            print(f"  {time.strftime('%H:%M:%S')}: {resident_kib(pids) / 1024:.0f} MiB, "
                  f"{connections(database, pids, sqlite_file)} connections, placed so far {sum(placed.values())}",
                  flush=True)
        stop.set()
        for caller in callers:
            caller.join()
        pids = service_pids(service.pid)
        end = (resident_kib(pids), connections(database, pids, sqlite_file))
        print(f"at the end: {end[0] / 1024:.0f} MiB resident ({(end[0] - start[0]) / 1024:+.0f} MiB), "
              f"{end[1]} database connections ({end[1] - start[1]:+d})")
        time.sleep(5)  # the engine's last sends
        report(database, fake, tmp, placed)
    finally:
        processes.stop()
        fake.stop()
        database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
