"""What the paging subsystem works with, in one typed object: no `app.extensions["..."]` look-ups.

`router serve`'s web workers and `router worker` build the same `Services`; the
worker builds no web app to page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.orm import Session, sessionmaker
from twilio.rest import Client

from router import db
from router.clock import Clock, system_clock
from router.config import Settings, SupportConfig
from router.paging import callbacks
from router.twilio_api import make_client


@dataclass
class Services:
    """The configuration, the clock, the database, Twilio and where Twilio calls us back."""

    support: SupportConfig
    clock: Clock
    engine: Engine
    twilio: Client
    public_url: str  # set again once a test's or the simulator's server knows its port
    spool_dir: Path
    database_deadline: float | None = db.DEADLINE  # seconds a webhook waits on the database (router/db.py)

    def __post_init__(self) -> None:
        self.sessions: sessionmaker[Session] = db.writers(self.engine)  # units of work that write
        self.readers: sessionmaker[Session] = db.readers(self.engine)  # and those that only read

    def finds(self, query: Select[Any]) -> bool:
        """Whether `query` finds a row, read without taking SQLite's write lock: an engine task's look before
        it claims, so that a pass with nothing to do only reads."""
        with self.readers() as session:
            return session.execute(query.limit(1)).first() is not None

    def callback(self, template: str, notification_id: int) -> str:
        """A callback URL for one notification (`callbacks.SMS_STATUS`, ...)."""
        return callbacks.url(self.public_url, template, notification_id)


def make_services(settings: Settings, support: SupportConfig, clock: Clock = system_clock,
                  public_url: str | None = None) -> Services:
    """The services for `settings`: a database engine that refuses an old schema, and a Twilio client."""
    engine = db.make_engine(settings.database_url)
    db.refuse_an_old_schema(engine)
    return Services(support, clock, engine, make_client(settings), public_url or support.service.public_url,
                    Path(settings.spool_dir), db.DEADLINE if engine.dialect.name == "postgresql" else None)
