"""Every form of the console refuses a POST without its CSRF token: each console route that takes a POST,
found in the app's URL map, so a form added later is checked too."""

import pytest

from tests.web.console import add_accounts, csrf_token, log_in

SAMPLE = {"number": "1001", "person_id": "carla", "channel": "sms"}


def _console_posts(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console.") and "POST" in rule.methods:
            urls.append(rule.rule.replace("<int:number>", SAMPLE["number"]).replace("<person_id>", SAMPLE["person_id"])
                        .replace("<channel>", SAMPLE["channel"]).replace("<int:subscriber_id>", "1")
                        .replace("<int:incident_id>", "1").replace("<component_id>", "api"))
    return sorted(urls)


@pytest.fixture
def client(app):
    add_accounts(app)
    client = app.test_client()
    log_in(client, "marta")
    return client


def test_the_console_forms_are_all_found(app):
    assert _console_posts(app) == ["/cases/1001/resolve", "/cases/1001/response", "/cases/1001/tier",
                                   "/incidents", "/incidents/1/updates", "/incidents/components/api",
                                   "/incidents/maintenance", "/login", "/logout", "/oncall/overrides",
                                   "/oncall/overrides/remove", "/oncall/test/carla/sms", "/subscribers",
                                   "/subscribers/1/remove"]


def test_a_post_without_its_token_is_refused_everywhere(app, client):
    for url in _console_posts(app):
        answer = client.post(url, data={"reason": "x", "tier": "2"})
        assert answer.status_code == 400, url
        assert b"CSRF" in answer.data, url


def test_a_token_of_another_session_is_refused_too(app, client):
    other = app.test_client()
    foreign = csrf_token(other.get("/login").data)
    assert client.post("/logout", data={"csrf_token": foreign}).status_code == 400
    assert client.post("/logout", data={"csrf_token": csrf_token(client.get("/cases").data)}).status_code == 302
