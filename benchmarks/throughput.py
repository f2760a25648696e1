"""The hot path: signed `POST /voice/incoming` under `router serve`, beside a bare endpoint, with wrk.

    .venv/bin/python benchmarks/throughput.py                         # SQLite, 16 connections
    .venv/bin/python benchmarks/throughput.py --database postgresql   # a fresh PostgreSQL database

Both servers run under `router.serving.run_gunicorn` with the same workers and threads; wrk
(`apt-get install wrk`) sends correctly signed bodies, each with its own CallSid, to one then the
other, `--rounds` times, interleaved. It prints requests per second and latency per round, the
ratio of the router to the bare endpoint, and checks that every request the router answered is
one call and one event in the database. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paging import EXAMPLE, ROOT, SID, TOKEN, Database, Processes, free_port, wait_for_port  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from router.models import Call, CallEvent  # noqa: E402

LINE = "+551130000000"
LUA = Path(__file__).with_name("signed.lua")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument("--requests", type=int, default=40_000, help="distinct signed requests per round")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (config, logs, SQLite)")
    return parser.parse_args()


def signed_requests(path: Path, url: str, count: int, round_: int) -> None:
    """`count` lines of "<signature> <body>": callers from many numbers, a CallSid each."""
    validator = RequestValidator(TOKEN)
    with path.open("w", encoding="ascii") as out:
        for i in range(count):
            form = {"AccountSid": SID, "CallSid": f"CA{round_:04d}{i:028d}", "From": f"+55119{i % 90_000_000:08d}",
                    "To": LINE, "Direction": "inbound", "CallStatus": "ringing"}
            out.write(f"{validator.compute_signature(url, form)} {urlencode(form)}\n")


def wrk(port: int, lines: Path, args: argparse.Namespace) -> dict[str, float]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
               "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(lines), str(args.threads), "/voice/incoming"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
               "requests": float(re.search(r"(\d+) requests in", out)[1]),
               "non-2xx": float(m[1]) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0.0}
    for share in ("50", "90", "99"):
        value, unit = re.search(rf"\s{share}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        figures[f"p{share}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return figures


def rounds(args: argparse.Namespace, router_port: int, bare_port: int, tmp: Path) -> int:
    """wrk against the bare endpoint, then the router, `--rounds` times; the requests the router answered."""
    sent = 0
    for round_ in range(args.rounds):
        lines = tmp / f"requests-{round_}.txt"
        signed_requests(lines, f"http://127.0.0.1:{router_port}/voice/incoming", args.requests, round_)
        plain = wrk(bare_port, lines, args)
        routed = wrk(router_port, lines, args)
        sent += int(min(routed["requests"], args.requests))
        for name, figures in (("bare  ", plain), ("router", routed)):
            print(f"round {round_ + 1} {name} {figures['rps']:8.0f} req/s  p50 {figures['p50']:7.2f} ms  "
                  f"p90 {figures['p90']:7.2f} ms  p99 {figures['p99']:7.2f} ms  non-2xx {figures['non-2xx']:.0f}")
        print(f"round {round_ + 1} router / bare = {routed['rps'] / plain['rps']:.2f}")
        if routed["requests"] > args.requests:
            print(f"  (the router got {routed['requests']:.0f} requests for {args.requests} CallSids: "
                  "the rest were answered as Twilio's retries; raise --requests)")
    return sent


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="router-throughput-"))
    database, processes = Database(args.database, tmp), Processes()
    try:
        router_port, bare_port = free_port(), free_port()
        config = tmp / "support.toml"
        config.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
            'public_url = "http://127.0.0.1:5000"', f'public_url = "http://127.0.0.1:{router_port}"'), encoding="utf-8")
        env = {**os.environ, "ROUTER_CONFIG": str(config), "DATABASE_URL": database.url, "SECRET_KEY": "bench",
               "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": "http://127.0.0.1:9",
               "ROUTER_SPOOL": str(tmp / "spool")}
        router = processes.start("router", [str(Path(sys.executable).with_name("router")), "serve", "--no-engine",
                                            "--port", str(router_port), "--workers", str(args.workers)], env, tmp)
        bare = processes.start("bare", [sys.executable, str(ROOT / "benchmarks" / "bare_app.py"), str(bare_port),
                                        str(args.workers)], env, tmp)
        wait_for_port(router_port, router, tmp / "router.log")
        wait_for_port(bare_port, bare, tmp / "bare.log")
        print(f"{args.database}, {args.workers} gunicorn workers x 8 threads each, wrk {args.threads} threads, "
              f"{args.connections} connections, {args.seconds} s a run")
        sent = rounds(args, router_port, bare_port, tmp)
        processes.stop()  # the requests still in flight when wrk stopped are answered and committed first
        engine = create_engine(database.url)
        with engine.connect() as connection:
            calls = connection.scalar(select(func.count()).select_from(Call))
            events = connection.scalar(select(func.count()).select_from(CallEvent))
        engine.dispose()
        # wrk counts the answers it read before its time was up; a request per connection may be answered after.
        once = calls == events and sent <= calls <= sent + args.connections * args.rounds
        print(f"logged: {calls} calls, {events} events for {sent} distinct requests wrk saw answered "
              f"({'every call logged exactly once' if once else 'MISMATCH'})")
    finally:
        processes.stop()
        if args.keep:
            print(f"kept {tmp} and the database {database.url}")
        else:
            database.drop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
