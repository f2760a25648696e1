"""Every form of the console refuses a POST without its CSRF token: each console route that takes a POST,
found in the app's URL map, so a form added later is checked too."""

import re

import pytest

from tests.web.console import add_accounts, csrf_token, log_in


def _console_posts(app) -> list[str]:
    """Each console POST route, its numbers written 1001 and its names x: the token is checked before the
    route's view, which never runs."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console.") and "POST" in rule.methods:
            urls.append(re.sub(r"<[^>]+>", "x", re.sub(r"<int[^>]*>", "1001", rule.rule)))
    return sorted(urls)


@pytest.fixture
def client(app):
    add_accounts(app)
    client = app.test_client()
    log_in(client, "marta")
    return client


def test_the_console_forms_are_all_found(app):
    assert {"/cases/1001/resolve", "/cases/1001/response", "/cases/1001/tier", "/incidents", "/incidents/1001/updates",
            "/incidents/maintenance", "/login", "/logout", "/oncall/overrides", "/oncall/overrides/remove",
            "/oncall/test/x/x", "/subscribers", "/subscribers/1001/remove"} <= set(_console_posts(app))


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
