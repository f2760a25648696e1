"""The case API and `router case`: tiers with their history, first responses, the promise."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from router.cli import cli
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE

TOKEN = "api-token-for-tests"


@pytest.fixture
def api_app(make_app, fake_twilio):
    return make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)


@pytest.fixture
def case_1001(api_app):
    from tests.web.helpers import Twilio

    Twilio(api_app.test_client()).call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer")
    return 1001


def _api(app, method, path, body=None, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(app.test_client(), method)(path, json=body, headers=headers)


@pytest.mark.parametrize("token", [None, "wrong"])
def test_the_api_needs_the_token(api_app, case_1001, token):
    assert _api(api_app, "get", "/api/cases/1001", token=token).status_code == 401


def test_the_api_is_closed_when_no_token_is_configured(app):
    assert _api(app, "get", "/api/cases/1001").status_code == 401


def test_a_case_shows_its_tier_calls_and_promise(api_app, case_1001):
    body = _api(api_app, "get", "/api/cases/1001").get_json()
    assert (body["number"], body["tier"], body["customer"], body["promise"]) == (1001, 1, "ACME Retail", "on track")
    assert body["first_response_due"] == "2026-11-24T13:00:00+00:00"  # Tuesday 10:00 in São Paulo
    assert [c["decision"] for c in body["calls"]] == ["open"]


def test_moving_a_case_between_tiers_records_who_when_and_why(api_app, case_1001, clock):
    answer = _api(api_app, "post", "/api/cases/1001/tier", {"tier": 2, "by": "ana", "reason": "needs the TAM"})
    assert answer.status_code == 200
    _api(api_app, "post", "/api/cases/1001/tier", {"tier": 3, "by": "gabriel", "reason": "a product bug"})
    body = _api(api_app, "get", "/api/cases/1001").get_json()
    assert body["tier"] == 3 and body["tier_name"] == "Product specialists"
    assert [(t["from"], t["to"], t["by"], t["reason"]) for t in body["tier_changes"]] == [
        (1, 2, "ana", "needs the TAM"), (2, 3, "gabriel", "a product bug")]
    assert body["tier_changes"][0]["at"] == clock().isoformat()


@pytest.mark.parametrize(("body", "message"), [
    ({"tier": 4, "by": "ana", "reason": "x"}, "tier must be one of [1, 2, 3]"),
    ({"tier": 1, "by": "ana", "reason": "x"}, "already at tier 1"),
    ({"tier": 2, "by": "ana", "reason": " "}, "needs a reason"),
    ({"tier": 2, "by": "nobody", "reason": "x"}, "'by' must be the id of a configured person"),
    ({"tier": "2", "by": "ana", "reason": "x"}, "tier must be one of"),
    (None, "'by' must be"),
])
def test_a_bad_tier_change_is_refused_with_the_reason(api_app, case_1001, body, message):
    answer = _api(api_app, "post", "/api/cases/1001/tier", body)
    assert answer.status_code == 400 and message in answer.get_json()["error"]


def test_an_unknown_case_is_a_404(api_app):
    assert _api(api_app, "get", "/api/cases/4242").status_code == 404


def test_marking_the_first_response_keeps_only_the_first(api_app, case_1001):
    _api(api_app, "post", "/api/cases/1001/response", {"by": "ana"})
    body = _api(api_app, "post", "/api/cases/1001/response", {"by": "bruno"}).get_json()
    assert (body["first_answered_by"], body["promise"]) == ("ana", "met")


def test_router_case_moves_and_shows_a_case(api_app, case_1001, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    runner = CliRunner()
    base = ["--config", str(EXAMPLE_CONFIG), "case"]
    moved = runner.invoke(cli, base + ["move", "1001", "--tier", "2", "--by", "bruno", "--reason", "TAM needed"])
    assert moved.exit_code == 0, moved.output
    shown = json.loads(runner.invoke(cli, base + ["show", "1001", "--json"]).output)
    assert shown["tier"] == 2 and shown["tier_changes"][0]["by"] == "bruno"
    refused = runner.invoke(cli, base + ["respond", "1001", "--by", "zed"])
    assert refused.exit_code == 2 and "'zed' is not one of the configured people (ana, bruno," in refused.output
    missing = runner.invoke(cli, base + ["show", "4242"]).output.strip()
    assert missing.startswith("Error: no case 4242 in ") and "Traceback" not in missing


def test_a_critical_case_shows_who_was_paged_and_how_fast_it_was_acknowledged(make_app, fake_twilio, clock):
    from router import db
    from tests.web.helpers import Twilio, sao_paulo

    app = make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)
    clock.at = sao_paulo("2026-11-28 03:00")
    Twilio(app.test_client()).call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(9)
    runtime(app).dispatcher.shutdown()
    clock.at = sao_paulo("2026-11-28 03:02")
    with db.sessions(app)() as session, session.begin():  # Carla took it by SMS, two minutes later
        from router.paging.page import Acknowledge
        from router.paging.pages import change, lock
        from router.paging.statuses import Via

        change(session, lock(session, 1), Acknowledge("carla", Via.SMS), runtime(app).support, clock())

    body = _api(app, "get", "/api/cases/1001").json
    assert body["acknowledged"] == {"at": clock().isoformat(), "by": "Carla Mendes", "via": "sms",
                                    "after_seconds": 120.0}
    page = body["page"]
    assert (page["status"], page["policy"], page["cases"]) == ("acknowledged", "critical-brazil", 1)
    assert [(n["to"], n["channel"], n["round"], n["step"]) for n in page["notifications"]] == [
        ("Carla Mendes", "sms", 1, 1), ("Carla Mendes", "voice", 1, 1)]
    assert [e["kind"] for e in page["events"]] == ["opened", "step", "acknowledged"]
