"""Background work (callbacks, calls being played) in daemon threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class Workers:
    """Runs jobs in daemon threads that ``wait`` can join within a bound.

    ``stopping`` is set when the fake shuts down; jobs that wait (a phone's
    delay) wait on it so that shutting down is never held up by them.
    """

    def __init__(self, on_error: Callable[[str], None]) -> None:
        self.stopping = threading.Event()
        self._on_error = on_error
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def spawn(self, job: Callable[..., Any], *args: Any) -> None:
        """Start ``job(*args)`` in a new daemon thread."""
        thread = threading.Thread(
            target=self._run, args=(job, args), daemon=True, name=f"fake-twilio-{job.__name__}"
        )
        # Started under the lock, so that `wait` never sees (and joins) a thread not yet started.
        with self._lock:
            self._threads.add(thread)
            thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait for all jobs to finish; False if some were still running at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._threads)
            remaining = deadline - time.monotonic()
            if not pending or remaining <= 0:
                return not pending
            pending[0].join(remaining)

    def _run(self, job: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            job(*args)
        except Exception as error:  # noqa: BLE001 - a job's failure belongs in the fake's log,
            # not in a thread traceback that nobody reads (or that fails a test run).
            self._on_error(f"{job.__name__} failed: {error!r}")
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())
