"""The console's on-call page: overrides made and removed there change who is paged, the page and the feeds."""

from __future__ import annotations

import icalendar
import pytest
from sqlalchemy import select

from router import db
from router.config import load_config
from router.models import Notification, OverrideRecord
from router.oncall import feed_token
from router.overrides import config_key
from tests.conftest import EXAMPLE_CONFIG
from tests.web.console import add_accounts, csrf_token
from tests.web.console import logged_in as _client
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, count, sao_paulo

DIEGO = "+5511970000004"
CHRISTMAS = "configuration:" + "on-call-brazil/diego/-/2026-12-24T18:00/2026-12-26T09:00"


@pytest.fixture
def console(app):
    add_accounts(app)
    return app


def _post(client, url, **form):
    token = csrf_token(client.get("/oncall").data)
    return client.post(url, data={"csrf_token": token, **form})


def _override(client, **given):
    form = {"rotation": "on-call-brazil", "person": "diego", "replaces": "", "starts": "2026-11-28T02:30",
            "ends": "2026-11-29T09:00", "reason": "swap with Carla", **given}
    return _post(client, "/oncall/overrides", **form)


def _feed(client, kind, name):
    folder = "rotations" if kind == "rotation" else "people"
    body = client.get(f"/calendar/{folder}/{name}.ics?token={feed_token('test', kind, name)}").data
    return {(str(e["SUMMARY"]), e.decoded("DTSTART").isoformat()) for e in
            icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_the_page_says_who_is_on_call_what_each_step_reaches_and_gives_the_feeds(console):
    body = _client(console).get("/oncall").get_data(as_text=True)
    assert "<b>Carla Mendes</b>" in body  # on call in Brazil in the week of 23 November
    assert "reaches Diego Rocha, Gabriel Nunes" in body  # step 2: the secondary and Gabriel
    assert "reaches Marta Alves" in body  # the fallback
    assert f"/calendar/people/carla.ics?token={feed_token('test', 'person', 'carla')}" in body
    assert body.count('class="rotation-calendar"') == 3 and "Mon 30 Nov" in body
    assert "A step reaches nobody" not in body


def test_an_agent_may_not_see_it_and_a_stranger_is_sent_to_the_login(console):
    assert _client(console, "paula").get("/oncall").status_code == 403
    answer = console.test_client().get("/oncall")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_an_override_made_in_the_console_shows_on_the_page_and_in_the_feeds(console, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    client = _client(console)
    answer = _override(client)
    assert answer.status_code == 302
    body = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Override made: Diego Rocha covers on-call-brazil" in body
    assert "<b>Diego Rocha</b>" in body and "console, by carla" in body and "swap with Carla" in body
    assert "Diego Rocha <span class=\"badge warn\">override</span>" in body  # the calendar marks it
    assert ("On call: Diego Rocha (on-call-brazil)", "2026-11-28T05:30:00+00:00") in _feed(client, "rotation",
                                                                                           "on-call-brazil")
    assert ("On call: Diego Rocha (on-call-brazil)", "2026-11-28T05:30:00+00:00") in _feed(client, "person", "diego")


def test_a_page_opened_after_the_override_reaches_its_person(served_app, twilio, clock, fake_twilio):
    add_accounts(served_app)
    clock.at = sao_paulo("2026-11-28 03:00")
    fake_twilio.add_number(DIEGO, answer="human", presses=("1",))
    assert _override(_client(served_app, "marta")).status_code == 302
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(15)

    def first_step():
        with db.sessions(served_app)() as session:
            rows = session.scalars(select(Notification).where(Notification.step == 0)).all()
        return rows if len(rows) == 2 else None

    assert {n.person_id for n in fake_twilio.wait_until(first_step)} == {"diego"}


def test_removing_the_configurations_override_gives_the_shift_back(console, clock):
    clock.at = sao_paulo("2026-12-20 12:00")
    client = _client(console, "marta")
    assert CHRISTMAS in client.get("/oncall").get_data(as_text=True)
    assert ("On call: Diego Rocha (on-call-brazil)", "2026-12-24T21:00:00+00:00") in _feed(client, "rotation",
                                                                                           "on-call-brazil")
    answer = _post(client, "/oncall/overrides/remove", override=CHRISTMAS)
    body = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Override removed: Diego Rocha on on-call-brazil." in body
    assert "removed by marta" in body
    assert ("On call: Diego Rocha (on-call-brazil)", "2026-12-24T21:00:00+00:00") not in _feed(
        client, "rotation", "on-call-brazil")
    again = client.get(_post(client, "/oncall/overrides/remove", override=CHRISTMAS).headers["Location"])
    assert "Nothing was removed: that override was removed already." in again.get_data(as_text=True)
    with db.sessions(console)() as session:
        row = session.scalars(select(OverrideRecord)).one()
    assert (row.config_key, row.removed_by, row.created_by) == (CHRISTMAS.split(":", 1)[1], "marta", "configuration")


def test_removing_a_console_override_ends_it(console, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    client = _client(console)
    _override(client)
    with db.sessions(console)() as session:
        made = session.scalars(select(OverrideRecord)).one()
    client.get(_post(client, "/oncall/overrides/remove", override=f"console:{made.id}").headers["Location"])
    body = client.get("/oncall").get_data(as_text=True)
    assert "<b>Carla Mendes</b>" in body and "No override now or ahead." not in body  # Christmas is still ahead
    assert ("On call: Diego Rocha (on-call-brazil)", "2026-11-28T05:30:00+00:00") not in _feed(
        client, "rotation", "on-call-brazil")
    with db.sessions(console)() as session:
        assert session.get(OverrideRecord, made.id).removed_by == "carla"


@pytest.mark.parametrize(("given", "reason"), [
    ({"rotation": "on-call-mars"}, "rotation: 'on-call-mars' is not one of the configured rotations"),
    ({"person": "zoe"}, "person: 'zoe' is not one of the configured people"),
    ({"replaces": "erin"}, "replaces: Erin Walsh takes no shifts on on-call-brazil"),
    ({"replaces": "diego"}, "replaces: a person cannot cover their own shifts"),
    ({"ends": "2026-11-23T11:00"}, "ends must be after starts"),
    ({"starts": "2026-11-20T09:00", "ends": "2026-11-21T09:00"}, "ends: the override would be over already"),
    ({"starts": "2026-11-23T08:00"}, "starts: more than 60 minutes ago"),
    ({"starts": "next monday"}, "starts: give a date and time"),
    ({"ends": "2028-01-01T00:00"}, "an override lasts at most 366 days"),
])
def test_a_wrong_override_is_refused_with_its_reason(console, given, reason):
    client = _client(console)
    answer = _override(client, **{"starts": "2026-11-23T12:00", "ends": "2026-11-24T09:00", **given})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert reason.replace("'", "&#39;") in body
    assert 'value="swap with Carla"' in body  # what was typed is kept
    assert count(console, OverrideRecord) == 0


@pytest.mark.parametrize("url", ["/oncall/overrides", "/oncall/overrides/remove", "/oncall/test/carla/sms"])
def test_a_form_without_its_csrf_token_is_refused(console, url):
    assert _client(console).post(url, data={"override": CHRISTMAS}).status_code == 400


GAP = """
[[rotations]]
id = "new-team"
timezone = "America/Sao_Paulo"
start = 2026-11-26T09:00:00
shift = "daily"
participants = ["ana"]

[[escalation_policies]]
id = "new-team-critical"
fallback = ["marta"]

[[escalation_policies.steps]]
targets = ["rotation:new-team"]
"""


def test_a_step_that_reaches_nobody_in_the_next_two_weeks_is_warned_of(make_app, fake_twilio, tmp_path):
    path = tmp_path / "gap.toml"
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + GAP, encoding="utf-8")
    app = make_app(twilio_api_base=fake_twilio.url, config=load_config(path))
    add_accounts(app)
    body = _client(app, "marta").get("/oncall").get_data(as_text=True)
    assert "A step reaches nobody in the next 14 days." in body
    assert ("Policy <b>new-team-critical</b>, step 1: nobody from Mon 23 Nov 2026 10:00 -03\n"
            "      to Thu 26 Nov 2026 09:00 -03") in body
    assert "critical-brazil</b>" not in body


def test_the_configuration_key_names_each_override_once(support):
    [christmas] = support.overrides
    assert config_key(christmas) == CHRISTMAS.split(":", 1)[1]


def test_live_connect_rings_the_person_of_a_console_override(make_app, fake_twilio, tmp_path, clock):
    from router.fake_twilio import BackgroundServer, Script
    from router.runtime import runtime

    path = tmp_path / "connect.toml"
    path.write_text(EXAMPLE_CONFIG.read_text().replace('after_hours = "callback"', 'after_hours = "connect"'))
    app = make_app(twilio_api_base=fake_twilio.url, config=load_config(path))
    add_accounts(app)
    clock.at = sao_paulo("2026-11-28 03:00")
    assert _override(_client(app)).status_code == 302
    fake_twilio.add_number(DIEGO, answer="human", presses=("1",))
    with BackgroundServer(app) as server:
        runtime(app).services.public_url = server.url
        fake_twilio.add_number(BRAZIL_LINE, voice_url=f"{server.url}/voice/incoming")
        transcript = fake_twilio.place_inbound_call(ACME_CONTACT, BRAZIL_LINE, Script(presses=["1", "1"]),
                                                    status_callback=f"{server.url}/voice/status")
        runtime(app).dispatcher.shutdown()
        fake_twilio.network.shutdown()
    [dial] = transcript.of_kind("dial")
    assert (dial.numbers, dial.outcome) == ((DIEGO,), "completed")  # not Carla, whose shift it is
