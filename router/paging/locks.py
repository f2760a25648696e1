"""Named locks held until the transaction ends: PostgreSQL advisory locks (SQLite's transactions are serialised)."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def hold(session: Session, *names: str) -> None:
    """Take the named transaction-scoped locks, in sorted order (two holders never wait in a circle).

    Take all a transaction needs in one call. On SQLite this does nothing: `BEGIN IMMEDIATE`
    already lets one writer at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
