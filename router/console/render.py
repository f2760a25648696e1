"""What every console template may use: times in a zone, the navigation the user's role may see."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user

from router.runtime import runtime

# (label, endpoint): shown to a role the endpoint's `allow` admits, once the endpoint exists.
NAVIGATION = (
    ("Calls", "console.calls"),
    ("Cases", "console.cases"),
    ("Pages", "console.pages"),
    ("On call", "console.oncall"),
    ("Reports", "console.reports"),
    ("Status", "console.status"),
    ("Subscribers", "console.subscribers"),
)


def local_time(at: dt.datetime | None, zone: str | None = None, form: str = "%a %d %b %Y %H:%M") -> str:
    """An instant as the people of a line read it: in the line's zone (UTC when none is known)."""
    if at is None:
        return ""
    shown = at.astimezone(ZoneInfo(zone)) if zone else at.astimezone(dt.timezone.utc)
    return f"{shown.strftime(form)} {shown.tzname()}"


def line_zone(number: str | None) -> str | None:
    """The time zone of the line with this number, if it is one."""
    line = runtime().support.line(number) if number else None
    return line.timezone.key if line else None


def duration(seconds: int | float | None) -> str:
    """Seconds as people read a length: 42 s, 3 min 05 s, 2 h 10 min."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def navigation() -> list[tuple[str, str]]:
    """The console's sections this user may open."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [(label, endpoint) for label, endpoint in NAVIGATION
            if endpoint in views and current_user.role in getattr(views[endpoint], "allowed_roles", ())]


def install(app: Flask) -> None:
    app.add_template_filter(local_time, "local")
    app.add_template_filter(duration, "duration")
    app.add_template_global(line_zone)
    app.add_template_global(navigation)
