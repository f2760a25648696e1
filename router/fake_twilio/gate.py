"""A Twilio that hangs: the REST API holds every request until released, as an API that stopped answering."""

from __future__ import annotations

import threading


class Gate:
    """Open until `hold()`; then each REST request waits (at most `limit` seconds) until `release()`."""

    def __init__(self, limit: float = 60.0) -> None:
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()
        self._limit = limit
        self.held = 0  # requests that have waited at the gate since it was last closed

    def hold(self) -> None:
        with self._lock:
            self.held = 0
            self._open.clear()

    def release(self) -> None:
        self._open.set()

    def pass_through(self) -> None:
        """Wait here while the gate is held (a request Twilio is slow to answer)."""
        if self._open.is_set():
            return
        with self._lock:
            self.held += 1
        self._open.wait(self._limit)
