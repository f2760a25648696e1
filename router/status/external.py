"""The engine's reads of external Statuspage pages: each line's `status_url`, every poll interval.

The pass only claims what is due (a short transaction) and starts a thread per read, so a URL that is slow
or never answers holds up neither the pass nor a call: calls read the `ExternalStatus` row, never the URL.
A failed read keeps the last good one (announced until it is stale) and says why it failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from typing import cast

import requests
from sqlalchemy import CursorResult, Engine, update
from sqlalchemy.exc import IntegrityError

from router.config import Line
from router.models import ExternalStatus
from router.paging.services import Services
from statuspage import reader

log = logging.getLogger(__name__)

MAX_BYTES = 2_000_000  # a summary.json of hundreds of components is a few hundred kilobytes


class ReadFailed(Exception):
    """The page could not be read whole in time."""


# The reads under way in this process, by database engine and line: a slow one is not started twice.
_reading: weakref.WeakKeyDictionary[Engine, dict[str, threading.Thread]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def refresh_external(services: Services) -> int:
    """Start reading each line's external page that is due; returns how many reads were started."""
    started = 0
    for line in services.support.lines:
        if not line.status_url:
            continue
        with _lock:
            reading = _reading.setdefault(services.engine, {})
            if line.number in reading and reading[line.number].is_alive():
                continue
        if not _claim(services, line, line.status_url):
            continue
        thread = threading.Thread(target=_read, args=(services, line.number, line.status_url), daemon=True,
                                  name=f"status-url-{line.number}")
        with _lock:
            reading[line.number] = thread
        thread.start()
        started += 1
    return started


def wait_for_reads(engine: Engine, timeout: float) -> None:
    """Wait, at most `timeout` seconds, for the reads under way on `engine`'s database to finish."""
    with _lock:
        threads = list(_reading.get(engine, {}).values())
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def _claim(services: Services, line: Line, url: str) -> bool:
    """Mark the line's page as being read now, unless it was read within the poll interval (by any worker)."""
    now = services.clock()
    due = now - dt.timedelta(seconds=services.support.status_page.external_poll_seconds)
    try:
        with services.sessions() as session, session.begin():
            row = session.get(ExternalStatus, line.number)
            if row is None:
                session.add(ExternalStatus(line_number=line.number, url=url, checked_at=now))
                return True
            if row.url != url:  # the configuration names another page: what the old one said is not told
                row.url, row.checked_at, row.read_at, row.summary, row.error = url, now, None, None, None
                return True
            if row.checked_at > due:
                return False
            claimed = cast("CursorResult[tuple[()]]", session.execute(update(ExternalStatus).where(
                ExternalStatus.line_number == line.number, ExternalStatus.checked_at == row.checked_at)
                .values(checked_at=now).execution_options(synchronize_session=False)))
            return bool(claimed.rowcount == 1)  # 0: another worker claimed it since it was read
    except IntegrityError:  # another worker added the line's row first: it reads the page
        return False


def _read(services: Services, number: str, url: str) -> None:
    """Read the page and keep what it says, or why it could not be read."""
    try:
        page = reader.parse(fetch(url, services.support.status_page.external_timeout_seconds))
    except (requests.RequestException, ReadFailed, reader.ReaderError) as error:
        log.warning("the status page %s of line %s could not be read: %s", url, number, error)
        _keep(services, number, url, None, f"{type(error).__name__}: {error}"[:300])
    except Exception:
        log.exception("reading the status page %s of line %s failed", url, number)
    else:
        _keep(services, number, url, reader.dump(page), None)


def fetch(url: str, timeout: float) -> bytes:
    """The body at `url`, whole within `timeout` seconds (`requests`' timeout bounds each wait, not the read)."""
    deadline = time.monotonic() + timeout
    with requests.get(url, timeout=timeout, stream=True, headers={"Accept": "application/json"}) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > MAX_BYTES:
                raise ReadFailed(f"larger than {MAX_BYTES} bytes")
            if time.monotonic() > deadline:
                raise ReadFailed(f"not read whole within {timeout:g} s")
    return bytes(body)


def _keep(services: Services, number: str, url: str, summary: str | None, error: str | None) -> None:
    try:
        with services.sessions() as session, session.begin():
            row = session.get(ExternalStatus, number)
            if row is None or row.url != url:  # the configuration moved on while the page was read
                return
            row.error = error
            if summary is not None:
                row.summary, row.read_at = summary, services.clock()
    except Exception:
        log.exception("what the status page %s of line %s said could not be kept", url, number)
