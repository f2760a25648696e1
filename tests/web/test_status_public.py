"""The public status page, its incident pages, its Atom feed and its Statuspage v2 JSON, served from the
rows of a morning with an incident in progress and a maintenance (tests/web/status_data.py)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from router.runtime import runtime
from router.status.writing import (
    NewIncident,
    NewMaintenance,
    NewUpdate,
    open_incident,
    post_update,
    schedule_maintenance,
)
from statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus
from tests.web.status_data import (
    API_DOWN_SECONDS,
    COUNTED_SECONDS,
    INCIDENT,
    LATEST,
    MAINTENANCE,
    RESOLVED,
    UPCOMING,
    add_morning,
)

ATOM = "{http://www.w3.org/2005/Atom}"
V2 = ["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances",
      "scheduled-maintenances/upcoming", "scheduled-maintenances/active"]


@pytest.fixture
def client(app):
    add_morning(app)
    return app.test_client()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(html: str, css_class: str) -> str:
    found = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    assert found, f"no section {css_class}"
    return found.group(0)


def test_the_page_needs_no_login_and_shows_the_incident_the_maintenance_and_the_components(client):
    answer = client.get("/status")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert '<p class="banner indicator-major" role="status">Partial System Outage</p>' in html
    incidents = _text(_section(html, "incidents"))
    assert INCIDENT in incidents and "Impact: major" in incidents
    # Updates newest first, with the actions being taken and the estimated resolution.
    assert incidents.index(LATEST) < incidents.index("We are investigating errors on the public API.")
    assert "Actions being taken: Rolling back release 4.2" in incidents
    assert "Estimated resolution: Mon 23 Nov 2026 11:00 -03" in incidents
    active = _text(_section(html, "maintenance active"))
    assert MAINTENANCE in active and "Scheduled Mon 23 Nov 2026 09:00 -03 – Mon 23 Nov 2026 11:00 -03" in active
    assert UPCOMING in _text(_section(html, "maintenance upcoming"))
    history = _text(_section(html, "history"))
    assert RESOLVED in history and INCIDENT not in history
    assert 'type="application/atom+xml"' in html and 'href="/status/history.atom"' in html
    assert 'href="/status/static/status.css"' in html and "/console/" not in html  # none of the console's assets
    with client.get("/status/static/status.css") as sheet:
        assert sheet.status_code == 200 and b".banner" in sheet.data


def test_a_healthy_group_is_folded_and_a_troubled_one_open(client):
    html = client.get("/status").get_data(as_text=True)
    opened = {group: flag == " open" for flag, group in
              re.findall(r'<details class="group status-[a-z_]+"( open)? data-group="([a-z-]+)"', html)}
    assert opened == {"platform": True, "messaging": False}
    assert 'data-component="dashboard"' in html  # a component of no group is listed on its own


def test_the_uptime_figures_are_those_of_the_history(client):
    html = client.get("/status").get_data(as_text=True)
    api = re.search(r'<div class="component" data-component="api">.*?</div>', html, re.S).group(0)
    expected = round(100 * (1 - API_DOWN_SECONDS / COUNTED_SECONDS), 2)
    assert expected == 99.93
    assert f'<span class="uptime-figure">{expected:.2f} % uptime</span>' in api
    days = re.findall(r'class="day worst-([a-z_]+)"><title>([^<]+)</title>', api)
    assert len(days) == 90
    assert days[0][1].startswith("26 Aug 2026")
    assert days[-4] == ("major_outage", "20 Nov 2026: 95.83 %, 60 min down")
    assert days[-1] == ("partial_outage", "23 Nov 2026: 95.00 %, 30 min down")
    assert {worst for worst, _ in days[:-4]} == {"operational"}
    database = re.search(r'data-component="database">.*?</div>', html, re.S).group(0)
    assert '<span class="uptime-figure">100.00 % uptime</span>' in database  # maintenance is not downtime
    assert database.count("worst-under_maintenance") == 1
    dashboard = re.search(r'data-component="dashboard">.*?</div>', html, re.S).group(0)
    assert "100.00 % uptime" in dashboard and dashboard.count("worst-degraded_performance") == 1


def test_an_incident_has_a_page_of_its_own_its_shortlink(client):
    body = client.get("/api/v2/incidents/unresolved.json").get_json()
    (incident,) = body["incidents"]
    link = incident["shortlink"]
    assert link == f"http://localhost/status/incidents/{incident['id']}"
    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert INCIDENT in text and LATEST in text and "Affects: Public API" in text
    missing = client.get("/status/incidents/999999")
    assert missing.status_code == 404 and "No incident 999999." in missing.get_data(as_text=True)


def test_the_atom_feed_parses_and_lists_the_incidents_and_maintenance(client):
    answer = client.get("/status/history.atom")
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    feed = ET.fromstring(answer.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "ACME Cloud Status: incident history"
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [f"Incident: {INCIDENT}", f"Maintenance: {MAINTENANCE}", f"Maintenance: {UPCOMING}",
                      f"Incident: {RESOLVED}"]  # newest change first
    first = entries[0]
    assert first.findtext(f"{ATOM}updated") == "2026-11-23T09:50:00.000-03:00"
    assert first.find(f"{ATOM}link").get("href") == first.findtext(f"{ATOM}id")
    content = first.findtext(f"{ATOM}content")
    assert content.index(LATEST) < content.index("We are investigating")
    assert "Scheduled for 2026-11-23T09:00:00.000-03:00" in entries[1].findtext(f"{ATOM}content")


@pytest.mark.parametrize("path", V2)
def test_every_v2_endpoint_answers_without_a_token_to_any_origin(client, path):
    answer = client.get(f"/api/v2/{path}.json")
    assert answer.status_code == 200, answer.data  # the /api blueprint's token check is not ours
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.get_json()["page"] == {"id": "acme-cloud-status", "name": "ACME Cloud Status",
                                         "url": "http://localhost/status", "time_zone": "America/Sao_Paulo",
                                         "updated_at": "2026-11-23T09:50:00.000-03:00"}


def test_the_v2_bodies_hold_what_the_page_shows(client):
    def get(path):
        return client.get(f"/api/v2/{path}.json").get_json()

    summary = get("summary")
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert get("status")["status"] == summary["status"]
    listed = [(c["id"], c["group"], c["group_id"], c["position"], c["status"]) for c in summary["components"]]
    assert listed == [("platform", True, None, 1, "partial_outage"), ("api", False, "platform", 1, "partial_outage"),
                      ("database", False, "platform", 2, "under_maintenance"),
                      ("dashboard", False, None, 2, "operational"),
                      ("messaging", True, None, 3, "operational"),
                      ("sms-gateway", False, "messaging", 1, "operational")]
    assert summary["components"][0]["components"] == ["api", "database"]
    assert get("components")["components"] == summary["components"]
    assert [i["name"] for i in summary["incidents"]] == [INCIDENT]
    assert [m["name"] for m in summary["scheduled_maintenances"]] == [UPCOMING, MAINTENANCE]
    assert [i["name"] for i in get("incidents")["incidents"]] == [INCIDENT, RESOLVED]
    assert [m["name"] for m in get("scheduled-maintenances")["scheduled_maintenances"]] == [UPCOMING, MAINTENANCE]
    assert [m["name"] for m in get("scheduled-maintenances/upcoming")["scheduled_maintenances"]] == [UPCOMING]
    (active,) = get("scheduled-maintenances/active")["scheduled_maintenances"]
    assert (active["name"], active["status"], active["scheduled_for"], active["scheduled_until"]) == (
        MAINTENANCE, "in_progress", "2026-11-23T09:00:00.000-03:00", "2026-11-23T11:00:00.000-03:00")
    latest, first = summary["incidents"][0]["incident_updates"]
    assert latest["body"] == f"{LATEST}\n\nActions being taken: Rolling back release 4.2"
    assert latest["affected_components"] is None
    assert first["affected_components"] == [{"code": "api", "name": "Platform - Public API",
                                             "old_status": "operational", "new_status": "partial_outage"}]


def test_the_v2_json_of_an_empty_page_is_all_operational(app):
    body = app.test_client().get("/api/v2/summary.json").get_json()
    assert body["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert body["incidents"] == [] and body["scheduled_maintenances"] == []
    assert {c["status"] for c in body["components"]} == {"operational"}


def test_the_case_api_still_wants_its_token(client):
    assert client.get("/api/cases/1").status_code == 401


def test_what_the_writing_side_writes_the_page_and_its_json_show(app):
    """Incidents and maintenance written by router/status/writing.py, read back by the public side."""
    support, now = runtime(app).support, runtime(app).now()
    with runtime(app).services.sessions() as session, session.begin():
        opened = open_incident(session, support, NewIncident(
            "SMS are late", Impact.MINOR, IncidentStatus.INVESTIGATING, "Messages take minutes.",
            {"sms-gateway": ComponentStatus.DEGRADED_PERFORMANCE}), "carla", now)
        session.flush()
        post_update(session, support, opened.id, NewUpdate(IncidentStatus.IDENTIFIED, "A carrier is slow."),
                    "carla", now)
        schedule_maintenance(session, support, NewMaintenance(
            "Dashboard upgrade", now + dt.timedelta(days=1), now + dt.timedelta(days=1, hours=1), ("dashboard",),
            "A new dashboard."), "carla", now)
    client = app.test_client()
    summary = client.get("/api/v2/summary.json").get_json()
    assert summary["status"] == {"indicator": "minor", "description": "Partially Degraded Service"}
    (incident,) = summary["incidents"]
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    assert incident["incident_updates"][1]["affected_components"] == [
        {"code": "sms-gateway", "name": "Messaging - SMS gateway", "old_status": "operational",
         "new_status": "degraded_performance"}]
    assert [m["name"] for m in summary["scheduled_maintenances"]] == ["Dashboard upgrade"]
    html = client.get("/status").get_data(as_text=True)
    assert '<details class="group status-degraded_performance" open data-group="messaging">' in html
    assert "SMS are late" in _text(_section(html, "incidents")) and "Dashboard upgrade" in html
