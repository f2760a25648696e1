"""The fact the call flow's first step is given: what the status page tells the line's callers first.

One small query per line every few seconds (an in-process cache), so the first request of a call stays one
insert: the unresolved incidents and active maintenance on the line's components, or, for a line reading an
external Statuspage, the row the engine keeps of it (never the URL itself). Reading them can fail without
changing the call: it is logged and the caller hears nothing of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, and_, or_, select

from callflows.decision import CallFacts
from router.config import Line, SupportConfig
from router.models import ExternalStatus, Incident, IncidentComponent, IncidentUpdate
from statuspage import reader
from statuspage.announce import Announcement, IncidentFacts, choose, fresh
from statuspage.vocabulary import IncidentStatus, MaintenanceStatus

log = logging.getLogger(__name__)

CACHE_SECONDS = 5.0  # how long a line's incidents are reused before they are read again
UNRESOLVED = tuple(s.value for s in IncidentStatus if s.unresolved)
ACTIVE = tuple(s.value for s in MaintenanceStatus if s.active)


@dataclass(frozen=True)
class _Read:
    """What the database said of a line's status, and when (monotonic seconds)."""

    happenings: tuple[IncidentFacts, ...]
    read_at: dt.datetime | None  # an external page's last good read; None for our own page
    monotonic: float


# Per database engine (each app has its own), per line number.
_cache: weakref.WeakKeyDictionary[Engine, dict[str, _Read]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def with_announcement(facts: CallFacts, engine: Engine, support: SupportConfig) -> CallFacts:
    """The call's facts with what its line's callers hear first, if anything (a failure: nothing)."""
    line = support.line(facts.line.number) if facts.line else None
    if line is None:
        return facts
    try:
        told = announcement(engine, support, line, facts.at)
    except Exception:
        log.exception("the status of line %s could not be read; the call goes on without it", line.number)
        return facts
    return dataclasses.replace(facts, announcement=told) if told else facts


def announcement(engine: Engine, support: SupportConfig, line: Line, at: dt.datetime) -> Announcement | None:
    """What callers of `line` hear first at `at`."""
    if not line.status_url and not line.components:
        return None
    read = _cached(engine, support, line)
    if line.status_url and not fresh(read.read_at, at, support.status_page.external_poll_seconds):
        return None
    return choose(read.happenings, support.announce_impact(line))


def forget() -> None:
    """Read every line afresh at its next call (tests that open an incident between two calls)."""
    with _lock:
        _cache.clear()


def _cached(engine: Engine, support: SupportConfig, line: Line) -> _Read:
    now = time.monotonic()
    with _lock:
        found = _cache.get(engine, {}).get(line.number)
    if found is not None and now - found.monotonic < CACHE_SECONDS:
        return found
    read = _external(engine, line) if line.status_url else _Read(_ours(engine, support, line), None, now)
    with _lock:
        _cache.setdefault(engine, {})[line.number] = read
    return read


def _ours(engine: Engine, support: SupportConfig, line: Line) -> tuple[IncidentFacts, ...]:
    """The unresolved incidents and active maintenance on the line's components, in one query."""
    latest = (select(IncidentUpdate.body).where(IncidentUpdate.incident_id == Incident.id)
              .order_by(IncidentUpdate.id.desc()).limit(1).correlate(Incident).scalar_subquery())
    query = (select(Incident.id, Incident.kind, Incident.name, Incident.status, Incident.impact,
                    Incident.estimated_resolution_at, Incident.scheduled_until, Incident.updated_at,
                    IncidentComponent.component_id, latest.label("update"))
             .join(IncidentComponent, IncidentComponent.incident_id == Incident.id)
             .where(IncidentComponent.component_id.in_(line.components),
                    or_(and_(Incident.kind == "incident", Incident.status.in_(UNRESOLVED)),
                        and_(Incident.kind == "maintenance", Incident.status.in_(ACTIVE))))
             .order_by(Incident.id, IncidentComponent.component_id))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    names = {component.id: component.name for component in support.components}
    by_incident: dict[int, IncidentFacts] = {}
    for row in rows:
        known = by_incident.get(row.id)
        if known is not None:
            by_incident[row.id] = dataclasses.replace(
                known, components=known.components + (names.get(row.component_id, row.component_id),))
            continue
        maintenance = row.kind == "maintenance"
        until = (row.scheduled_until or row.estimated_resolution_at) if maintenance else row.estimated_resolution_at
        by_incident[row.id] = IncidentFacts("maintenance" if maintenance else "incident", row.name, row.status,
                                            row.impact, row.update, until,
                                            (names.get(row.component_id, row.component_id),), row.updated_at)
    return tuple(by_incident.values())


def _external(engine: Engine, line: Line) -> _Read:
    """The engine's last good read of the line's external page (nothing if it has none, or of another URL)."""
    with engine.connect() as connection:
        row = connection.execute(select(ExternalStatus.url, ExternalStatus.read_at, ExternalStatus.summary)
                                 .where(ExternalStatus.line_number == line.number)).first()
    if row is None or row.url != line.status_url or row.summary is None:
        return _Read((), None, time.monotonic())
    return _Read(reader.load(row.summary).happenings, row.read_at, time.monotonic())
