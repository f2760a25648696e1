"""Who is on call: `router oncall`, GET /api/oncall and the calendar feeds."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from click.testing import CliRunner

from router.cli import cli
from router.config import load_config
from router.oncall import feed_token, person_feed
from tests.conftest import EXAMPLE_CONFIG

TOKEN = "oncall-api-token"


@pytest.fixture
def api_app(make_app, fake_twilio):
    return make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)


# (moment in São Paulo, who is on call for on-call-brazil, until, next)
ON_CALL = [
    ("2026-11-28 03:00", "Carla Mendes", "Mon 2026-11-30 09:00", "Diego Rocha"),   # an ordinary week
    ("2026-12-25 03:00", "Diego Rocha", "Sat 2026-12-26 09:00", "Carla Mendes"),   # the Christmas override
]


@pytest.mark.parametrize(("at", "who", "until", "after"), ON_CALL)
def test_router_oncall_says_who_until_when_and_who_is_next(at, who, until, after, tmp_path):
    no_database = {"DATABASE_URL": f"sqlite:///{tmp_path}/none.sqlite3"}  # the configuration's overrides alone
    result = CliRunner(env=no_database).invoke(cli, ["--config", str(EXAMPLE_CONFIG), "oncall", "--at", at])
    assert result.exit_code == 0, result.output
    assert f"on-call-brazil: {who} (" in result.output
    assert f"until {until} -03, then {after}" in result.output.splitlines()[0]


def test_the_oncall_api_answers_the_same(api_app):
    client = api_app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = client.get("/api/oncall?at=2026-12-25T03:00:00-03:00", headers=headers).get_json()
    brazil = next(r for r in body["rotations"] if r["rotation"] == "on-call-brazil")
    assert (brazil["on_call"]["id"], brazil["until"], brazil["next"]["id"]) == (
        "diego", "2026-12-26T09:00:00-03:00", "carla")
    assert client.get("/api/oncall", headers=headers).get_json()["at"] == "2026-11-23T13:00:00+00:00"  # the clock
    assert client.get("/api/oncall?at=tomorrow", headers=headers).status_code == 400
    assert client.get("/api/oncall").status_code == 401


def test_a_rotation_feed_lists_its_shifts_with_overrides(api_app):
    token = feed_token("test", "rotation", "on-call-brazil")
    answer = api_app.test_client().get(f"/calendar/rotations/on-call-brazil.ics?token={token}")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(answer.data).walk("VEVENT")
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in events}
    assert len(events) >= 14  # two weeks back, three months ahead, weekly
    assert "On call: Diego Rocha (on-call-brazil)" in starts


def test_a_person_feed_has_only_their_shifts(api_app):
    token = feed_token("test", "person", "carla")
    answer = api_app.test_client().get(f"/calendar/people/carla.ics?token={token}")
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(answer.data).walk("VEVENT")}
    assert summaries and all("Carla Mendes" in s for s in summaries)


# Carla and Diego are at a conference the week of 30 November: Gabriel covers both
# rotations, so two of his shifts, one per rotation, start at the same hand-off.
BOTH_COVERED = """
[[overrides]]
rotation = "on-call-brazil"
person = "gabriel"
starts = 2026-11-30T09:00:00
ends = 2026-12-07T09:00:00

[[overrides]]
rotation = "on-call-brazil-secondary"
person = "gabriel"
starts = 2026-11-30T09:00:00
ends = 2026-12-07T09:00:00
"""
NOW = dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def both_covered(tmp_path_factory):
    path = tmp_path_factory.mktemp("both_covered") / "support.toml"
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + BOTH_COVERED, encoding="utf-8")
    return load_config(path)


def _gabriels(support, now) -> bytes:
    """Gabriel's feed, with the configuration's overrides (no console override is made here)."""
    return person_feed(support, support.overrides_by_rotation, "gabriel", now)


def _events(feed: bytes) -> list:
    return icalendar.Calendar.from_ical(feed).walk("VEVENT")


def test_a_person_on_two_rotations_from_the_same_hand_off_gets_one_uid_per_event(both_covered):
    events = _events(_gabriels(both_covered, NOW))
    assert [e.decoded("DTSTART") for e in events] == [dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc)] * 2
    assert len({str(e["UID"]) for e in events}) == 2


def test_a_person_feed_names_the_rotation_of_each_shift(both_covered):
    summaries = [str(e["SUMMARY"]) for e in _events(_gabriels(both_covered, NOW))]
    assert summaries == ["On call: Gabriel Nunes (on-call-brazil)", "On call: Gabriel Nunes (on-call-brazil-secondary)"]


def test_a_person_feed_read_again_later_keeps_its_uids(both_covered):
    def uids(now):
        return [str(e["UID"]) for e in _events(_gabriels(both_covered, now))]
    assert uids(NOW) == uids(NOW + dt.timedelta(days=3))


@pytest.mark.parametrize("path", ["/calendar/people/carla.ics?token=wrong", "/calendar/people/carla.ics",
                                  "/calendar/rotations/nope.ics?token=" + feed_token("test", "rotation", "nope")])
def test_a_feed_without_its_secret_or_unknown_is_not_found(api_app, path):
    assert api_app.test_client().get(path).status_code == 404
