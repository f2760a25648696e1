"""A component's uptime over the last 90 days, day by day, from its status history.

Partial and major outages count as downtime; degraded performance and maintenance do not (Statuspage's
uptime bars agree). Days are the page's local days; today counts up to now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from statuspage.summary import SEVERITY
from statuspage.vocabulary import ComponentStatus

DAYS = 90
UTC = dt.timezone.utc


@dataclass(frozen=True)
class Day:
    date: dt.date
    counted: float  # seconds of the day the bar covers: the whole day, today up to now
    down: float     # seconds of it in partial or major outage
    worst: ComponentStatus  # the worst status the component was in during the day

    @property
    def percent(self) -> float:
        return uptime_percent(self.counted, self.down)


@dataclass(frozen=True)
class Uptime:
    days: tuple[Day, ...]  # oldest first

    @property
    def down(self) -> float:
        return sum(d.down for d in self.days)

    @property
    def percent(self) -> float:
        return uptime_percent(sum(d.counted for d in self.days), self.down)


def uptime_percent(counted: float, down: float) -> float:
    """Uptime as the page shows it, to two decimals (a whole day counted with nothing down: 100.0)."""
    return round(100 * (1 - down / counted), 2) if counted > 0 else 100.0


def window_start(now: dt.datetime, zone: ZoneInfo, days: int = DAYS) -> dt.datetime:
    """The first instant the bars cover: local midnight `days - 1` days before today."""
    today = now.astimezone(zone).date()
    return _midnight(today - dt.timedelta(days=days - 1), zone)


def uptime(initial: ComponentStatus, changes: Sequence[tuple[dt.datetime, ComponentStatus]],
           now: dt.datetime, zone: ZoneInfo, days: int = DAYS) -> Uptime:
    """The bars of the `days` local days up to today. `initial` is the status in force when the window
    starts; `changes` are (instant, status entered), those outside the window ignored."""
    start = window_start(now, zone, days).astimezone(UTC)
    end = now.astimezone(UTC)
    spans = _spans(initial, changes, start, end)
    first = start.astimezone(zone).date()
    bars = []
    for n in range(days):
        date = first + dt.timedelta(days=n)
        day_start = _midnight(date, zone).astimezone(UTC)
        day_end = min(_midnight(date + dt.timedelta(days=1), zone).astimezone(UTC), end)
        bars.append(_day(date, day_start, day_end, spans))
    return Uptime(tuple(bars))


def _midnight(date: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(0), tzinfo=zone)


def _spans(initial: ComponentStatus, changes: Sequence[tuple[dt.datetime, ComponentStatus]],
           start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime, ComponentStatus]]:
    """The window cut into (from, to, status) spans, in time order."""
    spans = []
    since, status = start, initial
    for at, entered in sorted((a.astimezone(UTC), s) for a, s in changes):
        if at <= start:
            status = entered
            continue
        if at >= end:
            break
        spans.append((since, at, status))
        since, status = at, entered
    spans.append((since, end, status))
    return spans


def _day(date: dt.date, start: dt.datetime, end: dt.datetime,
         spans: list[tuple[dt.datetime, dt.datetime, ComponentStatus]]) -> Day:
    down = 0.0
    worst = ComponentStatus.OPERATIONAL
    for since, until, status in spans:
        overlap = (min(until, end) - max(since, start)).total_seconds()
        if overlap <= 0:
            continue
        if status.is_down:
            down += overlap
        if SEVERITY[status] > SEVERITY[worst]:
            worst = status
    return Day(date, max((end - start).total_seconds(), 0.0), down, worst)
