"""Who is on call, for the command line, the API and calendar feeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from router.config import SupportConfig
from schedules import Shift, calendar_feed, effective_shifts, on_call_now

FEED_PAST = dt.timedelta(days=14)
FEED_AHEAD = dt.timedelta(days=90)


def on_call_report(support: SupportConfig, at: dt.datetime) -> list[dict]:
    """Every rotation: who is on call at `at`, until when, and who comes next (overrides applied)."""
    return [rotation_on_call(support, rotation_id, at) for rotation_id in support.rotations_by_id]


def rotation_on_call(support: SupportConfig, rotation_id: str, at: dt.datetime) -> dict:
    """One rotation: who is on call at `at`, since and until when, and who comes next."""
    rotation = support.rotation(rotation_id)
    overrides = support.overrides_by_rotation[rotation_id]
    now = on_call_now(rotation, overrides, at)
    after = on_call_now(rotation, overrides, now.ends) if now else None
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


def rotation_feed(support: SupportConfig, rotation_id: str, now: dt.datetime) -> bytes:
    """The rotation's shifts, overrides applied, from two weeks ago to three months ahead."""
    return calendar_feed(rotation_id, {rotation_id: _feed_shifts(support, rotation_id, now)},
                         _names(support), now=now)


def person_feed(support: SupportConfig, person_id: str, now: dt.datetime) -> bytes:
    """One person's shifts across every rotation, each event naming its rotation."""
    shifts = {rotation_id: [piece for piece in _feed_shifts(support, rotation_id, now) if piece.person == person_id]
              for rotation_id in support.rotations_by_id}
    name = f"{support.person(person_id).name}'s shifts"
    return calendar_feed(name, shifts, _names(support), now=now)


def _feed_shifts(support: SupportConfig, rotation_id: str, now: dt.datetime) -> list[Shift]:
    """A rotation's shifts, overrides applied, over the span a feed covers."""
    rotation = support.rotation(rotation_id)
    overrides = support.overrides_by_rotation[rotation_id]
    return effective_shifts(rotation, overrides, now - FEED_PAST, now + FEED_AHEAD)


def _names(support: SupportConfig) -> dict[str, str]:
    return {p.id: p.name for p in support.people}
