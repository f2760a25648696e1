"""The status page's writing API, on the token API's blueprint (`Authorization: Bearer <ROUTER_API_TOKEN>`):
open and update incidents, schedule and update maintenance, set a component's status. JSON in and out;
the same functions as the console's forms; 400 with the reason, 404 for what is not there.

Times are ISO 8601 with their offset. In an incident's update, `estimated_resolution_at` absent leaves
the estimate as it is and null clears it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, request
from sqlalchemy.orm import Session

from router import db
from router.api import bp
from router.models import Incident, IncidentUpdate
from router.runtime import runtime
from router.status import writing
from router.status.fields import choice, instant, text
from router.status.writing import KEEP, MaintenanceNews, NewIncident, NewMaintenance, NewUpdate, NotFound
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus


@bp.post("/status/incidents")
def open_incident():
    """Open an incident: {"name", "impact", "status"?, "body", "actions"?, "components"?: {id: status},
    "estimated_resolution_at"?, "owner"?: a console username}."""
    def run(session: Session, body: dict[str, Any]) -> Incident:
        new = NewIncident(
            name=text(body.get("name"), "name"), impact=choice(Impact, body.get("impact"), "impact"),
            status=choice(IncidentStatus, body.get("status", "investigating"), "status"),
            body=text(body.get("body"), "body"), actions=text(body.get("actions"), "actions") or None,
            components=_statuses(body.get("components", {})), owner=_owner(body.get("owner")),
            estimated_resolution_at=_estimate(body.get("estimated_resolution_at")))
        return writing.open_incident(session, runtime().support, new, _by(body, new.owner), runtime().now())
    return _write(run, 201)


@bp.post("/status/incidents/<int:incident_id>/updates")
def incident_update(incident_id: int):
    """Post an update: {"status", "body", "actions"?, "components"?: {id: status}, "estimated_resolution_at"?}."""
    def run(session: Session, body: dict[str, Any]) -> Incident:
        news = NewUpdate(status=choice(IncidentStatus, body.get("status"), "status"),
                         body=text(body.get("body"), "body"), actions=text(body.get("actions"), "actions") or None,
                         components=_statuses(body.get("components", {})),
                         estimated_resolution_at=(_estimate(body["estimated_resolution_at"])
                                                  if "estimated_resolution_at" in body else KEEP))
        return _of(writing.post_update(session, runtime().support, incident_id, news, _by(body), runtime().now()))
    return _write(run, 201)


@bp.post("/status/maintenances")
def schedule_maintenance():
    """Schedule a maintenance: {"name", "scheduled_for", "scheduled_until", "components": [ids], "body"}."""
    def run(session: Session, body: dict[str, Any]) -> Incident:
        components = body.get("components")
        if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
            raise ValueError("components must be a list of component ids")
        new = NewMaintenance(name=text(body.get("name"), "name"),
                             scheduled_for=instant(body.get("scheduled_for"), "scheduled_for"),
                             scheduled_until=instant(body.get("scheduled_until"), "scheduled_until"),
                             components=tuple(components), body=text(body.get("body"), "body"))
        return writing.schedule_maintenance(session, runtime().support, new, _by(body), runtime().now())
    return _write(run, 201)


@bp.post("/status/maintenances/<int:maintenance_id>/updates")
def maintenance_update(maintenance_id: int):
    """Update a maintenance: {"status", "body", "scheduled_for"?, "scheduled_until"?}."""
    def run(session: Session, body: dict[str, Any]) -> Incident:
        window = {key: instant(body[key], key) for key in ("scheduled_for", "scheduled_until") if body.get(key)}
        news = MaintenanceNews(choice(MaintenanceStatus, body.get("status"), "status"),
                               text(body.get("body"), "body"), **window)
        return _of(writing.update_maintenance(session, runtime().support, maintenance_id, news, _by(body),
                                              runtime().now()))
    return _write(run, 201)


@bp.put("/status/components/<component_id>")
def component(component_id: str):
    """Set a component's status outside any incident: {"status"}."""
    support = runtime().support
    if component_id not in {c.id for c in support.components}:
        abort(404, f"there is no component {component_id!r}")
    body = _json()
    session = db.session()
    try:
        with session.begin():
            status = choice(ComponentStatus, body.get("status"), "status")
            changed = writing.set_component_status(session, support, component_id, status, runtime().now())
    except ValueError as refused:
        abort(400, str(refused))
    return jsonify(id=component_id, status=status.value, changed=changed)


def _write(run: Callable[[Session, dict[str, Any]], Incident], code: int):
    """Carry out one write in one transaction; the incident as it stands after, or why not."""
    body = _json()
    session = db.session()
    try:
        with session.begin():
            incident = run(session, body)
            session.flush()
            answer = describe(incident)
    except NotFound as missing:
        abort(404, str(missing))
    except ValueError as refused:
        abort(400, str(refused))
    return jsonify(answer), code


def describe(incident: Incident) -> dict[str, Any]:
    """An incident or maintenance as the API answers: its fields, components and updates newest first."""
    def at(value):
        return value.isoformat() if value else None
    updates = sorted(incident.updates, key=lambda u: u.id, reverse=True)
    return {
        "id": incident.id, "kind": incident.kind, "name": incident.name, "status": incident.status,
        "impact": incident.impact, "owner": incident.owner, "created_at": at(incident.created_at),
        "updated_at": at(incident.updated_at), "started_at": at(incident.started_at),
        "monitoring_at": at(incident.monitoring_at), "resolved_at": at(incident.resolved_at),
        "estimated_resolution_at": at(incident.estimated_resolution_at),
        "scheduled_for": at(incident.scheduled_for), "scheduled_until": at(incident.scheduled_until),
        "components": [c.component_id for c in incident.components],
        "updates": [{"id": u.id, "status": u.status, "body": u.body, "actions": u.actions, "by": u.by,
                     "created_at": at(u.created_at),
                     "affected_components": [{"code": c.component_id, "old_status": c.old_status,
                                              "new_status": c.new_status} for c in u.changes]}
                    for u in updates],
    }


def _of(update: IncidentUpdate) -> Incident:
    return update.incident


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "the body must be a JSON object")
    return body


def _statuses(value: object) -> dict[str, ComponentStatus]:
    if not isinstance(value, dict):
        raise ValueError("components must be an object of component id to status")
    return {str(component): choice(ComponentStatus, status, f"components.{component}")
            for component, status in value.items()}


def _estimate(value: object):
    return None if value is None else instant(value, "estimated_resolution_at")


def _owner(value: object) -> str | None:
    return text(value, "owner") or None


def _by(body: dict[str, Any], default: str | None = None) -> str:
    """Who wrote it, as the update keeps it: `by` if given (at most 64 characters), else the owner or "api"."""
    by = text(body.get("by"), "by").strip() or default or "api"
    if len(by) > 64:
        raise ValueError("by is longer than 64 characters")
    return by
