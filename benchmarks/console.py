"""Console benchmark: a database filled with a seeded history, then the console's pages timed.

    .venv/bin/python benchmarks/console.py [--calls 1000000] [--database sqlite|postgresql|both] [--keep]

It fills a fresh database (a SQLite file, and/or a PostgreSQL database it creates on 127.0.0.1:5432)
with `router.seed`'s history of the example configuration (calls, their events, cases, pages,
notifications) through the bulk writer, showing its progress on stderr; then it logs in as a manager
through the Flask test client and prints the median and slowest time of each console page, and the
memory the CSV export of every call takes while it streams. With --keep the database stays (and a
rerun with the same --calls uses it without loading again); without it, the database is removed.
It asserts nothing: it is a benchmark, not a test. See benchmarks/README.md for the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import re
import statistics
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project's packages come first

from sqlalchemy import create_engine, func, select, text  # noqa: E402  (after the path above)
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from router import create_app, db  # noqa: E402
from router.clock import clock_starting_at  # noqa: E402
from router.config import Settings, load_config  # noqa: E402
from router.models import Call, Case, Page, Role  # noqa: E402
from router.runtime import stop  # noqa: E402
from router.seed import history  # noqa: E402
from router.seed_store import first_ids, seeded, write_bulk  # noqa: E402
from router.users import add_user, find_user  # noqa: E402

EXAMPLE = ROOT / "examples" / "support.toml"
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KEPT_DATABASE = "bench_console"
KEPT_SQLITE = Path("/tmp/bench-console.sqlite3")
END = dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc)  # the history's last moment, and the app's "now"
PASSWORD = "benchmark-manager-password"
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
LINE, CUSTOMER, NUMBER = "+551130000000", "acme-retail", "+55 11 98888-7777"


@dataclass
class Figure:
    what: str
    url: str
    times: list[float]
    status: int
    size: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=0, help="weeks of history (default: one per 20,000 calls, 4+)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=5, help="times each page is asked for")
    parser.add_argument("--keep", action="store_true", help="keep the filled database for the next run")
    args = parser.parse_args()
    weeks = args.weeks or max(4, args.calls // 20_000)
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        with _database(kind, args.keep) as url:
            # Loaded in a process of its own, so the memory the history took is not counted in the export's.
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as loader:
                loaded = loader.submit(_fill, url, args.calls, weeks).result()
            print(f"\n{kind}: {args.calls:,} calls over {weeks} weeks; {loaded}")
            _report(_measure(url, args.repeat))


class _database:
    """A fresh database of `kind`, removed afterwards unless kept."""

    def __init__(self, kind: str, keep: bool) -> None:
        self.kind, self.keep = kind, keep
        self.name = KEPT_DATABASE if keep else f"bench_console_{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> str:
        if self.kind == "sqlite":
            self.path = KEPT_SQLITE if self.keep else Path(f"/tmp/{self.name}.sqlite3")
            return f"sqlite:///{self.path}"
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": self.name})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        return make_url(POSTGRES_ADMIN_URL).set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *_exc) -> None:
        if self.keep:
            return
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


def _fill(url: str, calls: int, weeks: int) -> str:
    """Load the history in bulk (unless a kept database has it), with a progress line on stderr."""
    engine = db.make_engine(url)
    db.migrate(engine)
    with Session(engine) as session:
        there = session.scalar(select(func.count()).select_from(Call)) if seeded(session) else 0
        ids = first_ids(session)
    if there:
        engine.dispose()
        return f"{there:,} calls already loaded"
    started = time.monotonic()

    def progress(done: int) -> None:
        spent = time.monotonic() - started
        sys.stderr.write(f"\rloading: {done:,} / {calls:,} calls ({done / max(spent, 1e-9):,.0f}/s, {spent:,.0f} s)")
        sys.stderr.flush()

    write_bulk(engine, history(load_config(EXAMPLE), END, weeks, calls, first=ids, batch_calls=10_000), progress)
    sys.stderr.write("\n")
    loaded = time.monotonic() - started
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        events = connection.scalar(text("SELECT count(*) FROM call_events"))
    engine.dispose()
    return f"loaded with {events:,} events in {loaded:,.0f} s ({calls / loaded:,.0f} calls/s), then ANALYZE"


def _measure(url: str, repeat: int) -> list[Figure]:
    """Log in as a manager through the test client, then ask for every page `repeat` times."""
    settings = Settings(config_path=str(EXAMPLE), database_url=url, twilio_account_sid="AC" + "0" * 32,
                        twilio_auth_token="benchmark", twilio_api_base="http://127.0.0.1:9", secret_key="benchmark")
    support = load_config(EXAMPLE)
    app = create_app(settings, support, clock=clock_starting_at(END))
    try:
        with app.app_context():
            session = db.session()
            if find_user(session, "manager") is None:
                add_user(session, support, "manager", "Manager", Role.MANAGER, PASSWORD, END)
                session.commit()
            paged_call = session.scalar(select(Call.id).join(Case, Call.case_id == Case.id)
                                        .where(Case.page_id.is_not(None)).order_by(Call.id.desc()).limit(1))
            case_number = session.scalar(select(func.max(Case.id))) + 1000
            page_id = session.scalar(select(func.max(Page.id)))
        client = app.test_client()
        token = CSRF.search(client.get("/login").data).group(1).decode()
        client.post("/login", data={"username": "manager", "password": PASSWORD, "csrf_token": token})
        figures = [_timed(client, what, page, repeat) for what, page in _pages(paged_call, case_number, page_id)]
        figures.append(_csv_export(client))
        return figures
    finally:
        stop(app)


def _pages(call_id: int, case_number: int, page_id: int) -> list[tuple[str, str]]:
    """What a manager asks for: the call log and its filters, a call, the reports, cases, on-call."""
    month = urlencode({"from": (END - dt.timedelta(days=30)).date(), "to": END.date()})
    year = urlencode({"line": LINE, "from": (END - dt.timedelta(days=365)).date(), "to": END.date()})
    line = urlencode({"line": LINE})
    return [
        ("call log, first page", "/calls"),
        ("  line", f"/calls?{line}"),
        ("  closed: holiday", "/calls?hours=holiday"),
        ("  outcome paged", "/calls?outcome=paged"),
        ("  severity critical", "/calls?severity=critical"),
        ("  customer", f"/calls?customer={CUSTOMER}"),
        ("  paged", "/calls?paged=yes"),
        ("  date range (a month)", f"/calls?{month}"),
        ("  phone number search", f"/calls?{urlencode({'q': NUMBER})}"),
        ("  case number search", f"/calls?q={case_number}"),
        ("  sorted by duration", "/calls?sort=duration"),
        ("call detail", f"/calls/{call_id}"),
        ("report, default period", "/reports"),
        ("report, a month", f"/reports?{line}&{month}"),
        ("report, a year", f"/reports?{year}"),
        ("report CSV, a month", f"/reports.csv?{line}&{month}"),
        ("cases", "/cases"),
        ("cases, most urgent first", "/cases?order=urgent"),
        ("case detail", f"/cases/{case_number}"),
        ("pages", "/pages"),
        ("page detail", f"/pages/{page_id}"),
        ("on-call", "/oncall"),
    ]


def _timed(client, what: str, url: str, repeat: int) -> Figure:
    times, status, size = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(url)
        times.append(time.perf_counter() - started)
        status, size = answer.status_code, len(answer.data)
    return Figure(what, url, times, status, size)


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _csv_export(client) -> Figure:
    """Stream the CSV of every call; the figure's size is the largest growth of the process's memory."""
    before = peak = _rss()
    started = time.perf_counter()
    answer = client.get("/calls.csv", buffered=False)
    rows = 0
    for index, chunk in enumerate(answer.response):
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if index % 200 == 0:
            peak = max(peak, _rss())
    answer.close()
    spent = time.perf_counter() - started
    peak = max(peak, _rss())
    return Figure(f"CSV export: {rows:,} lines, RSS {before / 2**20:,.0f} → {peak / 2**20:,.0f} MiB",
                  "/calls.csv", [spent], answer.status_code, rows)


def _report(figures: list[Figure]) -> None:
    print(f"{'page':48} {'median ms':>10} {'max ms':>10} {'status':>6} {'bytes':>10}")
    for figure in figures:
        print(f"{figure.what:48} {statistics.median(figure.times) * 1000:10.1f} {max(figure.times) * 1000:10.1f} "
              f"{figure.status:6} {figure.size:10,}")


if __name__ == "__main__":
    main()
