"""Sending a page's notifications the moment its change commits, off the caller's request."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from router.paging.sender import send_due
from router.paging.services import Services

log = logging.getLogger(__name__)


class Dispatcher:
    """A small thread pool that sends a page's notifications due now, after the change that made them commits.

    The notifications are rows first, so a crashed process loses nothing: anything still pending is sent by
    the worker, which also sends the later ones.
    """

    def __init__(self, services: Services, threads: int = 8) -> None:
        self._services = services
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dispatch")
        self._waiting: set[int] = set()  # pages queued, not yet begun: asked again, they are not queued twice
        self._lock = threading.Lock()

    def submit(self, page_id: int) -> bool:
        """Send page `page_id`'s notifications due now, in the background (else the worker will); False when
        it was waiting its turn already, or the dispatcher has stopped."""
        with self._lock:
            if page_id in self._waiting:
                return False
            self._waiting.add(page_id)
        try:
            self._pool.submit(self._send, page_id)
        except RuntimeError:  # shutting down: never fail the webhook for it
            log.warning("dispatcher stopped; page %s is left to the worker", page_id)
            with self._lock:
                self._waiting.discard(page_id)
            return False
        return True

    def _send(self, page_id: int) -> None:
        with self._lock:
            self._waiting.discard(page_id)  # from now on a new submit queues it again: it may be due again
        try:
            send_due(self._services, page_id)
        except Exception:
            log.exception("dispatching page %s failed; the worker will retry", page_id)

    def shutdown(self) -> None:
        """Wait for notifications being sent, then stop."""
        self._pool.shutdown(wait=True)
