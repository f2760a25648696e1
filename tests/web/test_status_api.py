"""The status page's writing API: the token, JSON in and out, the same refusals as the console's."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.console import add_accounts

TOKEN = "api-token-for-tests"


@pytest.fixture
def api_app(make_app, fake_twilio):
    made = make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)
    add_accounts(made)
    return made


def _api(app, method, path, body=None, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(app.test_client(), method)(path, json=body, headers=headers)


def _later(clock, minutes):
    return (clock() + dt.timedelta(minutes=minutes)).isoformat()


OUTAGE = {"name": "API errors", "impact": "critical", "body": "The API answers 500 to most requests.",
          "components": {"api": "major_outage"}, "owner": "carla"}


@pytest.mark.parametrize("token", [None, "wrong"])
def test_writing_needs_the_token(api_app, token):
    assert _api(api_app, "post", "/api/status/incidents", OUTAGE, token=token).status_code == 401
    assert _api(api_app, "put", "/api/status/components/api", {"status": "major_outage"},
                token=token).status_code == 401


def test_an_incident_opened_updated_and_resolved_through_the_api(api_app, clock):
    answer = _api(api_app, "post", "/api/status/incidents", {**OUTAGE, "estimated_resolution_at": _later(clock, 45)})
    assert answer.status_code == 201
    incident = answer.get_json()
    assert (incident["kind"], incident["status"], incident["impact"], incident["owner"]) == (
        "incident", "investigating", "critical", "carla")
    assert incident["started_at"] == clock().isoformat()
    assert incident["estimated_resolution_at"] == _later(clock, 45)
    assert incident["updates"][0]["affected_components"] == [
        {"code": "api", "old_status": "operational", "new_status": "major_outage"}]

    clock.at += dt.timedelta(minutes=10)
    url = f"/api/status/incidents/{incident['id']}/updates"
    answer = _api(api_app, "post", url, {"status": "monitoring", "body": "A fix is out.", "actions": "Rolled back.",
                                         "components": {"api": "degraded_performance"}, "by": "marta"})
    updated = answer.get_json()
    assert answer.status_code == 201 and updated["monitoring_at"] == clock().isoformat()
    assert updated["estimated_resolution_at"] == incident["estimated_resolution_at"]  # absent: kept
    assert [(u["status"], u["by"], u["actions"]) for u in updated["updates"]] == [
        ("monitoring", "marta", "Rolled back."), ("investigating", "carla", None)]

    resolved = _api(api_app, "post", url, {"status": "resolved", "body": "Fixed.",
                                           "estimated_resolution_at": None}).get_json()
    assert (resolved["status"], resolved["resolved_at"], resolved["estimated_resolution_at"]) == (
        "resolved", clock().isoformat(), None)
    assert resolved["updates"][0]["affected_components"] == [
        {"code": "api", "old_status": "degraded_performance", "new_status": "operational"}]
    assert resolved["updates"][0]["by"] == "api"


@pytest.mark.parametrize(("body", "reason"), [
    ({**OUTAGE, "components": {"billing": "major_outage"}}, "unknown component 'billing'"),
    ({**OUTAGE, "components": {"api": "on_fire"}}, "components.api must be one of operational"),
    ({**OUTAGE, "impact": "huge"}, "impact must be one of none, minor"),
    ({**OUTAGE, "body": ""}, "the update's body is empty"),
    ({**OUTAGE, "estimated_resolution_at": "tomorrow"}, "estimated_resolution_at must be an ISO 8601 time"),
    ({**OUTAGE, "estimated_resolution_at": "2030-01-01T10:00:00"}, "must carry its UTC offset"),
    ({**OUTAGE, "name": 7}, "name must be text"),
    (["not", "an", "object"], "the body must be a JSON object"),
])
def test_refused_input_is_a_400_with_its_reason(api_app, body, reason):
    answer = _api(api_app, "post", "/api/status/incidents", body)
    assert answer.status_code == 400
    assert reason in answer.get_json()["error"]


def test_what_is_not_there_is_a_404(api_app):
    answer = _api(api_app, "post", "/api/status/incidents/41/updates", {"status": "resolved", "body": "Fixed."})
    assert (answer.status_code, answer.get_json()["error"]) == (404, "there is no incident 41")
    assert _api(api_app, "put", "/api/status/components/billing", {"status": "operational"}).status_code == 404
    assert _api(api_app, "post", "/api/status/maintenances/41/updates",
                {"status": "completed", "body": "Done."}).status_code == 404


def test_a_resolved_incident_refuses_all_but_its_postmortem(api_app):
    incident = _api(api_app, "post", "/api/status/incidents", OUTAGE).get_json()
    url = f"/api/status/incidents/{incident['id']}/updates"
    _api(api_app, "post", url, {"status": "resolved", "body": "Fixed."})
    answer = _api(api_app, "post", url, {"status": "identified", "body": "Back again."})
    assert answer.status_code == 400 and "only a postmortem may follow" in answer.get_json()["error"]
    assert _api(api_app, "post", url, {"status": "postmortem", "body": "Why it happened."}).status_code == 201


def test_a_maintenance_scheduled_and_updated_through_the_api(api_app, clock):
    answer = _api(api_app, "post", "/api/status/maintenances", {
        "name": "Database upgrade", "scheduled_for": _later(clock, 60), "scheduled_until": _later(clock, 120),
        "components": ["database"], "body": "Upgrading the databases."})
    maintenance = answer.get_json()
    assert answer.status_code == 201
    assert (maintenance["kind"], maintenance["status"], maintenance["impact"]) == ("maintenance", "scheduled",
                                                                                   "maintenance")
    assert maintenance["scheduled_until"] == _later(clock, 120)
    url = f"/api/status/maintenances/{maintenance['id']}/updates"
    refused = _api(api_app, "post", url, {"status": "scheduled", "body": "Shorter.",
                                          "scheduled_until": _later(clock, 30)})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "the maintenance window must end after it starts"
    started = _api(api_app, "post", url, {"status": "in_progress", "body": "Started."}).get_json()
    assert started["updates"][0]["affected_components"] == [
        {"code": "database", "old_status": "operational", "new_status": "under_maintenance"}]
    wrong = _api(api_app, "post", "/api/status/maintenances", {"name": "x", "scheduled_for": _later(clock, 60),
                                                               "scheduled_until": _later(clock, 120),
                                                               "components": "database", "body": "x"})
    assert wrong.get_json()["error"] == "components must be a list of component ids"


def test_a_component_set_directly(api_app):
    answer = _api(api_app, "put", "/api/status/components/dashboard", {"status": "degraded_performance"})
    assert (answer.status_code, answer.get_json()) == (200, {"id": "dashboard", "status": "degraded_performance",
                                                             "changed": True})
    assert _api(api_app, "put", "/api/status/components/dashboard",
                {"status": "degraded_performance"}).get_json()["changed"] is False
    refused = _api(api_app, "put", "/api/status/components/dashboard", {"status": "fine"})
    assert refused.status_code == 400 and "status must be one of operational" in refused.get_json()["error"]
