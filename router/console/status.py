"""Status: engineers and managers open and update incidents, schedule and update maintenance, and set a
component's status, through the functions the token API calls (`router/status/writing.py`).

Each form answers with a redirect (post/redirect/get) and a message saying what happened or why not;
times are written in the page's zone. A component left at "as it is" in an update is not changed
(resolving gives it back, operational).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from router import db
from router.console import bp
from router.console.access import ON_CALL, allow, user
from router.runtime import runtime
from router.status import desk, writing
from router.status.fields import choice, instant, page_zone
from router.status.writing import INCIDENT, INCIDENT_IMPACTS, MaintenanceNews, NewIncident, NewMaintenance, NewUpdate
from statuspage.lifecycle import INCIDENT_NEXT, MAINTENANCE_NEXT
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus

OPENING = [s for s in IncidentStatus if s.unresolved]


@bp.get("/incidents")
@allow(*ON_CALL)
def status():
    """Incidents in progress and maintenance to come, the components' statuses, and the forms to write."""
    session = db.session()
    incidents, maintenances = desk.open_items(session)
    return render_template("console/status.html", incidents=incidents, maintenances=maintenances,
                           closed=desk.closed(session), **_choices(session))


@bp.get("/incidents/<int:incident_id>")
@allow(*ON_CALL)
def status_incident(incident_id: int):
    """One incident or maintenance: its facts, its updates newest first, and the form to post the next."""
    session = db.session()
    found = desk.one(session, incident_id)
    if found is None:
        abort(404, f"There is no incident or maintenance {incident_id}.")
    is_incident = found.kind == INCIDENT
    statuses = (IncidentStatus if is_incident else MaintenanceStatus)
    return render_template("console/status_incident.html", incident=found, is_incident=is_incident,
                           next_statuses=[s for s in statuses if _may_follow(found.status, s, is_incident)],
                           **_choices(session))


@bp.post("/incidents")
@allow(*ON_CALL)
def status_open():
    form = request.form

    def run(session: Session) -> tuple[int, str]:
        new = NewIncident(name=form.get("name", ""), impact=choice(Impact, form.get("impact"), "impact"),
                          status=choice(IncidentStatus, form.get("status"), "status"), body=form.get("body", ""),
                          actions=form.get("actions") or None, components=_component_statuses(form),
                          estimated_resolution_at=_local(form.get("estimated_resolution_at"), "estimated resolution"),
                          owner=user().username)
        incident = writing.open_incident(session, runtime().support, new, user().username, runtime().now())
        session.flush()
        return incident.id, f"Incident {incident.id} opened: {incident.name}."
    return _write(run, url_for("console.status"))


@bp.post("/incidents/maintenance")
@allow(*ON_CALL)
def status_schedule():
    form = request.form

    def run(session: Session) -> tuple[int, str]:
        new = NewMaintenance(name=form.get("name", ""),
                             scheduled_for=_required(form.get("scheduled_for"), "the window's start"),
                             scheduled_until=_required(form.get("scheduled_until"), "the window's end"),
                             components=tuple(form.getlist("components")), body=form.get("body", ""))
        maintenance = writing.schedule_maintenance(session, runtime().support, new, user().username, runtime().now())
        session.flush()
        return maintenance.id, f"Maintenance {maintenance.id} scheduled: {maintenance.name}."
    return _write(run, url_for("console.status"))


@bp.post("/incidents/<int:incident_id>/updates")
@allow(*ON_CALL)
def status_update(incident_id: int):
    form, back = request.form, url_for("console.status_incident", incident_id=incident_id)

    def run(session: Session) -> tuple[int, str]:
        found = desk.one(session, incident_id)
        if found is None:
            raise writing.NotFound(f"there is no incident or maintenance {incident_id}")
        now, by = runtime().now(), user().username
        if found.kind == INCIDENT:
            news = NewUpdate(status=choice(IncidentStatus, form.get("status"), "status"), body=form.get("body", ""),
                             actions=form.get("actions") or None, components=_component_statuses(form),
                             estimated_resolution_at=_local(form.get("estimated_resolution_at"),
                                                            "estimated resolution"))
            writing.post_update(session, runtime().support, incident_id, news, by, now)
        else:
            news = MaintenanceNews(choice(MaintenanceStatus, form.get("status"), "status"), form.get("body", ""),
                                   scheduled_for=_local(form.get("scheduled_for"), "the window's start"),
                                   scheduled_until=_local(form.get("scheduled_until"), "the window's end"))
            writing.update_maintenance(session, runtime().support, incident_id, news, by, now)
        return incident_id, f"Update posted: {found.name} is {news.status.value.replace('_', ' ')}."
    return _write(run, back, back)


@bp.post("/incidents/components/<component_id>")
@allow(*ON_CALL)
def status_component(component_id: str):
    def run(session: Session) -> tuple[int, str]:
        status = choice(ComponentStatus, request.form.get("status"), "status")
        changed = writing.set_component_status(session, runtime().support, component_id, status, runtime().now())
        name = next(c.name for c in runtime().support.components if c.id == component_id)
        return 0, f"{name} is {status.label.lower()}." if changed else f"{name} was already {status.label.lower()}."
    return _write(run, url_for("console.status") + "#components")


def _write(run: Callable[[Session], tuple[int, str]], refused_to: str, done_to: str | None = None):
    """Carry out one write in one transaction; to the incident written (or `done_to`) or back with why not."""
    session = db.session()
    try:
        incident_id, message = run(session)
        session.commit()
    except writing.NotFound as missing:
        session.rollback()
        abort(404, _sentence(str(missing)))
    except ValueError as refused:
        session.rollback()
        flash(_sentence(str(refused)), "error")
        return redirect(refused_to)
    flash(message, "success")
    return redirect(done_to or (url_for("console.status_incident", incident_id=incident_id) if incident_id
                                else refused_to))


def _choices(session: Session) -> dict[str, object]:
    support = runtime().support
    return {"components": support.components, "current": writing.current_statuses(session, support),
            "component_statuses": list(ComponentStatus), "impacts": INCIDENT_IMPACTS, "opening": OPENING,
            "zone": page_zone(support).key, "local_input": _local_input}


def _component_statuses(form: MultiDict) -> dict[str, ComponentStatus]:
    """The components an incident form sets (a select left at "as it is" sets nothing)."""
    return {key.removeprefix("component:"): choice(ComponentStatus, value, key.removeprefix("component:"))
            for key, value in form.items() if key.startswith("component:") and value}


def _local(value: str | None, what: str):
    """A form's local time (`datetime-local`, in the page's zone); empty is none."""
    return instant(value, what, page_zone(runtime().support)) if value else None


def _required(value: str | None, what: str):
    if not value:
        raise ValueError(f"{what} is missing")
    return _local(value, what)


def _local_input(at) -> str:
    """An instant as a `datetime-local` input's value in the page's zone."""
    return at.astimezone(page_zone(runtime().support)).strftime("%Y-%m-%dT%H:%M") if at else ""


def _may_follow(current: str, new: object, is_incident: bool) -> bool:
    if is_incident:
        return new in INCIDENT_NEXT[IncidentStatus(current)]
    return new in MAINTENANCE_NEXT[MaintenanceStatus(current)]


def _sentence(reason: str) -> str:
    reason = reason[:1].upper() + reason[1:]
    return reason if reason.endswith(".") else reason + "."
