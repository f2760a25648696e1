"""A deadline for work that may wait on a database which accepts connections but never answers.

A frozen server (stopped, swapped out, a network that drops replies) keeps a
connection's socket open: no driver timeout fires, and the request would
wait past Twilio's 15 s. The work runs in a thread of its own; past the
deadline the caller is answered without it, and the thread finishes (or
fails) whenever the database lets it.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

from router import logs

T = TypeVar("T")


class DeadlinePassed(TimeoutError):
    """The work did not finish in time; it goes on in its thread, abandoned."""


def within(seconds: float | None, work: Callable[[], T]) -> T:
    """`work()`'s result, or what it raised; DeadlinePassed if it takes longer than `seconds`.

    With no deadline (`None`: a SQLite file, which cannot freeze as a server can; its lock waits are
    bounded, router/db.py) the work runs here, without a thread.
    """
    if seconds is None:
        return work()
    finished: queue.SimpleQueue[tuple[bool, object]] = queue.SimpleQueue()

    def run() -> None:
        try:
            finished.put((True, work()))
        except BaseException as exc:  # handed to the caller, who decides
            finished.put((False, exc))

    # A fresh context (Flask pushes the request's own, with its own `g`), naming what the request's log lines name.
    context = contextvars.Context()
    context.run(logs.carry, logs.carried())
    threading.Thread(target=context.run, args=(run,), name="within-deadline", daemon=True).start()
    try:
        ok, value = finished.get(timeout=seconds)
    except queue.Empty:
        raise DeadlinePassed(f"no answer within {seconds:g} s") from None
    if ok:
        return value  # type: ignore[return-value]
    raise value  # type: ignore[misc]
