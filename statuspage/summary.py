"""Statuspage v2's JSON bodies from the page's state, key for key as Statuspage writes them, so the tools
that read a Statuspage page read ours (`/api/v2/summary.json` and its siblings).

The page's overall status follows Statuspage's documented top-level calculation ("Top-level status and
incident impact calculations"): the components' statuses blended, raised to the worst impact of an
unresolved incident, and "maintenance" when nothing is wrong but a maintenance is in progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from statuspage.state import Component, Incident, PageState, Update
from statuspage.vocabulary import ComponentStatus, Impact, Indicator

Body = dict[str, Any]
RECENT = 50  # incidents.json and scheduled-maintenances.json list this many, newest first

# How bad a component's status is: a group shows its worst component's.
SEVERITY = {ComponentStatus.OPERATIONAL: 0, ComponentStatus.UNDER_MAINTENANCE: 1,
            ComponentStatus.DEGRADED_PERFORMANCE: 2, ComponentStatus.PARTIAL_OUTAGE: 3,
            ComponentStatus.MAJOR_OUTAGE: 4}
# An indicator's weight when the components' blend and the incidents' impact are compared.
WEIGHT = {Indicator.NONE: 0, Indicator.MAINTENANCE: 1, Indicator.MINOR: 2, Indicator.MAJOR: 3,
          Indicator.CRITICAL: 4}
OPERATIONAL = (Indicator.NONE, "All Systems Operational")
UNDER_MAINTENANCE = (Indicator.MAINTENANCE, "Service Under Maintenance")
# The top-level status an unresolved incident of this impact raises the page to.
BY_IMPACT = {Impact.MINOR: (Indicator.MINOR, "Minor Service Outage"),
             Impact.MAJOR: (Indicator.MAJOR, "Partial System Outage"),
             Impact.CRITICAL: (Indicator.CRITICAL, "Major System Outage")}


def stamp(at: dt.datetime, zone: str) -> str:
    """An instant as Statuspage writes it: milliseconds and the page zone's offset ("Z" at UTC)."""
    written = at.astimezone(ZoneInfo(zone)).isoformat(timespec="milliseconds")
    return written.removesuffix("+00:00") + "Z" if written.endswith("+00:00") else written


def blend(statuses: Sequence[ComponentStatus]) -> tuple[Indicator, str]:
    """The components' statuses blended into the page's top-level status, as Statuspage does."""
    def every(status: ComponentStatus) -> bool:
        return all(s is status for s in statuses)

    if not statuses:
        return OPERATIONAL
    if every(ComponentStatus.MAJOR_OUTAGE):
        return Indicator.CRITICAL, "Major System Outage"
    if ComponentStatus.MAJOR_OUTAGE in statuses or every(ComponentStatus.PARTIAL_OUTAGE):
        return Indicator.MAJOR, "Partial System Outage"
    if ComponentStatus.PARTIAL_OUTAGE in statuses:
        return Indicator.MINOR, "Minor Service Outage"
    if len(statuses) > 1 and every(ComponentStatus.DEGRADED_PERFORMANCE):
        return Indicator.MINOR, "Degraded System Service"
    if ComponentStatus.DEGRADED_PERFORMANCE in statuses:
        return Indicator.MINOR, "Partially Degraded Service"
    if ComponentStatus.UNDER_MAINTENANCE in statuses:
        return UNDER_MAINTENANCE
    return OPERATIONAL


def overall(state: PageState) -> tuple[Indicator, str]:
    """The page's `status`: the worse of the components' blend and the worst unresolved incident's impact;
    a maintenance in progress shows when nothing else is wrong."""
    found = blend([c.status for c in state.components])
    for incident in state.unresolved:
        raised = BY_IMPACT.get(incident.impact)
        if raised and WEIGHT[raised[0]] > WEIGHT[found[0]]:
            found = raised
    if found[0] is Indicator.NONE and state.active_maintenances:
        return UNDER_MAINTENANCE
    return found


def status_body(state: PageState) -> Body:
    indicator, description = overall(state)
    return {"indicator": indicator.value, "description": description}


def page_body(state: PageState) -> Body:
    page = state.page
    return {"id": page.id, "name": page.name, "url": page.url, "time_zone": page.time_zone,
            "updated_at": stamp(state.updated_at, page.time_zone)}


def _component(state: PageState, component: Component, position: int) -> Body:
    zone = state.page.time_zone
    return {"id": component.id, "name": component.name, "status": component.status.value,
            "created_at": stamp(component.created_at, zone), "updated_at": stamp(component.updated_at, zone),
            "position": position, "description": component.description, "showcase": component.showcase,
            "start_date": component.created_at.astimezone(ZoneInfo(zone)).date().isoformat(),
            "group_id": component.group_id, "page_id": state.page.id, "group": False,
            "only_show_if_degraded": component.only_show_if_degraded}


def _group(state: PageState, group_id: str, members: Sequence[Component], position: int) -> Body:
    group = state.group(group_id)
    zone = state.page.time_zone
    return {"id": group_id, "name": group.name if group else group_id,
            "status": max((c.status for c in members), key=SEVERITY.__getitem__).value,
            "created_at": stamp(min(c.created_at for c in members), zone),
            "updated_at": stamp(max(c.updated_at for c in members), zone),
            "position": position, "description": group.description if group else None, "showcase": False,
            "start_date": None, "group_id": None, "page_id": state.page.id, "group": True,
            "only_show_if_degraded": False, "components": [c.id for c in members]}


def components_list(state: PageState) -> list[Body]:
    """Every group and component: a group where its first component is configured, followed by its
    components; positions count within their group, or among the ungrouped and the groups."""
    listed: list[Body] = []
    top = 0
    placed: set[str] = set()
    for component in state.components:
        if component.group_id is None:
            top += 1
            listed.append(_component(state, component, top))
        elif component.group_id not in placed:
            placed.add(component.group_id)
            top += 1
            members = [c for c in state.components if c.group_id == component.group_id]
            listed.append(_group(state, component.group_id, members, top))
            listed += [_component(state, c, n) for n, c in enumerate(members, 1)]
    return listed


def affected_name(state: PageState, component_id: str) -> str:
    """A component as an update names it: "Group - Component" when grouped, as Statuspage writes it."""
    component = state.component(component_id)
    if component is None:
        return component_id
    group = state.group(component.group_id) if component.group_id else None
    return f"{group.name} - {component.name}" if group else component.name


def full_body(update: Update) -> str:
    """An update's text with the actions being taken, which Statuspage has no field of its own for."""
    return f"{update.body}\n\nActions being taken: {update.actions}" if update.actions else update.body


def update_body(state: PageState, incident: Incident, update: Update) -> Body:
    zone = state.page.time_zone
    affected = [{"code": c.component_id, "name": affected_name(state, c.component_id),
                 "old_status": c.old_status.value, "new_status": c.new_status.value} for c in update.changes]
    return {"id": update.id, "status": update.status.value, "body": full_body(update), "incident_id": incident.id,
            "created_at": stamp(update.created_at, zone), "updated_at": stamp(update.updated_at, zone),
            "display_at": stamp(update.display_at, zone), "affected_components": affected or None,
            # Subscribers hear of every update (router/status's SMS); no tweets are sent.
            "deliver_notifications": True, "custom_tweet": None, "tweet_id": None}


def shortlink(state: PageState, incident: Incident) -> str:
    return f"{state.page.url}/incidents/{incident.id}"


def incident_body(state: PageState, incident: Incident) -> Body:
    zone = state.page.time_zone

    def when(at: dt.datetime | None) -> str | None:
        return stamp(at, zone) if at else None

    positions = {c.id: n for n, c in enumerate(state.components, 1)}
    body: Body = {
        "id": incident.id, "name": incident.name, "status": incident.status.value, "impact": incident.impact.value,
        "shortlink": shortlink(state, incident), "created_at": stamp(incident.created_at, zone),
        "updated_at": stamp(incident.updated_at, zone),
        "started_at": stamp(incident.started_at or incident.created_at, zone),
        "monitoring_at": when(incident.monitoring_at), "resolved_at": when(incident.resolved_at),
        "page_id": state.page.id,
        "incident_updates": [update_body(state, incident, u) for u in incident.updates],
        "components": [_component(state, c, positions[c.id]) for c in map(state.component, incident.component_ids)
                       if c is not None],
    }
    if incident.maintenance:
        body["scheduled_for"] = when(incident.scheduled_for)
        body["scheduled_until"] = when(incident.scheduled_until)
    return body


def _with_page(state: PageState, **parts: Any) -> Body:
    return {"page": page_body(state), **parts}


def summary(state: PageState) -> Body:
    """summary.json: the status, every component, the unresolved incidents, the upcoming and active
    maintenances."""
    return _with_page(state, components=components_list(state),
                      incidents=[incident_body(state, i) for i in state.unresolved],
                      scheduled_maintenances=[incident_body(state, m) for m in state.maintenances
                                              if m.upcoming or m.active],
                      status=status_body(state))


def status(state: PageState) -> Body:
    return _with_page(state, status=status_body(state))


def components(state: PageState) -> Body:
    return _with_page(state, components=components_list(state))


def incidents(state: PageState) -> Body:
    """incidents.json: the most recent incidents, the unresolved ones among them."""
    return _with_page(state, incidents=[incident_body(state, i) for i in state.incidents[:RECENT]])


def unresolved_incidents(state: PageState) -> Body:
    return _with_page(state, incidents=[incident_body(state, i) for i in state.unresolved])


def scheduled_maintenances(state: PageState) -> Body:
    """scheduled-maintenances.json: the most recent maintenances, completed ones too."""
    return _with_page(state, scheduled_maintenances=[incident_body(state, m) for m in state.maintenances[:RECENT]])


def upcoming_maintenances(state: PageState) -> Body:
    return _with_page(state, scheduled_maintenances=[incident_body(state, m) for m in state.upcoming_maintenances])


def active_maintenances(state: PageState) -> Body:
    return _with_page(state, scheduled_maintenances=[incident_body(state, m) for m in state.active_maintenances])
