"""Overrides as the service applies them: the configuration's (seed data) and the console's, from the database.

A configuration override applies unless a row carrying its `config_key` says it was removed; a console
override is a row of its own until it is removed. Removed rows stay (who removed what, when). Paging,
live connect, the on-call report and the calendar feeds all read `effective_overrides`; only the fault
path without a database uses the configuration's alone (`SupportConfig.first_responder`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from router.config import SupportConfig
from router.config.sections import OverrideConfig
from router.models import OverrideRecord
from schedules import Override

CONFIGURATION = "configuration"  # `created_by` of a configuration override's row
GRACE = dt.timedelta(hours=1)  # an override may start this long ago ("I cover from 10:00", typed at 10:20)
LONGEST = dt.timedelta(days=366)
REASON_LENGTH = 300


class Source(StrEnum):
    CONFIGURATION = "configuration"
    CONSOLE = "console"


class OverrideError(ValueError):
    """An override the service refuses, with what is wrong in words a person can act on."""


@dataclass(frozen=True)
class Entry:
    """One override as the console lists it; `key` names it for removal ("console:12", "configuration:...")."""

    key: str
    source: Source
    rotation_id: str
    person_id: str
    replaces: str | None
    starts: dt.datetime
    ends: dt.datetime
    reason: str
    created_by: str
    removed_at: dt.datetime | None = None
    removed_by: str | None = None

    def override(self) -> Override:
        return Override(self.person_id, self.starts, self.ends, self.replaces)


def config_key(override: OverrideConfig) -> str:
    """The stable name of a configuration override, from what it says (it has no id of its own)."""
    text = "/".join((override.rotation, override.person, override.replaces or "-",
                     override.starts.isoformat(timespec="minutes"), override.ends.isoformat(timespec="minutes")))
    if len(text) <= 200:
        return text
    return text[:135] + "#" + hashlib.sha256(text.encode()).hexdigest()  # long ids: still one per override


def _configured(support: SupportConfig) -> list[Entry]:
    zones = {r.id: r.timezone for r in support.rotations}
    return [Entry(f"{Source.CONFIGURATION}:{config_key(o)}", Source.CONFIGURATION, o.rotation, o.person, o.replaces,
                  o.starts.replace(tzinfo=zones[o.rotation]), o.ends.replace(tzinfo=zones[o.rotation]), "",
                  CONFIGURATION) for o in support.overrides]


def _from_row(row: OverrideRecord, support: SupportConfig) -> Entry:
    zone = support.rotation(row.rotation_id).timezone if support.rotation(row.rotation_id) else dt.timezone.utc
    return Entry(f"{Source.CONSOLE}:{row.id}", Source.CONSOLE, row.rotation_id, row.person_id, row.replaces,
                 row.starts_at.astimezone(zone), row.ends_at.astimezone(zone), row.reason, row.created_by,
                 row.removed_at, row.removed_by)


def entries(session: Session, support: SupportConfig, since: dt.datetime | None = None,
            removed: bool = False) -> list[Entry]:
    """The overrides in force (ending after `since`, when given): the configuration's first, in the file's
    order, then the console's in the order they were made, so a later one wins a tie (schedules.oncall).

    With `removed`, the removed ones instead, newest removal first. One query.
    """
    query = select(OverrideRecord)
    if since is not None:
        query = query.where(OverrideRecord.ends_at > since)
    if not removed:
        query = query.where(or_(OverrideRecord.config_key.is_not(None), OverrideRecord.removed_at.is_(None)))
    rows = list(session.scalars(query.order_by(OverrideRecord.id)))
    gone = {row.config_key: row for row in rows if row.config_key is not None and row.removed_at is not None}
    if removed:
        found = [_removed_config(row, support) if row.config_key else _from_row(row, support)
                 for row in rows if row.removed_at is not None]
        return sorted(found, key=lambda e: e.removed_at, reverse=True)
    configured = [e for e in _configured(support) if e.key.split(":", 1)[1] not in gone
                  and (since is None or e.ends > since)]
    known = set(support.rotations_by_id)
    return configured + [_from_row(row, support) for row in rows
                         if row.config_key is None and row.rotation_id in known]


def _removed_config(row: OverrideRecord, support: SupportConfig) -> Entry:
    return replace(_from_row(row, support), key=f"{Source.CONFIGURATION}:{row.config_key}",
                   source=Source.CONFIGURATION)


def by_rotation(support: SupportConfig, found: list[Entry]) -> dict[str, tuple[Override, ...]]:
    """The entries as `schedules` reads them: each rotation's overrides."""
    grouped: dict[str, list[Override]] = {rotation_id: [] for rotation_id in support.rotations_by_id}
    for entry in found:
        grouped[entry.rotation_id].append(entry.override())
    return {rotation_id: tuple(overrides) for rotation_id, overrides in grouped.items()}


def effective_overrides(session: Session, support: SupportConfig,
                        since: dt.datetime | None = None) -> dict[str, tuple[Override, ...]]:
    """Each rotation's overrides in force, those ending after `since` when given (who is on call at a moment
    needs only those; "since when" and a feed need more of the past)."""
    return by_rotation(support, entries(session, support, since))


@dataclass(frozen=True)
class Request:
    """An override as the console's form gives it: times are local to the rotation, without an offset."""

    rotation_id: str
    person_id: str
    replaces: str | None
    starts: dt.datetime
    ends: dt.datetime
    reason: str = ""


def validate(support: SupportConfig, wanted: Request, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The override's start and end as instants, or OverrideError naming what is wrong.

    The configuration's checks (known rotation and people, local times, ends after starts), and what only a
    live service can know: not over before it is made, not from long ago, a swap of someone who takes
    shifts on the rotation.
    """
    rotation = support.rotation(wanted.rotation_id)
    if rotation is None:
        raise OverrideError(f"rotation: {wanted.rotation_id!r} is not one of the configured rotations")
    people = {p.id for p in support.people}
    if wanted.person_id not in people:
        raise OverrideError(f"person: {wanted.person_id!r} is not one of the configured people")
    if wanted.replaces is not None:
        if wanted.replaces not in people:
            raise OverrideError(f"replaces: {wanted.replaces!r} is not one of the configured people")
        if wanted.replaces not in rotation.participants:
            raise OverrideError(f"replaces: {support.person_name(wanted.replaces)} takes no shifts on "
                                f"{rotation.name}, so the override would never apply")
        if wanted.replaces == wanted.person_id:
            raise OverrideError("replaces: a person cannot cover their own shifts")
    starts, ends = (_instant(moment, rotation.timezone, name)
                    for moment, name in ((wanted.starts, "starts"), (wanted.ends, "ends")))
    if ends <= starts:
        raise OverrideError("ends must be after starts")
    if ends - starts > LONGEST:
        raise OverrideError(f"an override lasts at most {LONGEST.days} days")
    if ends <= now:
        raise OverrideError("ends: the override would be over already")
    if starts < now - GRACE:
        raise OverrideError(f"starts: more than {int(GRACE.total_seconds() // 60)} minutes ago; "
                            "start it now or later")
    if len(wanted.reason) > REASON_LENGTH:
        raise OverrideError(f"reason: at most {REASON_LENGTH} characters")
    return starts, ends


def _instant(local: dt.datetime, zone: ZoneInfo, name: str) -> dt.datetime:
    """A local time of the rotation's zone as an instant; a time the clocks skip does not exist there."""
    if local.tzinfo is not None:
        raise OverrideError(f"{name}: give the local time without an offset (the rotation's zone, {zone.key})")
    moment = local.replace(tzinfo=zone)
    if moment.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None) != local:
        raise OverrideError(f"{name}: {local:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks jump over it)")
    return moment


def create(session: Session, support: SupportConfig, wanted: Request, by: str, now: dt.datetime) -> OverrideRecord:
    """Add a console override (validated; OverrideError says why not); the caller commits."""
    starts, ends = validate(support, wanted, now)
    row = OverrideRecord(rotation_id=wanted.rotation_id, person_id=wanted.person_id, replaces=wanted.replaces,
                         starts_at=starts, ends_at=ends, reason=wanted.reason.strip(), created_by=by,
                         created_at=now)
    session.add(row)
    session.flush()
    return row


def remove(session: Session, support: SupportConfig, key: str, by: str, now: dt.datetime) -> Entry:
    """Remove the override `key` names (`Entry.key`); OverrideError when there is none in force."""
    source, _, name = key.partition(":")
    if source == Source.CONSOLE and name.isascii() and name.isdigit() and len(name) <= 9:
        row = session.scalars(select(OverrideRecord).where(
            OverrideRecord.id == int(name), OverrideRecord.config_key.is_(None)).with_for_update()).first()
        if row is None or row.removed_at is not None:
            raise OverrideError("that override was removed already, or never existed")
        row.removed_at, row.removed_by = now, by
        return _from_row(row, support)
    if source == Source.CONFIGURATION:
        return _remove_configured(session, support, name, by, now)
    raise OverrideError("no such override")


def _remove_configured(session: Session, support: SupportConfig, name: str, by: str, now: dt.datetime) -> Entry:
    entry = next((e for e in _configured(support) if e.key == f"{Source.CONFIGURATION}:{name}"), None)
    if entry is None:
        raise OverrideError("the configuration has no such override")
    try:
        with session.begin_nested():  # removed twice at once: the unique config_key lets one win
            session.add(OverrideRecord(rotation_id=entry.rotation_id, person_id=entry.person_id,
                                       replaces=entry.replaces, starts_at=entry.starts, ends_at=entry.ends,
                                       reason="", created_by=CONFIGURATION, created_at=now, removed_at=now,
                                       removed_by=by, config_key=name))
    except IntegrityError:
        raise OverrideError("that override was removed already") from None
    return entry
