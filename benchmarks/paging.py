"""Paging benchmark: many concurrent critical calls through the real service, figures printed.

    .venv/bin/python benchmarks/paging.py [--calls 200] [--database sqlite|postgresql]

It generates a configuration from examples/support.toml (one customer per call, today and
tomorrow closed on the Brazilian line so every call is after hours, 1-minute escalation steps),
starts a FakeTwilio in this process, `router serve --workers 2` and two `router worker
--interval 0.5` processes, places all the calls at once and plays them in real time (--pace),
lets the pages escalate for a bounded time, stops everything and prints what the fake Twilio's log and the database say. It asserts
nothing: it is a benchmark, not a test. Everything runs on 127.0.0.1; every process and temporary
file (and, with --database postgresql, the database) it created is removed at the end.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
import datetime as dt
import json
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project's packages come first

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from callflows.page import LISTED
from router.fake_twilio import FakeTwilio, Script
from router.models import Call, Case, Notification, Page, PageEvent
from router.models.cases import CASE_NUMBER_OFFSET

EXAMPLE = ROOT / "examples" / "support.toml"
SID = "AC" + "b" * 32
TOKEN = "benchmark-auth-token"
LINE = "+551130000000"
LINE_ZONE = ZoneInfo("America/Sao_Paulo")
POLICY = "critical-brazil"
STEP_MINUTES = 1  # the smallest delay_minutes the configuration accepts (sections.StepConfig: ge=1)
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CASE_NUMBER = re.compile(r"(?<![\d+])\d{4,7}(?!\d)")
NOTIFICATION_ID = re.compile(r"/(\d+)(?:/status)?/?(?:\?.*)?$")
STOP_TIMEOUT = 15.0


# --------------------------------------------------------------------------- configuration

def customer_phone(i: int) -> str:
    """Caller i's number: +55 11 96xxx-xxxx (clear of the example's contacts and blocked +55119000000?)."""
    return f"+551196{i:07d}"


def extra_line_number(k: int) -> str:
    return f"+5511300001{k:02d}"


def build_config(port: int, calls: int, lines: int) -> str:
    """The example configuration, adapted for the benchmark (see the module docstring)."""
    text_ = EXAMPLE.read_text(encoding="utf-8")
    today = dt.datetime.now(LINE_ZONE).date()
    days = [d for d in (today, today + dt.timedelta(days=1)) if f"date = {d}" not in text_]
    closures = "".join(f'  {{ date = {d}, name = "Benchmark closure" }},\n' for d in days)
    if 'closures = [\n' not in text_ or 'public_url = "http://127.0.0.1:5000"' not in text_:
        raise SystemExit("examples/support.toml changed shape: cannot find closures / public_url to adapt")
    text_ = text_.replace('closures = [\n', 'closures = [\n' + closures, 1)  # the first line: Brazil
    text_ = text_.replace('public_url = "http://127.0.0.1:5000"', f'public_url = "http://127.0.0.1:{port}"')
    # Short steps so that pages escalate within the run (every policy, the US one is unused).
    text_ = re.sub(r"(?m)^delay_minutes = [0-9.]+", f"delay_minutes = {STEP_MINUTES}", text_)

    extra = ["\n# ---- added by benchmarks/paging.py ----\n"]
    for i in range(1, calls + 1):
        package = "enterprise" if i % 2 else "advanced"
        extra.append(f'[[customers]]\nid = "bench-{i:04d}"\nname = "Bench Customer {i:04d}"\n'
                     f'account = "9{i:07d}"\npackage = "{package}"\ncontacts = ["{customer_phone(i)}"]\n\n')
    # Optional: more lines, each with its own copy of the Brazilian policy, so that there are
    # several pages (cases on one policy all join its open page).
    for k in range(1, lines):
        closures_k = ", ".join(f'{{ date = {d}, name = "Benchmark closure" }}'
                               for d in (today, today + dt.timedelta(days=1)))
        extra.append(f'[[lines]]\nnumber = "{extra_line_number(k)}"\nname = "ACME Suporte Brasil {k}"\n'
                     f'timezone = "America/Sao_Paulo"\nplace = "São Paulo"\nlanguage = "pt-BR"\n'
                     f'voice = "Polly.Camila"\nring_group = ["ana", "bruno"]\n'
                     f'escalation_policy = "{POLICY}-{k}"\nafter_hours = "callback"\n\n'
                     f'[lines.holidays]\ncountry = "BR"\nsubdivision = "SP"\nclosures = [{closures_k}]\n\n'
                     f'[[escalation_policies]]\nid = "{POLICY}-{k}"\nrepeat = 1\nfallback = ["marta"]\n\n'
                     f'[[escalation_policies.steps]]\ntargets = ["rotation:on-call-brazil"]\n'
                     f'delay_minutes = {STEP_MINUTES}\nring_seconds = 25\n\n'
                     f'[[escalation_policies.steps]]\n'
                     f'targets = ["rotation:on-call-brazil-secondary", "person:gabriel"]\n'
                     f'delay_minutes = {STEP_MINUTES}\n\n')
    return text_ + "".join(extra)


# --------------------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"router serve exited ({process.returncode}):\n{tail(log_path)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"router serve did not listen on {port} within {timeout:g} s:\n{tail(log_path)}")


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Processes:
    """The service processes this script started, each in its own process group (gunicorn forks)."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> subprocess.Popen:
        log_path = log_dir / f"{name}.log"
        with log_path.open("wb") as out:
            process = subprocess.Popen(args, env=env, cwd=log_dir, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self.started.append((name, process, log_path))
        return process

    def alive(self) -> list[str]:
        return [name for name, process, _ in self.started if process.poll() is None]

    def stop(self) -> None:
        """SIGTERM each group we started, wait (bounded), then SIGKILL what is left."""
        for _, process, _ in self.started:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for _, process, _ in self.started:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(5)
        # gunicorn's workers are in the master's group; make sure none outlived it.
        for _, process, _ in self.started:
            _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)  # the group id is the pid we started (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------- database

class Database:
    """A temporary SQLite file, or a fresh PostgreSQL database dropped at the end."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind, self.name = kind, None
        if kind == "sqlite":
            self.url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            return
        self.name = f"router_bench_{uuid.uuid4().hex[:10]}"
        self._admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = self._admin.url.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.name is None:
            return
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


# --------------------------------------------------------------------------- figures

def when(entry: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(entry["time"])


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def spread(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"median {statistics.median(values):.3f} s, p90 {percentile(values, 0.90):.3f} s, "
            f"p99 {percentile(values, 0.99):.3f} s, max {max(values):.3f} s (n={len(values)})")


@dataclass
class Stored:
    """What the run left in the database, with the look-ups the figures need."""

    calls: list
    cases: list
    pages: list
    notifications: list
    events: list
    case_of_call: dict = field(default_factory=dict)
    case_page: dict = field(default_factory=dict)
    case_opened: dict = field(default_factory=dict)
    cases_by_page: dict = field(default_factory=lambda: defaultdict(list))
    notification_page: dict = field(default_factory=dict)


def load(db_url: str) -> Stored:
    """Read calls, cases, pages, notifications and page events (detached, fully loaded)."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            data = Stored(
                calls=session.scalars(select(Call).where(Call.direction == "inbound")).all(),
                cases=session.scalars(select(Case)).all(),
                pages=session.scalars(select(Page)).all(),
                notifications=session.scalars(select(Notification)).all(),
                events=session.scalars(select(PageEvent).order_by(PageEvent.page_id, PageEvent.id)).all())
    finally:
        engine.dispose()
    data.case_of_call = {c.sid: c.case_id + CASE_NUMBER_OFFSET if c.case_id else None for c in data.calls}
    data.case_page = {c.number: c.page_id for c in data.cases}
    data.case_opened = {c.number: c.opened_at for c in data.cases}
    for c in data.cases:
        if c.page_id:
            data.cases_by_page[c.page_id].append(c.number)
    data.notification_page = {n.id: n.page_id for n in data.notifications}
    return data


def analyse(log: list[dict], db_url: str, step_delay: dt.timedelta, quiet: dt.timedelta) -> list[tuple[str, str]]:
    """Every figure of the run, as (label, value) rows."""
    data = load(db_url)
    return latency_rows(log, data) + volume_rows(log, data, quiet) + escalation_rows(data, step_delay)


def latency_rows(log: list[dict], data: Stored) -> list[tuple[str, str]]:
    """Confirm -> the first Twilio request for the call's page, and -> the first one naming its case."""
    confirms = {}
    for entry in log:
        if (entry["kind"] == "webhook" and "/voice/step/critical_confirm" in entry["url"]
                and entry["params"].get("Digits") == "1" and 200 <= entry.get("status_code", 0) < 300):
            # From the moment the key press is sent: the page now goes out while it is answered.
            confirms.setdefault(entry["params"].get("CallSid"), dt.datetime.fromisoformat(entry["sent"]))
    page_first, naming = first_requests(log, data)
    by_page: dict[str, list[float]] = defaultdict(list)
    told, missing, unnamed = [], 0, 0
    for call_sid, confirmed in confirms.items():
        number = data.case_of_call.get(call_sid)
        page_id = data.case_page.get(number)
        if page_id not in page_first:
            missing += 1
            continue
        waited = (page_first[page_id] - confirmed).total_seconds()
        opened = number == min(data.cases_by_page[page_id])  # the first case committed created the page
        kind = "opened the page" if opened else "joined, page not out yet" if waited > 0 else "joined, page already out"
        by_page[kind].append(max(0.0, waited))
        if number in naming:
            told.append((naming[number] - confirmed).total_seconds())
        else:
            unnamed += 1
    everyone = [v for values in by_page.values() for v in values]
    rows = [("confirm -> first Twilio request for the page", spread(everyone)),
            ("  under 1 s", f"{sum(v < 1 for v in everyone)} of {len(everyone)}")]
    rows += [(f"  {kind}", spread(values) if kind != "joined, page already out" else f"{len(values)} (0 s: the "
              "engineers were already being paged)") for kind, values in sorted(by_page.items())]
    if missing:
        rows.append(("confirmed calls without a page request", f"{missing} (no case, no page, or nothing sent)"))
    rows.append(("confirm -> first request naming the case", spread(told) + " (joined cases wait for the "
                 "bundled SMS: bundle_minutes)"))
    if unnamed:
        rows.append(("  cases no request named", f"{unnamed} (a bundled SMS counted them in \"and N more\", "
                                                    "or the run ended before it went out)"))
    return rows


def first_requests(log: list[dict], data: Stored) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    """The first REST request (SMS or call) for each page, and the first SMS or call that named each case.

    A message names the case numbers in its body; a call names the first three cases its page carried when made.
    """
    page_first: dict[int, dt.datetime] = {}
    naming: dict[int, dt.datetime] = {}
    for entry in sorted((e for e in log if e["kind"] in ("message", "call")), key=when):
        params, at = entry["params"], when(entry)
        match = NOTIFICATION_ID.search(params.get("StatusCallback") or "")
        page_id = data.notification_page.get(int(match.group(1))) if match else None
        if page_id is not None:
            page_first.setdefault(page_id, at)
        if entry["kind"] == "message":
            named = {int(n) for n in CASE_NUMBER.findall(params.get("Body", ""))} & set(data.case_page)
        else:  # a call reads the first cases of its page and counts the rest
            named = set(sorted(n for n in data.cases_by_page.get(page_id, ()) if data.case_opened[n] <= at)[:LISTED])
        for number in named:
            naming.setdefault(number, at)
    return page_first, naming


def volume_rows(log: list[dict], data: Stored, quiet: dt.timedelta) -> list[tuple[str, str]]:
    """Pages, cases, notifications, duplicates, bursts, SMS length."""
    rows = []
    cases, pages, notifications, case_of_call = data.cases, data.pages, data.notifications, data.case_of_call
    rest_by_notification: Counter = Counter()
    longest_sms = 0
    for entry in log:
        if entry["kind"] not in ("message", "call"):
            continue
        match = NOTIFICATION_ID.search(entry["params"].get("StatusCallback") or "")
        if match:
            rest_by_notification[int(match.group(1))] += 1
        if entry["kind"] == "message":
            longest_sms = max(longest_sms, len(entry["params"].get("Body", "")))
    # --- pages, cases, notifications, duplicates
    by_policy = Counter(p.policy_id for p in pages)
    rows.append(("pages", (f"{len(pages)} ({', '.join(f'{k}: {v}' for k, v in sorted(by_policy.items()))}); "
                          f"statuses {dict(Counter(p.status for p in pages))}")))
    distinct_cases = {n for n in case_of_call.values() if n}
    rows.append(("cases", (f"{len(cases)} ({len(distinct_cases)} distinct among the inbound calls, "
                          f"{sum(1 for c in cases if c.page_id)} on a page)")))
    sent = [n for n in notifications if n.twilio_sid]
    rows.append(("notifications", (f"{len(notifications)} rows; sent {len(sent)} "
                                  f"(sms {sum(n.channel == 'sms' for n in sent)}, "
                                  f"voice {sum(n.channel == 'voice' for n in sent)}); "
                                  f"statuses {dict(sorted(Counter(n.status for n in notifications).items()))}")))
    sid_twice = [s for s, k in Counter(n.twilio_sid for n in sent).items() if k > 1]
    requested_twice = {i: k for i, k in rest_by_notification.items() if k > 1}
    rows.append(("notifications sent twice", (f"{len(requested_twice)} by REST request "
                                             f"(same notification id), {len(sid_twice)} by Twilio SID")))
    if requested_twice:
        sample = sorted(requested_twice.items())[:10]
        rows.append(("  e.g. (id: requests)", ", ".join(f"{i}: {k}" for i, k in sample)))
    rows.append(("REST requests (sms / calls)", (f"{sum(e['kind'] == 'message' for e in log)} / "
                                                f"{sum(e['kind'] == 'call' for e in log)}")))
    calls_to: dict[str, list[dt.datetime]] = defaultdict(list)
    for entry in log:
        if entry["kind"] == "call":
            calls_to[entry["params"].get("To", "?")].append(when(entry))
    burst, burst_to = 0, None
    for number, times in calls_to.items():
        times.sort()
        start = 0
        for end, at in enumerate(times):
            while at - times[start] >= quiet:
                start += 1
            if end - start + 1 > burst:
                burst, burst_to = end - start + 1, number
    rows.append(("most page calls to one phone", f"{burst} within {quiet.total_seconds():g} s"
                                                 + (f" (to {burst_to})" if burst_to else "")
                                                 + " (quiet_minutes promises 1)"))
    rows.append(("longest SMS body", f"{longest_sms} characters (real Twilio refuses > 1600)"))
    return rows


def escalation_rows(data: Stored, step_delay: dt.timedelta) -> list[tuple[str, str]]:
    """How late timeouts escalate, against their deadlines."""
    rows = []
    events = data.events
    # --- escalation lateness: each timeout escalation against the deadline of the step it left.
    # An escalation well before that deadline is a second escalation of a step another worker
    # had just escalated (the step was entered twice): counted apart, not as lateness.
    late, early, other_escalations = [], [], Counter()
    step_started: dict[int, dt.datetime] = {}
    for event in events:
        if event.kind == "step":
            step_started[event.page_id] = event.at
        elif event.kind == "escalated":
            if event.detail.startswith("no acknowledgement by") and event.page_id in step_started:
                lateness = (event.at - (step_started[event.page_id] + step_delay)).total_seconds()
                (early if lateness < -1 else late).append(lateness)
            else:
                other_escalations[event.detail] += 1
    kinds = Counter(e.kind for e in events)
    rows.append(("escalations (timeouts)", f"{len(late) + len(early)}; late by " + (
        f"median {statistics.median(late):.3f} s, max {max(late):.3f} s" if late else "no samples")))
    if early:
        rows.append(("  escalated again at once", (
            f"{len(early)} (a step entered twice, within {max(s + step_delay.total_seconds() for s in early):.3f}"
            f" s of the previous escalation)")))
    if other_escalations:
        rows.append(("escalations (other reasons)", ", ".join(f"{v} x {k!r}" for k, v
                                                             in other_escalations.most_common(5))))
    rows.append(("page events", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))))
    return rows


# --------------------------------------------------------------------------- the run

def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200, help="concurrent critical calls (default 200)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--threads", type=int, default=0,
                        help="calls in flight at once (default 0: all of them, every call concurrent)")
    parser.add_argument("--pace", type=float, default=1.0,
                        help="seconds each caller really waits per second of the call (prompts spoken, the "
                             "recording): 1 plays calls in real time (default), 0 plays them back to back as "
                             "fast as the service answers (a throughput stress, not a realistic caller)")
    parser.add_argument("--escalate-seconds", type=float, default=180,
                        help="how long after the first call the pages may escalate before the run stops "
                             "(default 180: the calls confirm about 25 s in, then two 1-minute steps)")
    parser.add_argument("--engineers", choices=("human", "no-answer"), default="human",
                        help="how the engineers' phones answer page calls: 'human' answers and presses nothing "
                             "(steps time out, which is what the lateness figure measures); 'no-answer' makes "
                             "each step escalate as soon as its calls go unanswered (default human)")
    parser.add_argument("--lines", type=int, default=1,
                        help="spread the calls over this many lines, each with its own policy, hence its own "
                             "page (default 1: the Brazilian line only, where every case joins one page)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (config, process logs, the fake's log as JSON, SQLite)")
    args = parser.parse_args()
    if args.calls < 1 or args.threads < 0 or args.pace < 0 or not 1 <= args.lines <= 99:
        parser.error("--calls must be positive, --threads and --pace not negative, --lines 1..99")
    args.threads = args.threads or args.calls
    return args


@dataclass
class Run:
    """The service under test: its processes, database, fake Twilio and numbers."""

    tmp: Path
    processes: Processes
    database: Database | None = None
    fake: FakeTwilio | None = None
    url: str = ""
    lines: list[str] = field(default_factory=list)
    config_text: str = ""


def start_service(args: argparse.Namespace, run: Run) -> bool:
    """Write and check the configuration, start the fake Twilio, `router serve` and two workers."""
    router = Path(sys.executable).parent / "router"
    port = free_port()
    run.config_text = build_config(port, args.calls, args.lines)
    tomllib.loads(run.config_text)  # it parses
    config_path = run.tmp / "support.toml"
    config_path.write_text(run.config_text, encoding="utf-8")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("ROUTER_", "TWILIO_", "DATABASE_URL"))}
    checked = subprocess.run([str(router), "check-config"], env={**base_env, "ROUTER_CONFIG": str(config_path)},
                             capture_output=True, text=True, timeout=60, check=False)
    if checked.returncode != 0:
        print(checked.stdout + checked.stderr, file=sys.stderr)
        return False
    print("config:", checked.stdout.strip().splitlines()[-1])
    run.database = Database(args.database, run.tmp)
    run.fake = FakeTwilio(SID, TOKEN).start()
    env = {**base_env, "ROUTER_CONFIG": str(config_path), "DATABASE_URL": run.database.url,
           "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": run.fake.url,
           "SECRET_KEY": "benchmark-secret", "ROUTER_SPOOL": str(run.tmp / "spool"), "PYTHONUNBUFFERED": "1"}
    serve = run.processes.start("serve", [str(router), "serve", "--port", str(port), "--workers", "2"], env, run.tmp)
    wait_for_port(port, serve, run.tmp / "serve.log")  # serve migrates the schema before it listens
    for i in (1, 2):
        run.processes.start(f"worker{i}", [str(router), "worker", "--interval", "0.5"], env, run.tmp)
    run.url = f"http://127.0.0.1:{port}"
    run.lines = [LINE] + [extra_line_number(k) for k in range(1, args.lines)]
    for number in run.lines:
        run.fake.add_number(number, voice_url=f"{run.url}/voice/incoming", sms_url=f"{run.url}/sms/incoming")
    from router.config import to_e164
    for person in tomllib.loads(run.config_text)["people"]:
        run.fake.add_number(to_e164(person["phone"]), answer=args.engineers, presses=())
    print(f"service on {run.url} ({args.database}), fake Twilio on {run.fake.url}, {args.calls} calls, "
          f"{args.threads} in flight, pace {args.pace:g}, engineers: {args.engineers}, lines: {args.lines}")
    return True


def place_calls(args: argparse.Namespace, run: Run) -> tuple[list[tuple[str, str]], float]:
    """All the calls, released together; returns their rows and when they started (monotonic)."""
    go = threading.Event()
    results: dict[str, dict] = {}
    failures: list[str] = []

    def one_call(i: int) -> None:
        go.wait()
        try:
            transcript = run.fake.place_inbound_call(
                customer_phone(i), run.lines[(i - 1) % len(run.lines)],
                Script(presses=["1", "1"], recording_seconds=12, pace=args.pace),
                status_callback=f"{run.url}/voice/status")
            results[transcript.call_sid] = {"status": transcript.status,
                                            "paged": "Your critical case number is" in transcript.heard(),
                                            "errors": [e.text for e in transcript.of_kind("error")]}
        except Exception as error:  # noqa: BLE001 - counted, printed below
            failures.append(f"call {i}: {error!r}")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.threads, thread_name_prefix="caller") as pool:
        futures = [pool.submit(one_call, i) for i in range(1, args.calls + 1)]
        go.set()
        _done, not_done = wait(futures, timeout=300)
        for future in not_done:
            future.cancel()
    seconds = time.monotonic() - started
    completed = sum(r["status"] == "completed" for r in results.values())
    paged = sum(r["paged"] for r in results.values())
    rows = [("calls placed", (f"{args.calls} ({completed} completed, {paged} heard their critical case "
                              f"number, {len(failures)} raised, {len(not_done)} unfinished) in {seconds:.1f} s"))]
    call_errors = Counter(text_ for r in results.values() for text_ in r["errors"])
    if call_errors:
        rows.append(("errors heard on calls", "; ".join(f"{v} x {k[:90]}" for k, v in call_errors.most_common(3))))
    rows += [("call failure", failure[:150]) for failure in failures[:3]]
    print(f"calls played in {seconds:.1f} s; letting pages escalate until "
          f"{args.escalate_seconds:g} s after the first call ...", flush=True)
    return rows, started


def health_rows(log: list[dict], run: Run, alive: list[str]) -> list[tuple[str, str]]:
    """Webhook failures, fake Twilio errors, processes, spool, tracebacks in the service's logs."""
    webhook_failures = Counter(e.get("status_code") for e in log
                               if e["kind"] == "webhook" and not 200 <= e.get("status_code", 0) < 300)
    rows = [("webhooks answered non-2xx", f"{sum(webhook_failures.values())}"
             + (f" {dict(webhook_failures)}" if webhook_failures else ""))]
    fake_errors = [e["text"] for e in log if e["kind"] == "error"]
    rows.append(("fake Twilio errors", str(len(fake_errors)) + (f" (e.g. {fake_errors[0][:100]})"
                                                               if fake_errors else "")))
    rows.append(("service processes alive at the end", f"{len(alive)} of 3 ({', '.join(alive) or 'none'})"))
    spool = run.tmp / "spool"
    rows.append(("spooled critical calls left", str(len(list(spool.glob("*.json"))) if spool.exists() else 0)))
    for name, _, log_path in run.processes.started:
        content = log_path.read_text(encoding="utf-8", errors="replace")
        failed_passes = content.count("pass failed, trying again")
        if failed_passes:
            rows.append((f"failed passes in {name} log", str(failed_passes)))
        tracebacks = content.count("Traceback (most recent call last)")
        if tracebacks:
            last = [line for line in content.splitlines() if line and not line.startswith(" ")][-1]
            rows.append((f"tracebacks in {name} log", f"{tracebacks} (last: {last[:110]})"))
    return rows


def main() -> int:
    """Run the benchmark once and print its figures."""
    args = parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the fake's request log
    run = Run(Path(tempfile.mkdtemp(prefix="paging-bench-")), Processes())
    rows: list[tuple[str, str]] = []
    run_started = time.monotonic()
    try:
        if not start_service(args, run):
            return 1
        rows, calls_started = place_calls(args, run)
        # Let the pages escalate (bounded), then stop the service before reading the log.
        while time.monotonic() < calls_started + args.escalate_seconds and run.processes.alive():
            time.sleep(0.5)
        time.sleep(2)  # notifications of the last escalation are being sent
        alive = run.processes.alive()
        run.processes.stop()
        log = run.fake.log()
        if args.keep:
            (run.tmp / "fake-log.json").write_text(json.dumps(log), encoding="utf-8")
        rows += analyse(log, run.database.url, dt.timedelta(minutes=STEP_MINUTES),
                        dt.timedelta(minutes=tomllib.loads(run.config_text)["paging"]["quiet_minutes"]))
        rows += health_rows(log, run, alive)
    finally:
        clean_up(run, args.keep)
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"{'run took':<{width}}  {time.monotonic() - run_started:.0f} s")
    return 0


def clean_up(run: Run, keep: bool) -> None:
    """Stop every process, the fake Twilio, drop the database, remove the temporary folder."""
    run.processes.stop()
    if run.fake is not None:
        run.fake.stop()
    if run.database is not None:
        try:
            run.database.drop()
        except Exception as error:  # noqa: BLE001 - report, never leave the run hanging
            print(f"could not drop database {run.database.name}: {error}", file=sys.stderr)
    if keep:
        print(f"kept {run.tmp} (config, process logs, fake-log.json; SQLite file)")
    else:
        shutil.rmtree(run.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
