"""Sending a page's notifications the moment it opens, off the caller's request."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from router import db
from router.paging import send_due

log = logging.getLogger(__name__)


class Dispatcher:
    """A small thread pool that sends a page's notifications due now, after its request commits.

    The notifications are rows first, so a crashed process loses nothing: anything
    still pending is sent by `router worker`, which also sends the later ones.
    """

    def __init__(self, app: Flask, threads: int = 8) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dispatch")

    def submit(self, page_id: int) -> None:
        """Send page `page_id`'s notifications due now, in the background (else the worker will)."""
        try:
            self._pool.submit(self._send, page_id)
        except RuntimeError:  # shutting down: never fail the webhook for it
            log.warning("dispatcher stopped; page %s is left to the worker", page_id)

    def _send(self, page_id: int) -> None:
        with self._app.app_context():
            try:
                ext = self._app.extensions
                send_due(db.sessions(self._app), ext["twilio"], ext["support"], ext["clock"], page_id)
            except Exception:
                log.exception("dispatching page %s failed; the worker will retry", page_id)

    def shutdown(self) -> None:
        """Wait for notifications being sent, then stop."""
        self._pool.shutdown(wait=True)
