"""The status page's share of the engine's pass: each task takes the services and says how much it did."""

from __future__ import annotations

from collections.abc import Callable

from router.paging.services import Services
from router.status import external, messages, reminders, schedule

# (what the pass reports, the task): each status module that needs the engine adds its task here.
TASKS: tuple[tuple[str, Callable[[Services], int]], ...] = (
    ("maintenances moved", schedule.advance_maintenance), ("incident owners reminded", reminders.remind_owners),
    ("external status pages read", external.refresh_external),
    ("status messages queued", messages.queue_updates), ("status messages handed to a sender", messages.hand_to_sender),
)


def status_pass(services: Services) -> dict[str, int]:
    """Run every status task once; returns the counts for the engine's summary line."""
    return {label: task(services) for label, task in TASKS}
