"""Fixtures shared by every tier: the example configuration and the databases."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from router.clock import CLOCK_ENV, check_clock_setting, system_clock
from router.config import load_config

# The webhook tier's fixtures (the app on each database, the fake Twilio), also the browser tier's.
pytest_plugins = ["tests.web.fixtures"]

# Pinned once, so this process and every server it starts share one clock (see router/clock.py).
check_clock_setting()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "support.toml"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pytest_report_header() -> str:
    """Say which day the suite believes it is, so a run under ROUTER_CLOCK is never mistaken for today's."""
    shifted = f" ({CLOCK_ENV}={os.environ[CLOCK_ENV]})" if os.environ.get(CLOCK_ENV) else ""
    return f"router clock: {system_clock():%a %Y-%m-%d %H:%M:%S %Z}{shifted}"


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """Console accounts hashed with scrypt at a low cost: the suite logs in hundreds of times."""
    from router import users

    users.HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture(scope="session")
def support():
    """The shipped example configuration (the demo's), validated as at start-up."""
    return load_config(EXAMPLE_CONFIG)


@pytest.fixture(scope="session")
def postgres_database():
    """A throw-away PostgreSQL database for this test session, dropped at the end."""
    name = f"router_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file migrated once per session; each test starts from a copy of it."""
    from router import db

    path = tmp_path_factory.mktemp("template") / "router.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each database test runs on SQLite and on PostgreSQL, from an empty, migrated schema."""

    if request.param == "sqlite":
        path = tmp_path / "router.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    url, engine, emptying = request.getfixturevalue("migrated_postgres")
    with engine.begin() as connection:
        connection.exec_driver_sql(emptying)
    return url


@pytest.fixture(scope="session")
def migrated_postgres(postgres_database):
    """The session's PostgreSQL database migrated once, and the SQL that empties it between tests: DELETE
    and sequences restarted, a quarter of TRUNCATE's time on tables this small (about 25 ms, not 100)."""
    from router import db
    from router.models import Base

    engine = db.make_engine(postgres_database)
    db.upgrade(engine)
    with engine.connect() as connection:
        sequences = connection.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
        restarts = "".join(f'ALTER SEQUENCE "{name}" RESTART;' for (name,) in sequences)
    deletes = "".join(f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables))
    yield postgres_database, engine, deletes + restarts
    engine.dispose()
