"""The service's clock, injectable so that a call can be played at another moment.

`ROUTER_CLOCK` runs everything that reads the system clock (the service, the
worker, the simulator, the test suite) as if now were another moment:

    ROUTER_CLOCK=2026-12-07                       today's time of day, on 7 December 2026
    ROUTER_CLOCK="2026-12-07T08:59:30-03:00"      that instant, running forward in real time
    ROUTER_CLOCK="2026-12-05T03:00-03:00 x60"     that instant, running 60 times faster

The first process to read it pins the moment to the real time it read it at
(`... @<unix seconds>`) and writes that back into its environment, so the
processes it starts (`router serve`'s workers, a test's server) share one clock
instead of each starting its own.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from router.config.errors import ConfigError

Clock = Callable[[], dt.datetime]
CLOCK_ENV = "ROUTER_CLOCK"
_SETTING = re.compile(r"^\s*(?P<when>\S+)(?:\s+x(?P<speed>[0-9.]+))?(?:\s+@(?P<anchor>[0-9.]+))?\s*$")


@dataclass(frozen=True)
class ClockSetting:
    """A moment the clock read at a real (unix) time, and how fast it runs from there."""

    start: dt.datetime
    anchor: float
    speed: float = 1.0

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def text(self) -> str:
        """The setting as `ROUTER_CLOCK` holds it, pinned to its anchor."""
        return f"{self.start.isoformat()} x{self.speed:g} @{self.anchor:.6f}"


def parse_clock_setting(text: str, real_now: float) -> ClockSetting:
    """Read a `ROUTER_CLOCK` value; one without an anchor is pinned to `real_now` (unix seconds)."""
    match = _SETTING.match(text)
    problem = (f"environment: {CLOCK_ENV}: {text!r} is not a moment like '2026-12-07', "
               "'2026-12-07T10:00-03:00' or '2026-12-07T10:00-03:00 x60'")
    if not match:
        raise ConfigError(problem)
    anchor = float(match["anchor"]) if match["anchor"] else real_now
    speed = float(match["speed"]) if match["speed"] else 1.0
    if not speed > 0:
        raise ConfigError(f"environment: {CLOCK_ENV}: the speed must be more than 0, not {match['speed']}")
    real = dt.datetime.fromtimestamp(anchor, dt.timezone.utc)
    try:
        if len(match["when"]) == 10:  # a date: the real time of day, on that day
            start = dt.datetime.combine(dt.date.fromisoformat(match["when"]), real.timetz())
        else:
            start = dt.datetime.fromisoformat(match["when"])
    except ValueError:
        raise ConfigError(problem) from None
    if start.tzinfo is None:
        raise ConfigError(f"environment: {CLOCK_ENV}: {match['when']!r} needs an offset, "
                          "e.g. '2026-12-07T10:00-03:00'")
    return ClockSetting(start.astimezone(dt.timezone.utc), anchor, speed)


@lru_cache(maxsize=1)
def _setting_from_env() -> ClockSetting | None:
    text = os.environ.get(CLOCK_ENV, "").strip()
    if not text:
        return None
    setting = parse_clock_setting(text, time.time())
    os.environ[CLOCK_ENV] = setting.text()  # the processes we start read the same clock
    return setting


def check_clock_setting() -> None:
    """Read `ROUTER_CLOCK` now, so that a bad value stops the start instead of a call."""
    _setting_from_env()


def system_clock() -> dt.datetime:
    """Now, in UTC: the real time, or the moment `ROUTER_CLOCK` sets."""
    setting = _setting_from_env()
    return setting.now() if setting else dt.datetime.now(dt.timezone.utc)


def clock_starting_at(start: dt.datetime, speed: float = 1.0) -> Clock:
    """A clock that reads `start` now and then runs forward, `speed` times faster than real time.

    For `router call --at`: a faster clock lets a simulated page escalate in seconds.
    """
    if start.tzinfo is None:
        raise ValueError("the start of a clock must be an aware time")
    origin = time.monotonic()
    return lambda: start.astimezone(dt.timezone.utc) + dt.timedelta(seconds=(time.monotonic() - origin) * speed)
