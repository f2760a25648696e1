"""Paging benchmark: many concurrent critical calls through the real service, figures printed.

    .venv/bin/python benchmarks/paging.py [--calls 200] [--database sqlite|postgresql]

It generates a configuration from examples/support.toml (one customer per call, today and
tomorrow closed on the Brazilian line so every call is after hours, 1-minute escalation steps),
starts a FakeTwilio in this process, `router serve --workers 2 --no-engine` and two `router worker
--interval 0.5` processes, places all the calls at once and plays them in real time (--pace),
lets the pages escalate for a bounded time, stops everything and prints what the fake Twilio's log and
the database say. It asserts
nothing: it is a benchmark, not a test. Everything runs on 127.0.0.1; every process and temporary
file (and, with --database postgresql, the database) it created is removed at the end.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project's packages come first

from paging_figures import analyse  # noqa: E402  (beside this script)
from sqlalchemy import create_engine, text  # noqa: E402  (after the path above)

from router.clock import system_clock  # noqa: E402
from router.fake_twilio import FakeTwilio, Script  # noqa: E402

EXAMPLE = ROOT / "examples" / "support.toml"
SID = "AC" + "b" * 32
TOKEN = "benchmark-auth-token"
LINE = "+551130000000"
LINE_ZONE = ZoneInfo("America/Sao_Paulo")
POLICY = "critical-brazil"
STEP_MINUTES = 1  # the smallest delay_minutes the configuration accepts (sections.StepConfig: ge=1)
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
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
    today = system_clock().astimezone(LINE_ZONE).date()  # ROUTER_CLOCK moves the benchmark's day too
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
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the group id is the pid we started (start_new_session)


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
    serve = run.processes.start("serve", [str(router), "serve", "--port", str(port), "--workers", "2",
                                                 "--no-engine"], env, run.tmp)
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
