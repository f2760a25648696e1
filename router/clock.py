"""The service's clock, injectable so that a call can be played at another moment."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Now, in UTC: what production uses."""
    return dt.datetime.now(dt.timezone.utc)


def clock_starting_at(start: dt.datetime, speed: float = 1.0) -> Clock:
    """A clock that reads `start` now and then runs forward, `speed` times faster than real time.

    For `router call --at`: a faster clock lets a simulated page escalate in seconds.
    """
    if start.tzinfo is None:
        raise ValueError("the start of a clock must be an aware time")
    origin = time.monotonic()
    return lambda: start.astimezone(dt.timezone.utc) + dt.timedelta(seconds=(time.monotonic() - origin) * speed)
