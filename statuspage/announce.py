"""What a line's callers hear first: the incident or maintenance its status page already tells of.

Given the incidents and maintenances touching a line's components (from our own page or from an external
Statuspage read by the engine), `choose` picks one: the most severe unresolved incident of at least the
line's impact, else maintenance in progress; nothing otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from statuspage.vocabulary import Impact, IncidentStatus, MaintenanceStatus

Kind = Literal["incident", "maintenance"]

# An external page's data older than this many of its polls is not told: it may well be over by now.
STALE_AFTER_POLLS = 10
# A long update would keep the caller from the menu: the first sentences up to this many characters.
SPOKEN_UPDATE_CHARACTERS = 300
NAME_CHARACTERS = 200

_EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class IncidentFacts:
    """An incident or a maintenance as the announcement needs it."""

    kind: Kind
    name: str
    status: str             # an IncidentStatus, or a MaintenanceStatus
    impact: str             # an Impact
    update: str | None      # the latest update's body
    until: dt.datetime | None  # the estimated resolution; a maintenance's, the end of its window
    components: tuple[str, ...] = ()  # the names of the affected components (those the line serves)
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Announcement:
    """What callers hear before the greeting's menu."""

    kind: Kind
    name: str
    update: str | None
    until: dt.datetime | None
    components: tuple[str, ...] = ()


def choose(happenings: Iterable[IncidentFacts], threshold: str) -> Announcement | None:
    """The most severe unresolved incident at or above `threshold` (an Impact), else active maintenance."""
    least = _rank(threshold)
    incidents, maintenances = [], []
    for facts in happenings:
        if facts.kind == "incident" and _unresolved(facts.status):
            rank = _rank(facts.impact)
            if least is not None and rank is not None and rank >= least:
                incidents.append((rank, facts.updated_at or _EARLIEST, facts))
        elif facts.kind == "maintenance" and _active(facts.status):
            maintenances.append((0, facts.updated_at or _EARLIEST, facts))
    found = max(incidents or maintenances, key=lambda entry: entry[:2], default=None)
    if found is None:
        return None
    chosen = found[2]
    # The prompt puts its own stop after the name; an incident's name is at most 200 characters, as ours are.
    name = " ".join(chosen.name.split()).rstrip(".")[:NAME_CHARACTERS]
    return Announcement(chosen.kind, name, spoken_update(chosen.update), chosen.until,
                        chosen.components)


def spoken_update(body: str | None, limit: int = SPOKEN_UPDATE_CHARACTERS) -> str | None:
    """An update's body as it is read out: one line, whole sentences within `limit`, ending in a stop."""
    text = " ".join((body or "").split())
    if not text:
        return None
    if len(text) > limit:
        sentences = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", text) if m.end() <= limit]
        text = text[: sentences[-1]] if sentences else text[:limit].rsplit(" ", 1)[0] + "…"
    return text if text[-1] in ".!?…" else text + "."


def fresh(read_at: dt.datetime | None, at: dt.datetime, poll_seconds: float) -> bool:
    """Whether an external page read at `read_at` may still be told at `at`."""
    return read_at is not None and at - read_at <= dt.timedelta(seconds=STALE_AFTER_POLLS * poll_seconds)


def _rank(impact: str) -> int | None:
    try:
        return Impact(impact).rank
    except ValueError:
        return None


def _unresolved(status: str) -> bool:
    try:
        return IncidentStatus(status).unresolved
    except ValueError:
        return False


def _active(status: str) -> bool:
    try:
        return MaintenanceStatus(status).active
    except ValueError:
        return False
