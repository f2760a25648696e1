"""Metrics in Prometheus' format at `/metrics`, one view over every process of a host.

Under `router serve` the gunicorn workers and the paging engine are separate
processes: each writes its figures to files in `PROMETHEUS_MULTIPROC_DIR`,
which `router serve` sets to a fresh folder before any figure exists, and
`/metrics` adds them up (prometheus_client's multiprocess mode). Without that
variable (a test, one process) the figures live in this process. The figures
are made on first use, not at import, so that the variable is seen.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import SimpleNamespace

from flask import Blueprint, Response

from callflows.inbound import STEPS

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
KNOWN_STEPS = frozenset(STEPS) | {"incoming"}

bp = Blueprint("metrics", __name__)


_creating = threading.Lock()


def _figures() -> SimpleNamespace:
    with _creating:  # a request's threads arrive together: the figures are registered once
        return _create()


@cache
def _create() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram, values

    values.ValueClass = values.get_value_class()  # multiprocess if the folder was set after the import
    return SimpleNamespace(
        calls=Counter("router_calls_total", "Calls answered, by line and what its hours decided.",
                      ["line", "decision"]),
        steps=Counter("router_call_steps_total", "Call steps answered, by step and what the caller was given.",
                      ["step", "outcome"]),
        request_seconds=Histogram("router_request_seconds", "Time to answer a request, by route.", ["route"],
                                  buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 15)),
        pages_opened=Counter("router_pages_opened_total", "Pages opened, by escalation policy.", ["policy"]),
        notifications=Counter("router_notifications_total", "Notifications sent or reported on, by channel and "
                              "status.", ["channel", "status"]),
        acknowledged_seconds=Histogram("router_time_to_acknowledge_seconds", "From a page's opening to its "
                                       "acknowledgement.", buckets=(30, 60, 120, 300, 600, 900, 1800, 3600, 7200)),
        pass_seconds=Histogram("router_engine_pass_seconds", "How long a pass of the paging engine took.",
                               buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)),
        engine_lag=Gauge("router_engine_lag_seconds", "How late the most overdue notification or escalation is.",
                         multiprocess_mode="livemostrecent"),
        spool_depth=Gauge("router_spool_depth", "Requests waiting in the spool for the database.",
                          multiprocess_mode="livemostrecent"),
    )


def answered(step: str, line: str | None, decision: str, action: object, without_database: bool = False) -> None:
    """Count one call step answered; the first step counts the call, by what the line's hours decided."""
    figures = _figures()
    if step == "incoming":  # "closed: holiday Christmas Day" counts as "closed: holiday": few labels
        kind = "closed: holiday" if decision.startswith("closed: holiday") else decision
        figures.calls.labels(line or "unknown", kind).inc()
    outcome = type(action).__name__.lower() if action is not None else "say"
    figures.steps.labels(step if step in KNOWN_STEPS else "unknown",
                         f"{outcome} without database" if without_database else outcome).inc()


def request_took(route: str, seconds: float) -> None:
    _figures().request_seconds.labels(route).observe(seconds)


def page_opened(policy: str | None) -> None:
    _figures().pages_opened.labels(policy or "none").inc()


def acknowledged(seconds: float) -> None:
    _figures().acknowledged_seconds.observe(max(0.0, seconds))


def notification(channel: str, status: str) -> None:
    _figures().notifications.labels(channel, status).inc()


@contextmanager
def engine_pass() -> Iterator[None]:
    with _figures().pass_seconds.time():
        yield


def engine_state(lag_seconds: float, spooled: int) -> None:
    figures = _figures()
    figures.engine_lag.set(lag_seconds)
    figures.spool_depth.set(spooled)


def process_gone(pid: int) -> None:
    """A process of this host stopped: its live gauges no longer count."""
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


@bp.get("/metrics")
def metrics() -> Response:
    """Every figure of this host's processes; no token and no personal data, like `/health`."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

    _figures()
    registry = REGISTRY
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
