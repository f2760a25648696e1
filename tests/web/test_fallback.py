"""Twilio's fallback URL, and the static TwiML for when the whole service is down."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from click.testing import CliRunner

from router import spool
from router.cli import cli
from router.models import Call, CallEvent, Case, Page
from router.paging.worker import run_pass
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, STRANGER, TwiML, broken_engine, count, sao_paulo


def _action_path(call) -> str:
    return urlsplit(call.twiml.one("Gather").get("action")).path


def test_the_fallback_url_runs_the_line_without_the_database_and_the_spool_records_it(app, twilio, clock, support):
    clock.at = sao_paulo("2026-11-28 03:00")  # Saturday night
    engineer = support.first_responder(support.line(BRAZIL_LINE), clock.at)
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE)
    call._post("/voice/fallback", ErrorCode="11200", ErrorUrl="http://localhost/voice/incoming")
    call.hears("outside our support hours", "press 1")
    assert _action_path(call) == "/voice/fallback/after_hours_menu"
    call.presses("1").presses("1").hears("connect you to the on-call engineer")
    assert [n.text for n in call.twiml.one("Dial").findall("Number")] == [engineer.phone]
    assert count(app, Call) == 0 and spool.depth(runtime(app).services.spool_dir) == 3

    run_pass(runtime(app).services)
    assert (count(app, Call), count(app, CallEvent), count(app, Case), count(app, Page)) == (1, 3, 1, 1)


def test_a_stranger_on_the_fallback_url_in_business_hours_hears_the_line_s_own_language(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE)
    call._post("/voice/fallback")
    call.hears("Obrigado por ligar")  # Monday 10:00: open, Portuguese, asked for the account


def test_a_call_that_lost_the_database_goes_on_without_waiting_for_it_again(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    app.extensions["db"].configure(bind=broken_engine())
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    assert _action_path(call) == "/voice/fallback/after_hours_menu"


def test_the_static_fallback_twiml_dials_the_line_s_fallback_people(support):
    result = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "fallback-twiml", "--line", BRAZIL_LINE])
    assert result.exit_code == 0, result.output
    document = TwiML(result.output.encode())
    assert document.verbs() == ["Say", "Say", "Dial"]
    assert "critical issue" in document.said() and all(
        say.get("language") == "en-US" for say in document.root.iter("Say"))
    policy = support.policy(support.line(BRAZIL_LINE).escalation_policy)
    assert [n.text for n in document.one("Dial").iter("Number")] == [support.person(p).phone for p in policy.fallback]
    ET.fromstring(result.output)  # one document, nothing else printed


def test_the_static_fallback_twiml_needs_a_line_when_there_are_several():
    result = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "fallback-twiml"])
    assert result.exit_code == 2
    assert "name a line with --line; the lines are: +551130000000 (ACME Suporte Brasil)" in result.output
