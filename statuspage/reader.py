"""An external Statuspage's `summary.json`, read into what callers may hear of.

Tolerant of what Statuspage adds or older pages lack (unknown keys are ignored, `group`, `showcase`,
`time_zone`, an incident's `components` may be missing), strict about the shape: a body that is not a
summary (HTML, truncated JSON, a list) is a `ReaderError`, never a half-read page. Statuses and impacts
are kept as written: a value Statuspage adds later is not told, rather than failing the whole page.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from statuspage.announce import IncidentFacts, Kind


class ReaderError(ValueError):
    """The body is not a Statuspage v2 summary."""


@dataclass(frozen=True)
class ExternalPage:
    """What a summary.json says: the page's name, its components, unresolved incidents and maintenances."""

    name: str
    components: tuple[str, ...]
    incidents: tuple[IncidentFacts, ...]
    maintenances: tuple[IncidentFacts, ...]

    @property
    def happenings(self) -> tuple[IncidentFacts, ...]:
        return self.incidents + self.maintenances


def parse(body: str | bytes) -> ExternalPage:
    """A summary.json body read, or a ReaderError saying why it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ReaderError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("page"), dict):
        raise ReaderError("not a Statuspage summary: no page object")
    components = tuple(_text(c, "name", "component") for c in _objects(data, "components"))
    incidents = tuple(_happening(i, "incident") for i in _objects(data, "incidents"))
    maintenances = tuple(_happening(m, "maintenance") for m in _objects(data, "scheduled_maintenances"))
    name = data["page"].get("name")
    return ExternalPage(name if isinstance(name, str) else "", components, incidents, maintenances)


def dump(page: ExternalPage) -> str:
    """The page as `ExternalStatus.summary` keeps it."""
    return json.dumps({"name": page.name, "components": list(page.components),
                       "incidents": [_facts_json(i) for i in page.incidents],
                       "maintenances": [_facts_json(m) for m in page.maintenances]})


def load(text: str) -> ExternalPage:
    """The page `dump` kept."""
    try:
        data = json.loads(text)
        return ExternalPage(data["name"], tuple(data["components"]),
                            tuple(_facts_from(i) for i in data["incidents"]),
                            tuple(_facts_from(m) for m in data["maintenances"]))
    except (ValueError, KeyError, TypeError) as error:
        raise ReaderError(f"not a kept page: {error}") from None


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The list at `key` (missing: none), each entry an object."""
    found = data.get(key)
    if found is None:
        return []
    if not isinstance(found, list) or not all(isinstance(entry, dict) for entry in found):
        raise ReaderError(f"{key} is not a list of objects")
    return found


def _text(entry: dict[str, Any], key: str, what: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise ReaderError(f"a {what} without a {key}")
    return value


def _happening(entry: dict[str, Any], kind: Kind) -> IncidentFacts:
    updates = _objects(entry, "incident_updates")
    latest = max(updates, key=lambda u: _moment(u.get("display_at")) or _moment(u.get("created_at")) or _EARLIEST,
                 default=None)  # v2 lists them newest first; the times say so without trusting that
    body = latest.get("body") if latest else None
    impact = entry.get("impact")
    until = _moment(entry.get("scheduled_until")) if kind == "maintenance" else None
    names = tuple(c["name"] for c in _objects(entry, "components") if isinstance(c.get("name"), str))
    return IncidentFacts(kind, _text(entry, "name", kind), _text(entry, "status", kind),
                         impact if isinstance(impact, str) else "none", body if isinstance(body, str) else None,
                         until, names, _moment(entry.get("updated_at")))


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _moment(value: object) -> dt.datetime | None:
    """An ISO 8601 time with its offset ("2020-07-16T21:10:37.516Z"); anything else is not a time."""
    if not isinstance(value, str):
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _facts_json(facts: IncidentFacts) -> dict[str, Any]:
    return {"kind": facts.kind, "name": facts.name, "status": facts.status, "impact": facts.impact,
            "update": facts.update, "until": facts.until.isoformat() if facts.until else None,
            "components": list(facts.components),
            "updated_at": facts.updated_at.isoformat() if facts.updated_at else None}


def _facts_from(data: dict[str, Any]) -> IncidentFacts:
    kind: Kind = "maintenance" if data["kind"] == "maintenance" else "incident"
    return IncidentFacts(kind, data["name"], data["status"], data["impact"], data["update"],
                         _moment(data["until"]), tuple(data["components"]), _moment(data["updated_at"]))
