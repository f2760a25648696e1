"""The console's status pages: engineers and managers open and update incidents, schedule maintenance and
set components through forms with their CSRF token; a refusal says why; agents may not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from router import db
from router.models import ComponentChange, Incident
from router.runtime import runtime
from router.status import writing
from tests.wallclock import SAO_PAULO
from tests.web.console import add_accounts, csrf_token
from tests.web.console import logged_in as _client


@pytest.fixture
def console(app):
    add_accounts(app)
    return app


def _post(client, url, page="/incidents", **form):
    token = csrf_token(client.get(page).data)
    return client.post(url, data={"csrf_token": token, **form})


def _sao_paulo(at):
    """A `datetime-local` value in São Paulo, the page's zone."""
    return at.astimezone(SAO_PAULO).strftime("%Y-%m-%dT%H:%M")


def _incidents(app):
    with db.sessions(app)() as session:
        return [(i.kind, i.name, i.status, i.owner) for i in session.scalars(select(Incident).order_by(Incident.id))]


def test_an_engineer_opens_updates_and_resolves_an_incident(console, clock):
    client = _client(console)
    answer = _post(client, "/incidents", name="Dashboard down", impact="critical", status="investigating",
                   body="The dashboard does not load.", actions="Restarting it.",
                   estimated_resolution_at=_sao_paulo(clock() + dt.timedelta(hours=1)),
                   **{"component:dashboard": "major_outage", "component:api": ""})
    assert answer.status_code == 302
    incident_url = answer.headers["Location"]
    page = client.get(incident_url).get_data(as_text=True)
    assert "Incident 1 opened: Dashboard down." in page
    assert "dashboard: operational → major outage" in page and "Restarting it." in page
    assert "Mon 23 Nov 2026 11:00 -03" in page  # the estimate, in the page's zone
    assert _incidents(console) == [("incident", "Dashboard down", "investigating", "carla")]

    clock.at += dt.timedelta(minutes=5)
    answer = _post(client, f"{incident_url}/updates", page=incident_url, status="resolved", body="Back up.",
                   estimated_resolution_at="")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Update posted: Dashboard down is resolved." in page
    assert "dashboard: major outage → operational" in page
    assert _incidents(console)[0][2] == "resolved"
    listing = client.get("/incidents").get_data(as_text=True)
    assert "No incident in progress." in listing and "Recently closed" in listing


def test_a_refused_form_says_why_and_writes_nothing(console):
    client = _client(console)
    answer = _post(client, "/incidents", name="Dashboard down", impact="critical", status="investigating", body=" ")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/incidents")
    assert "The update&#39;s body is empty: say what is known." in client.get("/incidents").get_data(as_text=True)
    _post(client, "/incidents", name="x", impact="enormous", status="investigating", body="x")
    assert "Impact must be one of none, minor, major, critical" in client.get("/incidents").get_data(as_text=True)
    _post(client, "/incidents", name="x", impact="minor", status="investigating", body="x",
          estimated_resolution_at="soon")
    assert "Estimated resolution must be an ISO 8601 time" in client.get("/incidents").get_data(as_text=True)
    assert _incidents(console) == []


def test_a_resolved_incident_takes_only_a_postmortem_and_a_missing_one_is_404(console):
    client = _client(console, "marta")
    support, now = runtime(console).support, runtime(console).now()
    with db.sessions(console).begin() as session:
        incident = writing.open_incident(session, support, writing.NewIncident(
            "API errors", writing.Impact.MAJOR, writing.IncidentStatus.INVESTIGATING, "Failing."), "marta", now)
        session.flush()
        writing.post_update(session, support, incident.id, writing.NewUpdate(writing.IncidentStatus.RESOLVED, "Fixed."),
                            "marta", now)
        url = f"/incidents/{incident.id}"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="postmortem">postmortem</option>' in page
    assert 'value="investigating"' not in page
    _post(client, f"{url}/updates", page=url, status="investigating", body="Back.")
    refused = "The incident is resolved: only a postmortem may follow, not investigating."
    assert refused in client.get(url).get_data(as_text=True)
    assert client.get("/incidents/99").status_code == 404
    assert _post(client, "/incidents/99/updates", status="resolved", body="x").status_code == 404


def test_maintenance_scheduled_and_moved_through_the_forms(console, clock):
    client = _client(console)
    answer = _post(client, "/incidents/maintenance", name="Database upgrade", scheduled_for=_sao_paulo(
        clock() + dt.timedelta(hours=2)), scheduled_until=_sao_paulo(clock() + dt.timedelta(hours=3)),
        components=["database", "api"], body="Upgrading.")
    url = answer.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Maintenance 1 scheduled: Database upgrade." in page
    assert "Mon 23 Nov 2026 12:00 -03 → Mon 23 Nov 2026 13:00 -03" in page
    _post(client, f"{url}/updates", page=url, status="in_progress", body="Started early.",
          scheduled_for=_sao_paulo(clock() + dt.timedelta(hours=2)), scheduled_until=_sao_paulo(
              clock() + dt.timedelta(hours=3)))
    page = client.get(url).get_data(as_text=True)
    assert "database: operational → under maintenance" in page
    _post(client, "/incidents/maintenance", name="Backwards", scheduled_for=_sao_paulo(clock() + dt.timedelta(hours=3)),
          scheduled_until=_sao_paulo(clock() + dt.timedelta(hours=2)), components=["api"], body="x")
    assert "The maintenance window must end after it starts." in client.get("/incidents").get_data(as_text=True)


def test_a_component_set_directly(console):
    client = _client(console)
    answer = _post(client, "/incidents/components/sms-gateway", status="partial_outage")
    assert answer.headers["Location"].endswith("/incidents#components")
    assert "SMS gateway is partial outage." in client.get("/incidents").get_data(as_text=True)
    _post(client, "/incidents/components/billing", status="partial_outage")
    assert "Unknown component &#39;billing&#39;" in client.get("/incidents").get_data(as_text=True)
    with db.sessions(console)() as session:
        assert [(c.component_id, c.status) for c in session.scalars(select(ComponentChange))] == [
            ("sms-gateway", "partial_outage")]


def test_forms_need_their_csrf_token(console):
    client = _client(console)
    answer = client.post("/incidents/components/api", data={"status": "major_outage"})
    assert answer.status_code == 400
    with db.sessions(console)() as session:
        assert session.scalars(select(ComponentChange)).first() is None


def test_agents_may_not_and_the_logged_out_log_in_first(console):
    agent = _client(console, "paula")
    assert agent.get("/incidents").status_code == 403
    assert agent.post("/incidents", data={"name": "x"}).status_code in (400, 403)  # CSRF, or the role: never written
    stranger = console.test_client()
    answer = stranger.get("/incidents")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert _incidents(console) == []
    nav = _client(console).get("/oncall").get_data(as_text=True)
    assert '<a href="/incidents"' in nav
    assert '<a href="/incidents"' not in agent.get("/cases").get_data(as_text=True)
