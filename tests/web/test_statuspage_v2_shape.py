"""The JSON we serve under /api/v2/ has the keys and the kinds of values of real Statuspage payloads
(../shared/statuspage-v2/): object by object (page, status, component, group, incident, update, affected
component, maintenance) ours holds every key theirs hold, each value of a JSON kind theirs take for it, and
statuses, impacts and indicators from Statuspage's sets."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest

from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, Indicator, MaintenanceStatus
from tests.conftest import ROOT
from tests.web.status_data import add_morning
from tests.web.test_status_public import V2

PAYLOADS = ROOT.parent / "shared" / "statuspage-v2"
Kinds = dict[str, dict[str, set[str]]]  # object kind -> key -> the JSON kinds of its values
ALLOWED = {
    ("component", "status"): set(ComponentStatus), ("group", "status"): set(ComponentStatus),
    ("incident", "status"): set(IncidentStatus), ("scheduled_maintenance", "status"): set(MaintenanceStatus),
    ("incident", "impact"): set(Impact), ("scheduled_maintenance", "impact"): set(Impact),
    ("incident_update", "status"): set(IncidentStatus) | set(MaintenanceStatus),
    ("affected_component", "old_status"): set(ComponentStatus),
    ("affected_component", "new_status"): set(ComponentStatus), ("status", "indicator"): set(Indicator),
}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)$")
TIMES = {"updated_at", "created_at", "started_at", "monitoring_at", "resolved_at", "display_at", "scheduled_for",
         "scheduled_until"}
# Where a list's objects are of a kind of their own, by the key holding the list.
NESTED = {"components": "component", "incidents": "incident", "scheduled_maintenances": "scheduled_maintenance",
          "incident_updates": "incident_update", "affected_components": "affected_component"}


def json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "list", dict: "object"}[type(value)]


def collect(body: dict) -> tuple[Kinds, list[tuple[str, str, object]]]:
    """Every object of the body by its kind, with its keys' value kinds, and every (kind, key, value) to
    check against the allowed values and the time format."""
    kinds: Kinds = defaultdict(lambda: defaultdict(set))
    values: list[tuple[str, str, object]] = []

    def walk(kind: str, item: dict) -> None:
        if kind == "component" and item.get("group"):
            kind = "group"
        for key, value in item.items():
            kinds[kind][key].add(json_kind(value))
            values.append((kind, key, value))
            if isinstance(value, list):
                for element in value:
                    if isinstance(element, dict):
                        walk(NESTED[key], element)
                    else:
                        kinds[kind][f"{key}[]"].add(json_kind(element))

    for key, value in body.items():
        if isinstance(value, list):
            for element in value:
                walk(NESTED[key], element)
        else:
            walk(key, value)
    return kinds, values


def merged(bodies) -> tuple[Kinds, list[tuple[str, str, object]]]:
    kinds: Kinds = defaultdict(lambda: defaultdict(set))
    values = []
    for body in bodies:
        found, seen = collect(body)
        for kind, keys in found.items():
            for key, value_kinds in keys.items():
                kinds[kind][key] |= value_kinds
        values += seen
    return kinds, values


@pytest.fixture(scope="module")
def theirs():
    files = sorted(PAYLOADS.glob("*.json"))
    assert len(files) == 3, f"the real payloads are missing from {PAYLOADS}"
    return merged(json.loads(f.read_text()) for f in files)


@pytest.fixture
def ours(app):
    add_morning(app)
    client = app.test_client()
    return merged(client.get(f"/api/v2/{path}.json").get_json() for path in V2)


def test_the_real_payloads_use_statuspages_words(theirs):
    """Our vocabulary is Statuspage's: every status and impact in the real payloads is one of ours."""
    kinds, values = theirs
    assert set(kinds) == {"page", "status", "component", "group", "incident", "incident_update",
                          "affected_component", "scheduled_maintenance"}
    for kind, key, value in values:
        if (kind, key) in ALLOWED:
            assert value in ALLOWED[kind, key], (kind, key, value)


def test_ours_has_every_key_of_theirs_with_a_kind_of_value_they_take(theirs, ours):
    their_kinds, _ = theirs
    our_kinds, _ = ours
    assert set(our_kinds) == set(their_kinds)  # the morning shows every kind of object
    for kind, keys in their_kinds.items():
        missing = set(keys) - set(our_kinds[kind])
        assert not missing, f"our {kind} objects lack {sorted(missing)}"
        for key, value_kinds in keys.items():
            # A value theirs leave null is "null or a string" (resolved_at is null in every unresolved incident).
            allowed = value_kinds | ({"string"} if "null" in value_kinds else set())
            assert our_kinds[kind][key] <= allowed, f"{kind}.{key}: ours {our_kinds[kind][key]}, theirs {value_kinds}"


def test_our_statuses_impacts_indicators_and_times_are_statuspages(ours):
    _, values = ours
    checked = 0
    for kind, key, value in values:
        if (kind, key) in ALLOWED:
            assert value in ALLOWED[kind, key], (kind, key, value)
            checked += 1
        if key in TIMES and value is not None:
            assert TIME.match(value), (kind, key, value)
    assert checked > 50
