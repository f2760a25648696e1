"""The reader of an external Statuspage: the real payloads parsed, garbage refused, what is kept read back."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from statuspage.announce import choose
from statuspage.reader import ReaderError, dump, load, parse
from tests.conftest import ROOT

PAYLOADS = ROOT.parent / "shared" / "statuspage-v2"


def _page(name: str):
    return parse((PAYLOADS / name).read_bytes())


def test_github_older_shape_an_unresolved_critical_incident_and_two_maintenances():
    page = _page("github-summary.json")
    assert page.name == "GitHub"
    assert page.components == ("API", "Management Portal")
    (incident,) = page.incidents
    assert (incident.name, incident.status, incident.impact) == ("Unplanned Database Outage", "identified", "critical")
    assert incident.update.startswith("Our master database has ham sandwiches flying out of the rack")
    assert incident.components == ()  # the older shape names none
    assert incident.until is None  # Statuspage has no estimated resolution
    assert [(m.name, m.status, m.impact) for m in page.maintenances] == [
        ("Network Maintenance (No Interruption Expected)", "scheduled", "none"),
        ("Web Tier Recycle", "in_progress", "minor")]
    recycle = page.maintenances[1]
    assert recycle.update.startswith("Scheduled maintenance is currently in progress")  # the newer of two
    assert recycle.until == dt.datetime(2014, 5, 14, 22, 30, tzinfo=dt.timezone.utc)
    assert choose(page.happenings, "major").name == "Unplanned Database Outage"


def test_cloudamqp_maintenance_in_progress_on_a_named_component():
    page = _page("cloudamqp-summary-maintenance.json")
    assert page.name == "CloudAMQP"
    assert page.components == ("Shared servers", "Dedicated servers", "Backend", "Metrics")
    assert page.incidents == ()
    (maintenance,) = page.maintenances
    assert maintenance.name.startswith("Upgrade of shared servers")
    assert (maintenance.status, maintenance.impact, maintenance.components) == (
        "in_progress", "maintenance", ("Shared servers",))
    assert maintenance.update == "Scheduled maintenance is currently in progress. We will provide updates as necessary."
    told = choose(page.happenings, "critical")
    assert told.kind == "maintenance" and told.until == dt.datetime(2020, 7, 16, 23, 0, tzinfo=dt.timezone.utc)


def test_twilio_groups_minor_incidents_with_their_newest_update():
    page = _page("twilio-summary-groups.json")
    assert page.name == "Twilio"
    assert len(page.components) == 12 and "PROGRAMMABLE MESSAGING" in page.components
    assert [(i.name, i.status, i.impact) for i in page.incidents] == [
        ("SMS Delivery Delays to Mozambique Movitel", "investigating", "minor"),
        ("SMS Delivery Delays from Subset of Twilio Short Codes to US Sprint", "monitoring", "minor")]
    mozambique, sprint = page.incidents
    assert mozambique.update == "We are continuing to investigate this issue."
    assert sprint.update.startswith("We have started seeing recovery for SMS")
    assert sprint.components == ("SMS", "MMS", "MMS Short Code, North America", "SMS Short Code, North America")
    assert [m.status for m in page.maintenances] == ["scheduled"]
    assert choose(page.happenings, "major") is None  # minor incidents, maintenance not yet begun
    assert choose(page.happenings, "minor").name == "SMS Delivery Delays to Mozambique Movitel"  # updated last


def test_updates_are_chosen_by_their_times_not_their_order():
    body = json.loads((PAYLOADS / "twilio-summary-groups.json").read_text())
    updates = body["incidents"][1]["incident_updates"]
    updates.reverse()  # oldest first
    assert parse(json.dumps(body)).incidents[1].update.startswith("We have started seeing recovery")


def test_unknown_keys_and_missing_optional_ones_are_tolerated():
    body = {"page": {"id": "x", "name": "Tiny", "new_key": {}}, "surprise": [1, 2],
            "incidents": [{"name": "Slow logins", "status": "investigating", "shiny": True}]}
    (incident,) = parse(json.dumps(body)).incidents
    assert (incident.name, incident.impact, incident.update, incident.components) == ("Slow logins", "none", None, ())
    assert parse(json.dumps({"page": {}})).happenings == ()


def test_a_status_statuspage_adds_later_is_read_but_never_told():
    body = {"page": {"name": "P"}, "incidents": [{"name": "Odd", "status": "pondering", "impact": "cosmic"}]}
    page = parse(json.dumps(body))
    assert page.incidents[0].status == "pondering"
    assert choose(page.happenings, "none") is None


@pytest.mark.parametrize("body", [
    b"<!doctype html><html><body>502 Bad Gateway</body></html>",
    (PAYLOADS / "github-summary.json").read_bytes()[:700],  # truncated
    b"", b"null", b"[]", b'"summary"', b'{"status": {"indicator": "none"}}',  # no page
    b'{"page": {}, "incidents": {"name": "x"}}', b'{"page": {}, "incidents": ["x"]}',
    b'{"page": {}, "incidents": [{"status": "investigating"}]}',  # an incident without a name
    b'{"page": {}, "components": [{"id": 1}]}', b"\xff\xfe\x00garbage", b"[" * 100_000,
])
def test_garbage_is_a_reader_error(body):
    with pytest.raises(ReaderError):
        parse(body)


@pytest.mark.parametrize("name", ["github-summary.json", "cloudamqp-summary-maintenance.json",
                                  "twilio-summary-groups.json"])
def test_what_is_kept_reads_back_the_same(name):
    page = _page(name)
    assert load(dump(page)) == page


def test_a_kept_page_that_is_not_one_is_a_reader_error():
    with pytest.raises(ReaderError):
        load('{"name": "x"}')
