"""Statuspage v2's bodies from plain data: the top-level status as Statuspage calculates it, the components
and groups with their positions, incidents, updates and maintenances, and the times' form."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from statuspage import summary
from statuspage.layout import sections
from statuspage.state import Component, ComponentChange, Group, Incident, Page, PageState, Update
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, Indicator, MaintenanceStatus

S = ComponentStatus
UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
PAGE = Page("acme", "ACME Status", "https://status.example.com/status", "America/Sao_Paulo")


def component(id: str, status: S = S.OPERATIONAL, group: str | None = None, **options) -> Component:
    return Component(id=id, name=id.title(), description=None, group_id=group, showcase=True,
                     only_show_if_degraded=options.get("only_show_if_degraded", False), status=status,
                     created_at=dt.datetime(2026, 1, 1, tzinfo=UTC), updated_at=options.get("updated_at", NOW))


BASE = Incident(id="7", maintenance=False, name="Trouble 7", status=IncidentStatus.INVESTIGATING,
                impact=Impact.MAJOR, created_at=NOW - dt.timedelta(hours=1), updated_at=NOW, started_at=None,
                monitoring_at=None, resolved_at=None, estimated_resolution_at=None, scheduled_for=None,
                scheduled_until=None, component_ids=("api",), updates=())


def incident(id: str = "7", status=IncidentStatus.INVESTIGATING, impact=Impact.MAJOR, **fields) -> Incident:
    return dataclasses.replace(BASE, id=id, name=f"Trouble {id}", maintenance=isinstance(status, MaintenanceStatus),
                               status=status, impact=impact, **fields)


def state(components=None, incidents=(), maintenances=(), groups=()) -> PageState:
    listed = (component("api"),) if components is None else tuple(components)
    return PageState(PAGE, NOW, tuple(groups), listed, tuple(incidents), tuple(maintenances))


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], (Indicator.NONE, "All Systems Operational")),
    ([S.OPERATIONAL, S.OPERATIONAL], (Indicator.NONE, "All Systems Operational")),
    ([S.MAJOR_OUTAGE], (Indicator.CRITICAL, "Major System Outage")),
    ([S.PARTIAL_OUTAGE], (Indicator.MAJOR, "Partial System Outage")),
    ([S.DEGRADED_PERFORMANCE], (Indicator.MINOR, "Partially Degraded Service")),
    ([S.UNDER_MAINTENANCE], (Indicator.MAINTENANCE, "Service Under Maintenance")),
    ([S.MAJOR_OUTAGE, S.MAJOR_OUTAGE], (Indicator.CRITICAL, "Major System Outage")),
    ([S.MAJOR_OUTAGE, S.PARTIAL_OUTAGE], (Indicator.MAJOR, "Partial System Outage")),  # GitHub's payload
    ([S.MAJOR_OUTAGE, S.OPERATIONAL], (Indicator.MAJOR, "Partial System Outage")),
    ([S.PARTIAL_OUTAGE, S.PARTIAL_OUTAGE], (Indicator.MAJOR, "Partial System Outage")),
    ([S.PARTIAL_OUTAGE, S.OPERATIONAL], (Indicator.MINOR, "Minor Service Outage")),
    ([S.DEGRADED_PERFORMANCE, S.DEGRADED_PERFORMANCE], (Indicator.MINOR, "Degraded System Service")),
    ([S.DEGRADED_PERFORMANCE, S.OPERATIONAL], (Indicator.MINOR, "Partially Degraded Service")),  # Twilio's
    ([S.UNDER_MAINTENANCE, S.OPERATIONAL], (Indicator.MAINTENANCE, "Service Under Maintenance")),  # CloudAMQP's
    ([S.UNDER_MAINTENANCE, S.DEGRADED_PERFORMANCE], (Indicator.MINOR, "Partially Degraded Service")),
])
def test_the_components_blend_as_statuspage_blends_them(statuses, expected):
    assert summary.blend(statuses) == expected


def test_an_unresolved_incident_raises_the_status_to_its_impact_and_a_resolved_one_does_not():
    degraded = (component("api", S.DEGRADED_PERFORMANCE), component("db"))
    assert summary.overall(state(degraded, [incident(impact=Impact.CRITICAL)])) == (
        Indicator.CRITICAL, "Major System Outage")
    assert summary.overall(state(degraded, [incident(impact=Impact.NONE)])) == (
        Indicator.MINOR, "Partially Degraded Service")
    resolved = incident(status=IncidentStatus.RESOLVED, impact=Impact.CRITICAL)
    assert summary.overall(state(degraded, [resolved])) == (Indicator.MINOR, "Partially Degraded Service")
    # The components' blend stands when it is worse than the incident's impact.
    outage = (component("api", S.MAJOR_OUTAGE),)
    assert summary.overall(state(outage, [incident(impact=Impact.MINOR)]))[0] is Indicator.CRITICAL


def test_maintenance_shows_only_when_nothing_else_is_wrong():
    active = incident("9", MaintenanceStatus.IN_PROGRESS, Impact.MAINTENANCE)
    upcoming = incident("10", MaintenanceStatus.SCHEDULED, Impact.MAINTENANCE)
    assert summary.overall(state(maintenances=[active])) == (Indicator.MAINTENANCE, "Service Under Maintenance")
    assert summary.overall(state(maintenances=[upcoming])) == (Indicator.NONE, "All Systems Operational")
    assert summary.overall(state(incidents=[incident(impact=Impact.MINOR)], maintenances=[active])) == (
        Indicator.MINOR, "Minor Service Outage")


def test_times_are_written_in_the_pages_zone_with_milliseconds_and_utc_as_z():
    at = dt.datetime(2026, 11, 23, 13, 5, 7, 250_000, tzinfo=UTC)
    assert summary.stamp(at, "America/Sao_Paulo") == "2026-11-23T10:05:07.250-03:00"
    assert summary.stamp(at, "Etc/UTC") == "2026-11-23T13:05:07.250Z"
    assert summary.stamp(dt.datetime(2026, 7, 1, tzinfo=UTC), "America/Los_Angeles") == "2026-06-30T17:00:00.000-07:00"


def test_groups_come_where_their_first_component_is_with_their_worst_status_and_members():
    components = (component("web"), component("api", S.PARTIAL_OUTAGE, "platform"),
                  component("db", S.DEGRADED_PERFORMANCE, "platform", updated_at=NOW + dt.timedelta(minutes=5)),
                  component("sms", group="messaging"))
    groups = (Group("platform", "Platform", "What runs"), Group("messaging", "Messaging", None))
    listed = summary.components_list(state(components, groups=groups))
    assert [(c["id"], c["position"], c["group"], c["group_id"], c["status"]) for c in listed] == [
        ("web", 1, False, None, "operational"), ("platform", 2, True, None, "partial_outage"),
        ("api", 1, False, "platform", "partial_outage"), ("db", 2, False, "platform", "degraded_performance"),
        ("messaging", 3, True, None, "operational"), ("sms", 1, False, "messaging", "operational")]
    platform = listed[1]
    assert platform["components"] == ["api", "db"] and platform["description"] == "What runs"
    assert platform["updated_at"] == "2026-11-23T10:05:00.000-03:00"
    assert set(listed[0]) == {"id", "name", "status", "created_at", "updated_at", "position", "description",
                              "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"}
    assert listed[0]["start_date"] == "2025-12-31" and listed[0]["page_id"] == "acme"


def test_an_incident_its_updates_and_their_affected_components():
    changed = Update("31", IncidentStatus.INVESTIGATING, "Looking.", None, NOW, NOW, NOW,
                     (ComponentChange("api", S.OPERATIONAL, S.MAJOR_OUTAGE),))
    quiet = dataclasses.replace(changed, id="32", status=IncidentStatus.IDENTIFIED, body="Found.",
                                actions="Restarting", changes=())
    page = state(components=(component("api", S.MAJOR_OUTAGE, "platform"),),
                 groups=(Group("platform", "Platform", None),),
                 incidents=[incident(updates=(quiet, changed), monitoring_at=NOW)])
    (body,) = summary.unresolved_incidents(page)["incidents"]
    assert body["shortlink"] == "https://status.example.com/status/incidents/7"
    assert body["started_at"] == body["created_at"] == "2026-11-23T09:00:00.000-03:00"  # none given: created
    assert (body["monitoring_at"], body["resolved_at"]) == ("2026-11-23T10:00:00.000-03:00", None)
    assert [c["id"] for c in body["components"]] == ["api"]
    assert "scheduled_for" not in body
    latest, first = body["incident_updates"]
    assert latest["body"] == "Found.\n\nActions being taken: Restarting"
    assert latest["affected_components"] is None and latest["incident_id"] == "7"
    assert first["affected_components"] == [{"code": "api", "name": "Platform - Api", "old_status": "operational",
                                             "new_status": "major_outage"}]


def test_the_maintenance_bodies_and_their_windows():
    window = {"scheduled_for": NOW + dt.timedelta(days=1), "scheduled_until": NOW + dt.timedelta(days=1, hours=2)}
    upcoming = incident("1", MaintenanceStatus.SCHEDULED, Impact.MAINTENANCE, **window)
    active = incident("2", MaintenanceStatus.VERIFYING, Impact.MAINTENANCE, **window)
    done = incident("3", MaintenanceStatus.COMPLETED, Impact.MAINTENANCE, **window)
    page = state(maintenances=[upcoming, active, done])

    def ids(body):
        return [m["id"] for m in body["scheduled_maintenances"]]

    assert ids(summary.scheduled_maintenances(page)) == ["1", "2", "3"]
    assert ids(summary.upcoming_maintenances(page)) == ["1"]
    assert ids(summary.active_maintenances(page)) == ["2"]
    assert ids(summary.summary(page)) == ["1", "2"]
    assert summary.upcoming_maintenances(page)["scheduled_maintenances"][0]["scheduled_until"] == (
        "2026-11-24T12:00:00.000-03:00")


def test_every_body_carries_the_page_updated_at_its_last_change():
    page = state(components=(component("api", updated_at=NOW - dt.timedelta(days=3)),),
                 incidents=[incident(updated_at=NOW - dt.timedelta(hours=2))])
    for body in (summary.summary(page), summary.status(page), summary.components(page), summary.incidents(page)):
        assert body["page"] == {"id": "acme", "name": "ACME Status", "url": "https://status.example.com/status",
                                "time_zone": "America/Sao_Paulo", "updated_at": "2026-11-23T08:00:00.000-03:00"}


def test_incidents_json_lists_the_fifty_most_recent():
    many = [incident(str(n), IncidentStatus.RESOLVED) for n in range(60, 0, -1)]
    listed = summary.incidents(state(incidents=many))["incidents"]
    assert len(listed) == 50 and listed[0]["id"] == "60"


def test_the_page_folds_a_healthy_group_and_hides_what_shows_only_when_degraded():
    components = (component("api", S.DEGRADED_PERFORMANCE, "platform"), component("db", group="platform"),
                  component("sms", group="messaging"), component("docs", only_show_if_degraded=True),
                  component("fax", group="legacy", only_show_if_degraded=True))
    listed = sections(state(components, groups=(Group("platform", "Platform", None),
                                                Group("messaging", "Messaging", None))))
    assert [(s.group.id if s.group else s.components[0].id, s.healthy) for s in listed] == [
        ("platform", False), ("messaging", True)]
    assert listed[0].status is S.DEGRADED_PERFORMANCE
