"""Who is on call, for the command line, the API, the console and calendar feeds.

Each function takes the overrides in force (`router.overrides.effective_overrides`, the configuration's
and the console's) as data, by rotation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence

from router.config import SupportConfig
from schedules import Override, Shift, calendar_feed, effective_shifts, on_call_now

FEED_PAST = dt.timedelta(days=14)
FEED_AHEAD = dt.timedelta(days=90)
Overrides = Mapping[str, Sequence[Override]]


def overrides_since(support: SupportConfig, at: dt.datetime) -> dt.datetime:
    """The oldest end of an override that can still shape what these functions say about `at`: a feed's
    past, and a whole shift back ("on call since", when an override ended inside today's shift)."""
    longest = max((r.shift_days for r in support.rotations_by_id.values()), default=1)
    return at - FEED_PAST - dt.timedelta(days=longest)


def on_call_report(support: SupportConfig, overrides: Overrides, at: dt.datetime) -> list[dict]:
    """Every rotation: who is on call at `at`, until when, and who comes next (overrides applied)."""
    return [rotation_on_call(support, overrides, rotation_id, at) for rotation_id in support.rotations_by_id]


def rotation_on_call(support: SupportConfig, overrides: Overrides, rotation_id: str, at: dt.datetime) -> dict:
    """One rotation: who is on call at `at`, since and until when, and who comes next."""
    rotation = support.rotation(rotation_id)
    applied = overrides.get(rotation_id, ())
    now = on_call_now(rotation, applied, at)
    after = on_call_now(rotation, applied, now.ends) if now else None
    return {
        "rotation": rotation_id,
        "timezone": rotation.timezone.key,
        "on_call": _person(support, now.person) if now else None,
        "since": now.starts.isoformat() if now else None,
        "until": now.ends.isoformat() if now else None,
        "next": _person(support, after.person) if after else None,
    }


def _person(support: SupportConfig, person_id: str) -> dict:
    person = support.person(person_id)
    return {"id": person.id, "name": person.name, "phone": person.phone}


def feed_token(secret: str, kind: str, name: str) -> str:
    """The secret a calendar feed's URL carries (calendar clients cannot send headers)."""
    return hmac.new(secret.encode(), f"{kind}:{name}".encode(), hashlib.sha256).hexdigest()[:32]


def rotation_feed(support: SupportConfig, overrides: Overrides, rotation_id: str, now: dt.datetime) -> bytes:
    """The rotation's shifts, overrides applied, from two weeks ago to three months ahead."""
    return calendar_feed(rotation_id, {rotation_id: _feed_shifts(support, overrides, rotation_id, now)},
                         _names(support), now=now)


def person_feed(support: SupportConfig, overrides: Overrides, person_id: str, now: dt.datetime) -> bytes:
    """One person's shifts across every rotation, each event naming its rotation."""
    shifts = {rotation_id: [piece for piece in _feed_shifts(support, overrides, rotation_id, now)
                            if piece.person == person_id]
              for rotation_id in support.rotations_by_id}
    name = f"{support.person(person_id).name}'s shifts"
    return calendar_feed(name, shifts, _names(support), now=now)


def _feed_shifts(support: SupportConfig, overrides: Overrides, rotation_id: str, now: dt.datetime) -> list[Shift]:
    """A rotation's shifts, overrides applied, over the span a feed covers."""
    rotation = support.rotation(rotation_id)
    return effective_shifts(rotation, overrides.get(rotation_id, ()), now - FEED_PAST, now + FEED_AHEAD)


def _names(support: SupportConfig) -> dict[str, str]:
    return {p.id: p.name for p in support.people}
