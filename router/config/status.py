"""The status page's part of the configuration: the page, its component groups and components.

Components are configuration (what the company runs); their status, incidents and maintenance live in
the database. A line names the components it serves (`lines[].components`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from router.config.fields import Id, Section, TimeZone, written_as

# An incident's impact from which callers hear of it first (maintenance in progress is always told).
AnnounceImpact = Literal["none", "minor", "major", "critical"]
Url = Annotated[str, written_as(r"https?://[^/\s]+\S*", "a URL starting http:// or https://")]


class StatusPageConfig(Section):
    name: str = Field(default="Status", min_length=1)
    time_zone: TimeZone | None = None  # the page's zone (Statuspage's page.time_zone); default: the first line's
    # An incident of major or critical impact with no update for this long: its owner is reminded by SMS.
    reminder_minutes: int = Field(default=30, ge=5, le=24 * 60)
    announce_impact: AnnounceImpact = "major"
    # How often the engine reads a line's external status_url, and how long a read may take.
    external_poll_seconds: int = Field(default=60, ge=10, le=3600)
    external_timeout_seconds: float = Field(default=5, gt=0, le=30)


class ComponentGroupConfig(Section):
    id: Id
    name: str = Field(min_length=1)
    description: str | None = None


class ComponentConfig(Section):
    id: Id
    name: str = Field(min_length=1)
    group: Id | None = None  # a component_groups id
    description: str | None = None
    only_show_if_degraded: bool = False
    showcase: bool = True
