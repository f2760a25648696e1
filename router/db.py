"""The database: one engine per app, one session per request, schema through Alembic."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
# Twilio waits 15 s for a webhook's answer. A request's database work gets DEADLINE seconds in all (a
# connection in CONNECT_TIMEOUT, a pooled one in POOL_TIMEOUT, each statement, lock waits included, in
# STATEMENT_TIMEOUT); past it the caller is answered from the configuration, with 7 s to spare.
CONNECT_TIMEOUT = 3
POOL_TIMEOUT = 3
STATEMENT_TIMEOUT = 5
DEADLINE = 8.0


class DatabaseError(Exception):
    """The database cannot be used as it is: unreachable, missing, or not at this version's schema."""


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL, None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def display_url(url: str | URL) -> str:
    """The URL as a person may read it: a file's path, or the URL without its password."""
    path = sqlite_file(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder, foreign keys and a busy timeout."""
    path = sqlite_file(url)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, object] = {}
    if make_url(url).get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT,
                                   "options": f"-c statement_timeout={STATEMENT_TIMEOUT}s"}
    if path or options:  # an in-memory SQLite database has one connection, and no pool to wait for
        options["pool_timeout"] = POOL_TIMEOUT
    # hide_parameters: a traceback's SQL never carries a caller's number or a message's text.
    # pre-ping: a PostgreSQL connection the server dropped (a restart) is replaced, not handed to a call.
    engine = create_engine(url, pool_pre_ping=not path, hide_parameters=True, **options)
    if engine.dialect.name == "sqlite":
        writer = _OneWriter()
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", writer.begin)
        event.listen(engine, "commit", writer.end)
        event.listen(engine, "rollback", writer.end)
    return engine


def writers(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work that write: on SQLite each transaction takes the write lock as it begins."""
    return sessionmaker(engine, expire_on_commit=False)


def readers(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that only reads: on SQLite a deferred transaction, which WAL lets run beside the
    writer without waiting for it (nor for a write lock its own thread holds in another session). The
    database refuses a write in one (SQLite's query_only, PostgreSQL's READ ONLY), so a unit of work that
    writes through a reader fails in every test that runs it, not only when another writer is busy."""
    if engine.dialect.name == "postgresql":
        return sessionmaker(engine.execution_options(postgresql_readonly=True), expire_on_commit=False)
    return sessionmaker(engine.execution_options(**{_READS: True}), expire_on_commit=False)


_READS = "router_reads"  # the execution option of a reader's connections on SQLite


class _OneWriter:
    """SQLite has no row locks (FOR UPDATE SKIP LOCKED is ignored): every transaction that writes takes the
    write lock when it begins (BEGIN IMMEDIATE), so that two workers, or a worker and a webhook, never claim
    the same row. SQLite's own wait for that lock sleeps up to 100 ms a nap, which under load was most of a
    call's answer time, and starved the process that napped: within a process, writers queue on a lock of
    ours, and the one at the head asks SQLite again every millisecond or so, until STATEMENT_TIMEOUT after
    it began to wait. A reader's transaction (`readers`) begins deferred and takes neither lock."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # re-entrant: a thread may hold a second session open

    def begin(self, connection: Connection) -> None:
        reads = bool(connection.get_execution_options().get(_READS))
        if connection.info.get(_READS) != reads:  # SQLite's guard, switched only when the role changes
            connection.exec_driver_sql(f"PRAGMA query_only={int(reads)}")
            connection.info[_READS] = reads
        if reads:
            connection.exec_driver_sql("BEGIN")
            return
        give_up = time.monotonic() + STATEMENT_TIMEOUT
        if not self._lock.acquire(timeout=STATEMENT_TIMEOUT):
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
                f"database is locked: this process's writers held it {STATEMENT_TIMEOUT} s"))
        try:
            _begin_immediate(connection, give_up)
        except BaseException:
            self._lock.release()
            raise
        connection.info["router_writer"] = True

    def end(self, connection: Connection) -> None:
        if connection.info.pop("router_writer", False):
            self._lock.release()


def _begin_immediate(connection: Connection, give_up: float) -> None:
    nap = 0.0005
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > give_up:
                raise
        time.sleep(nap)
        nap = min(nap * 2, 0.004)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # pysqlite's own BEGIN would come first: we send ours
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # BEGIN IMMEDIATE waits in `_begin_immediate`, not in SQLite: the rest never meets a busy database in WAL.
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL never corrupts the file and skips an fsync per commit (a power cut may lose the
    # last commits); PostgreSQL is the production database.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = _alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")  # a migration may take its time
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def migrate(engine: Engine) -> None:
    """`upgrade`, or DatabaseError saying the database did not answer."""
    try:
        upgrade(engine)
    except DBAPIError as exc:
        raise DatabaseError(unreachable(engine, exc)) from None


def schema_problem(engine: Engine) -> str | None:
    """Why the database's schema is not this version's (missing, older, newer); None when it is.

    Raises DatabaseError when the database cannot be reached.
    """
    try:
        with engine.connect() as connection:
            return connection_schema_problem(connection)
    except DBAPIError as exc:
        raise DatabaseError(unreachable(engine, exc)) from None


def connection_schema_problem(connection: Connection) -> str | None:
    """`schema_problem` on a connection already open (SQLite lets a request hold only one)."""
    head, known = _revisions()
    current = MigrationContext.configure(connection).get_current_revision()
    where = display_url(connection.engine.url)
    if current is None:
        return f"database {where} has no tables yet: run `router init-db`"
    if current == head:
        return None
    if current not in known:
        return f"database {where} is at schema {current}, newer than this version of router knows: upgrade router"
    return f"database {where} is at schema {current}, this version needs {head}: run `router init-db`"


@lru_cache(maxsize=1)
def _revisions() -> tuple[str, frozenset[str]]:
    """This version's newest schema revision, and every revision it knows."""
    scripts = ScriptDirectory.from_config(_alembic_config())
    return scripts.get_current_head(), frozenset(s.revision for s in scripts.walk_revisions())


def require_schema(engine: Engine) -> None:
    """Raise DatabaseError unless the database answers and is at this version's schema."""
    problem = schema_problem(engine)
    if problem:
        raise DatabaseError(problem)


def refuse_an_old_schema(engine: Engine) -> None:
    """A database without this version's tables would fail every call: stop the start instead.

    A database that does not answer is no reason not to start: critical calls get through without it.
    """
    try:
        problem = schema_problem(engine)
    except DatabaseError as exc:
        log.warning("%s; starting anyway: calls are answered without it until it is back", exc)
        return
    if problem:
        raise DatabaseError(problem)


def unreachable(engine: Engine, exc: DBAPIError) -> str:
    """One line saying that the database did not answer, and why."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    where = display_url(engine.url)
    return f"database {where} is unreachable ({reason}): check DATABASE_URL and that the server runs"


def init_app(app: Flask, writing: sessionmaker[Session], reading: sessionmaker[Session]) -> None:
    """Attach the session factories; each request gets its own session, closed at teardown."""
    app.extensions["db"] = writing
    app.extensions["db_readers"] = reading
    app.teardown_appcontext(_close_session)


def sessions(app: Flask | None = None) -> sessionmaker[Session]:
    """The app's factory of sessions that write, for work outside a request (dispatcher, CLI)."""
    return (app or current_app).extensions["db"]


def session() -> Session:
    """This request's one session: a reader for a request that cannot change anything (GET, HEAD, OPTIONS),
    else a writer. Everything the request does (the console's log-in check included) uses it."""
    if "db_session" not in g:
        reads = has_request_context() and request.method in SAFE_METHODS
        g.db_session = current_app.extensions["db_readers" if reads else "db"]()
    return g.db_session


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
