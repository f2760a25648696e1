"""The public status page: `/status` (no log-in), an incident's page (its shortlink), the Atom feed of
incidents and maintenance, and Statuspage v2's JSON under `/api/v2/` for the tools that read Statuspage.

The views gather (router/status/store.py), compute (statuspage/) and render; nothing here decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, jsonify, render_template, request

from router import db
from router.runtime import runtime
from router.status.store import load_history, load_incident, load_page
from statuspage import summary
from statuspage.layout import sections
from statuspage.state import Incident, PageState
from statuspage.uptime import uptime, window_start

bp = Blueprint("status_public", __name__, template_folder="templates", static_folder="static",
               static_url_path="/status/static")
ATOM = "http://www.w3.org/2005/Atom"
# The v2 bodies, by the path under /api/v2/ Statuspage serves each at.
V2: dict[str, Callable[[PageState], dict[str, Any]]] = {
    "summary": summary.summary,
    "status": summary.status,
    "components": summary.components,
    "incidents": summary.incidents,
    "incidents/unresolved": summary.unresolved_incidents,
    "scheduled-maintenances": summary.scheduled_maintenances,
    "scheduled-maintenances/upcoming": summary.upcoming_maintenances,
    "scheduled-maintenances/active": summary.active_maintenances,
}


def _state() -> PageState:
    ours = runtime()
    return load_page(db.session(), ours.support, ours.services.public_url, ours.now())


def _local(state: PageState) -> Callable[[dt.datetime | None], str]:
    """Times as the page's readers see them: in the page's zone."""
    zone = ZoneInfo(state.page.time_zone)

    def shown(at: dt.datetime | None) -> str:
        if at is None:
            return ""
        local = at.astimezone(zone)
        return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"
    return shown


@bp.get("/status")
def page():
    state = _state()
    zone = ZoneInfo(state.page.time_zone)
    since = window_start(state.now, zone)
    ids = [c.id for c in state.components]
    history = load_history(db.session(), ids, since, state.now)
    bars = {c: uptime(initial, changes, state.now, zone) for c, (initial, changes) in history.items()}
    indicator, description = summary.overall(state)
    past = [i for i in state.incidents + state.maintenances if not i.unresolved]
    past.sort(key=lambda i: i.created_at, reverse=True)
    return render_template("status/page.html", state=state, indicator=indicator.value, description=description,
                           sections=sections(state), bars=bars, history=past, when=_local(state))


@bp.get("/status/incidents/<int:incident_id>")
def incident(incident_id: int):
    state = _state()
    found = load_incident(db.session(), incident_id) or abort(404, f"No incident {incident_id}.")
    return render_template("status/incident.html", state=state, incident=found, when=_local(state))


@bp.get("/status/history.atom")
def feed():
    state = _state()
    return Response(_atom(state), mimetype="application/atom+xml")


@bp.errorhandler(404)
def _not_found(error):
    if request.path.startswith("/api/"):
        return jsonify(error=error.description), 404
    state = _state()
    return render_template("status/missing.html", state=state, message=error.description), 404


def _v2_view(body: Callable[[PageState], dict[str, Any]]) -> Callable[[], Response]:
    def view() -> Response:
        answer = jsonify(body(_state()))
        answer.headers["Access-Control-Allow-Origin"] = "*"  # as Statuspage's: any page may read it
        return answer
    return view


for _path, _body in V2.items():
    bp.add_url_rule(f"/api/v2/{_path}.json", f"v2_{_path.replace('/', '_').replace('-', '_')}", _v2_view(_body))


def _atom(state: PageState) -> bytes:
    """The incidents and maintenances, newest change first, as an Atom feed (RFC 4287)."""
    zone = state.page.time_zone
    ElementTree.register_namespace("", ATOM)

    def add(parent: ElementTree.Element, tag: str, text: str | None = None,
            **attributes: str) -> ElementTree.Element:
        added = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        added.text = text
        return added

    root = ElementTree.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    add(root, "id", f"{state.page.url}/history.atom")
    add(root, "title", f"{state.page.name}: incident history")
    add(root, "updated", summary.stamp(state.updated_at, zone))
    add(root, "link", rel="alternate", type="text/html", href=state.page.url)
    add(root, "link", rel="self", type="application/atom+xml", href=f"{state.page.url}/history.atom")
    add(add(root, "author"), "name", state.page.name)  # a feed without authored entries needs its own
    for item in sorted(state.incidents + state.maintenances, key=lambda i: i.updated_at, reverse=True):
        entry = add(root, "entry")
        link = summary.shortlink(state, item)
        add(entry, "id", link)
        add(entry, "title", f"{'Maintenance' if item.maintenance else 'Incident'}: {item.name}")
        add(entry, "published", summary.stamp(item.created_at, zone))
        add(entry, "updated", summary.stamp(item.updated_at, zone))
        add(entry, "link", rel="alternate", type="text/html", href=link)
        add(entry, "content", _entry_text(item, zone), type="text")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry_text(item: Incident, zone: str) -> str:
    """An entry's text: each update newest first, its time, status and what it said."""
    lines = []
    if item.maintenance and item.scheduled_for and item.scheduled_until:
        lines.append(f"Scheduled for {summary.stamp(item.scheduled_for, zone)} until "
                     f"{summary.stamp(item.scheduled_until, zone)}.")
    for update in item.updates:
        lines.append(f"{summary.stamp(update.display_at, zone)} {update.status.value.replace('_', ' ').title()}: "
                     f"{summary.full_body(update)}")
    return "\n\n".join(lines)
