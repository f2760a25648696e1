"""Writing a seeded history (`router.seed`) into a database: through the ORM, or in bulk.

The ORM path is the one the demo takes (a few thousand calls); the bulk path fills a database with a
million calls for the benchmark: SQLAlchemy Core inserts in batches, or PostgreSQL's COPY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from router.models import Call, CallEvent, Case, CaseTierChange, Notification, Page, PageEvent
from router.seed import SID_PREFIX, TABLES, Batch, FirstIds

MODELS = {"pages": Page, "cases": Case, "case_tier_changes": CaseTierChange, "calls": Call,
          "call_events": CallEvent, "notifications": Notification, "page_events": PageEvent}
INSERT_ROWS = 5000

Progress = Callable[[int], None]  # told the number of calls written so far


def seeded(session: Session) -> bool:
    """Whether a seeded history is there already (its calls' SIDs say so)."""
    return session.scalar(select(Call.id).where(Call.sid.startswith(SID_PREFIX)).limit(1)) is not None


def first_ids(session: Session) -> FirstIds:
    """The next free id of each table: the seed goes after what is there (the demo's played calls)."""
    return FirstIds({table: (session.scalar(select(func.max(MODELS[table].id))) or 0) + 1 for table in TABLES})


def write_orm(session: Session, batches: Iterable[Batch], progress: Progress | None = None) -> int:
    """Add every row as a model object, one transaction per batch; returns the number of calls."""
    written = 0
    for batch in batches:
        for table in TABLES:
            session.add_all(MODELS[table](**row) for row in batch.rows[table])
            session.flush()
        session.commit()
        written += batch.calls
        if progress:
            progress(written)
    _follow_sequences(session.get_bind())
    return written


def write_bulk(engine: Engine, batches: Iterable[Batch], progress: Progress | None = None) -> int:
    """Insert the rows with executemany in batches (COPY on PostgreSQL); returns the number of calls."""
    written = 0
    copy = engine.dialect.name == "postgresql"
    for batch in batches:
        with engine.begin() as connection:
            for table in TABLES:
                rows = batch.rows[table]
                if not rows:
                    continue
                if copy:
                    _copy(connection, table, rows)
                    continue
                for start in range(0, len(rows), INSERT_ROWS):
                    connection.execute(insert(MODELS[table].__table__), rows[start:start + INSERT_ROWS])
        written += batch.calls
        if progress:
            progress(written)
    _follow_sequences(engine)
    return written


def _copy(connection, table: str, rows: list[dict]) -> None:
    """COPY the rows in (psycopg's cursor.copy): far faster than INSERTs at a million calls."""
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_utc(row[column]) for column in columns])


def _utc(value: object) -> object:
    return value.astimezone(dt.timezone.utc) if isinstance(value, dt.datetime) else value


def _follow_sequences(engine: Engine) -> None:
    """Rows went in with their ids: PostgreSQL's id sequences move past them, so new rows get free ids."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"GREATEST((SELECT max(id) FROM {table}), 1))"))
