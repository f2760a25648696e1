"""iCalendar feeds of on-call shifts, read back with the icalendar parser."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from schedules import Shift, calendar_feed
from tests.wallclock import ny, sp, utc

PEOPLE = {"ana": "Ana Souza", "bruno": "Bruno Lima"}
WEEKS = [
    Shift("ana", sp("2026-11-09 09:00"), sp("2026-11-16 09:00")),
    Shift("bruno", sp("2026-11-16 09:00"), sp("2026-11-18 18:00")),
]
SHIFTS = {"tier 2": WEEKS}  # one rotation's feed, named after the rotation
NOW = sp("2026-11-10 08:00")


def read(feed: bytes) -> Calendar:
    """Parse a feed back."""
    return Calendar.from_ical(feed)


def events(feed: bytes) -> list:
    """The feed's events, in order."""
    return list(read(feed).walk("VEVENT"))


def test_the_feed_is_named_and_identifies_its_product():
    calendar = read(calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW))
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["PRODID"]), str(calendar["VERSION"])) == (
        "tier 2", "-//support-router//on-call//EN", "2.0")


def test_the_product_can_be_changed():
    calendar = read(calendar_feed("tier 2", SHIFTS, PEOPLE, product="-//acme//pager//EN", now=NOW))
    assert str(calendar["PRODID"]) == "-//acme//pager//EN"


# (event index, expected summary, start and end as UTC instants)
EVENTS = [
    # 09:00 São Paulo is 12:00 UTC
    (0, "On call: Ana Souza (tier 2)", utc("2026-11-09 12:00"), utc("2026-11-16 12:00")),
    (1, "On call: Bruno Lima (tier 2)", utc("2026-11-16 12:00"), utc("2026-11-18 21:00")),  # ends 18:00 São Paulo
]


@pytest.mark.parametrize(("index", "summary", "starts", "ends"), EVENTS)
def test_each_shift_reads_back_as_an_event_in_utc(index, summary, starts, ends):
    event = events(calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW))[index]
    assert (str(event["SUMMARY"]), event.decoded("DTSTART"), event.decoded("DTEND")) == (summary, starts, ends)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTSTAMP") == utc("2026-11-10 11:00")  # now, in UTC


def test_times_are_written_in_utc_form_without_a_time_zone_block():
    feed = calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW)
    assert b"DTSTART:20261109T120000Z" in feed
    assert b"DTEND:20261118T210000Z" in feed
    assert b"VTIMEZONE" not in feed


def test_one_event_per_shift():
    assert len(events(calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW))) == 2
    assert events(calendar_feed("tier 2", {"tier 2": []}, PEOPLE, now=NOW)) == []


def test_uids_are_stable_across_feeds_generated_at_different_times():
    first = [str(e["UID"]) for e in events(calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW))]
    later = [str(e["UID"]) for e in events(calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW + timedelta(days=3)))]
    assert first == later
    assert len(set(first)) == 2


def test_a_shift_extended_later_keeps_its_uid_so_clients_update_it():
    extended = {"tier 2": [WEEKS[0], Shift("bruno", sp("2026-11-16 09:00"), sp("2026-11-23 09:00"))]}
    before = events(calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW))[1]
    after = events(calendar_feed("tier 2", extended, PEOPLE, now=NOW))[1]
    assert str(before["UID"]) == str(after["UID"])
    assert after.decoded("DTEND") == utc("2026-11-23 12:00")


# (feed name, rotation and shift changed from ana's week of tier 2 in the tier 2 feed)
UID_CHANGES = [
    ("tier 2", "tier 2", Shift("carla", sp("2026-11-09 09:00"), sp("2026-11-16 09:00"))),  # another person
    ("tier 2", "tier 2", Shift("ana", sp("2026-11-30 09:00"), sp("2026-12-07 09:00"))),  # another start
    ("nights", "tier 2", WEEKS[0]),  # another feed
    ("tier 2", "tier 3", WEEKS[0]),  # another rotation
]


@pytest.mark.parametrize(("name", "rotation", "shift"), UID_CHANGES)
def test_uids_differ_by_feed_rotation_person_and_start(name, rotation, shift):
    original = str(events(calendar_feed("tier 2", {"tier 2": WEEKS[:1]}, PEOPLE, now=NOW))[0]["UID"])
    changed = str(events(calendar_feed(name, {rotation: [shift]}, PEOPLE, now=NOW))[0]["UID"])
    assert changed != original


def test_the_same_start_given_in_another_zone_keeps_the_uid():
    in_utc = Shift("ana", utc("2026-11-09 12:00"), utc("2026-11-16 12:00"))
    uids = {str(events(calendar_feed("tier 2", {"tier 2": [s]}, PEOPLE, now=NOW))[0]["UID"])
            for s in (WEEKS[0], in_utc)}
    assert len(uids) == 1


def test_a_person_without_a_name_is_shown_by_id():
    dora = Shift("dora", sp("2026-11-23 09:00"), sp("2026-11-30 09:00"))
    event = events(calendar_feed("tier 2", {"tier 2": [dora]}, PEOPLE, now=NOW))[0]
    assert str(event["SUMMARY"]) == "On call: dora (tier 2)"


def test_a_new_york_shift_across_the_spring_change_is_written_in_utc():
    shift = Shift("ana", ny("2026-03-02 09:00"), ny("2026-03-09 09:00"))
    event = events(calendar_feed("us", {"us": [shift]}, PEOPLE, now=NOW))[0]
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (utc("2026-03-02 14:00"), utc("2026-03-09 13:00"))


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_feed("tier 2", SHIFTS, PEOPLE, now=NOW.replace(tzinfo=None))


# Carla's feed: two rotations hand off at the same instant, with Carla primary in one.
CARLA = {
    "primary": [Shift("carla", sp("2026-11-16 09:00"), sp("2026-11-23 09:00"))],
    "secondary": [Shift("carla", sp("2026-11-09 09:00"), sp("2026-11-16 09:00")),
                  Shift("carla", sp("2026-11-16 09:00"), sp("2026-11-23 09:00"))],
}


def test_a_persons_shifts_in_two_rotations_starting_together_keep_apart_uids():
    uids = [str(e["UID"]) for e in events(calendar_feed("Carla's shifts", CARLA, {}, now=NOW))]
    assert len(uids) == 3 and len(set(uids)) == 3


def test_a_persons_feed_names_each_events_rotation_in_order_of_start():
    summaries = [str(e["SUMMARY"]) for e in events(calendar_feed("Carla's shifts", CARLA, {}, now=NOW))]
    assert summaries == ["On call: carla (secondary)", "On call: carla (primary)", "On call: carla (secondary)"]


def test_a_persons_feed_keeps_its_uids_when_read_again_later():
    first = [str(e["UID"]) for e in events(calendar_feed("Carla's shifts", CARLA, {}, now=NOW))]
    later = [str(e["UID"]) for e in events(calendar_feed("Carla's shifts", CARLA, {}, now=NOW + timedelta(days=3)))]
    assert first == later
