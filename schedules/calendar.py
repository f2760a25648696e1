"""iCalendar feeds of on-call shifts, for engineers to subscribe to in their calendar.

Events carry UTC times, so every client shows the hand-off at the right local
moment whatever its zone database. Each UID is derived from the feed name, the
rotation, the person and the start, so a client re-reading the feed updates an
event (an extended shift, say) instead of adding a duplicate, and a person's
feed keeps two rotations handing off at the same instant apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from icalendar import Calendar, Event

from ._time import require_aware, to_utc
from .rotation import Shift

__all__ = ["DEFAULT_PRODUCT", "calendar_feed", "shift_uid"]

DEFAULT_PRODUCT = "-//support-router//on-call//EN"
UID_DOMAIN = "support-router"


def calendar_feed(
    name: str,
    shifts: Mapping[str, Sequence[Shift]],
    people: Mapping[str, str],
    *,
    product: str = DEFAULT_PRODUCT,
    now: datetime,
) -> bytes:
    """Return an iCalendar (RFC 5545) feed named ``name`` with one event per shift, in order of start.

    ``shifts`` maps rotation names to their shifts: each event names its
    rotation, since one person's feed gathers several. ``people`` maps person
    ids to display names; an id without a name is shown as is. ``now`` stamps
    every event (DTSTAMP).
    """
    require_aware("now", now)
    stamp = to_utc(now)
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    by_start = sorted(((rotation, shift) for rotation, pieces in shifts.items() for shift in pieces),
                      key=lambda entry: (to_utc(entry[1].starts), entry[0]))
    for rotation, shift in by_start:
        person_name = people.get(shift.person, shift.person)
        calendar.add_component(_event(name, rotation, shift, person_name, stamp))
    feed: bytes = calendar.to_ical()
    return feed


def shift_uid(name: str, rotation: str, shift: Shift) -> str:
    """Return the stable UID of ``shift`` of ``rotation`` in the feed ``name``.

    The same for the same rotation, person and start, so re-reading the feed
    updates events; the rotation tells apart two shifts of one person that
    start at the same instant.
    """
    require_aware("shift starts", shift.starts)
    key = "\n".join((name, rotation, shift.person, to_utc(shift.starts).isoformat()))
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def _event(name: str, rotation: str, shift: Shift, person_name: str, stamp: datetime) -> Event:
    """Build the VEVENT for one shift."""
    require_aware("shift ends", shift.ends)
    event = Event()
    event.add("uid", shift_uid(name, rotation, shift))
    event.add("dtstamp", stamp)
    event.add("dtstart", to_utc(shift.starts))
    event.add("dtend", to_utc(shift.ends))
    event.add("summary", f"On call: {person_name} ({rotation})")
    # An on-call shift should not block the engineer's free/busy time.
    event.add("transp", "TRANSPARENT")
    return event
