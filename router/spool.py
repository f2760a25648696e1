"""Calls the database could not take, kept on disk until it can.

When the database fails a voice webhook (down, frozen, refusing), the caller
is answered from the configuration alone (`callflows.fallback`) and the
request is written here: every step, status callback and transcription. The
paging engine replays the spool on every pass, oldest first: each step runs
again against the database, so the call, its events (with what the caller
really heard), its case and its page are recorded once it answers again.

One entry never stops the others: an entry already recorded (the engine was
killed between its commit and the file's removal) is removed, one that cannot
be recorded at all is moved to `quarantine/` beside a note of why, and while
the database still fails the rest wait for the next pass.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from router import logs
from router.calllog import answered_before, log_event, status_reported, transcribed
from router.callsteps import StepRequest, facts_for, run_step
from router.config import SupportConfig
from router.paging.services import Services

log = logging.getLogger(__name__)
VOICE, STATUS, TRANSCRIPTION = "voice", "status", "transcription"
QUARANTINE = "quarantine"
RACE_SECONDS = 60

Record = Callable[[Session, Mapping[str, str], dt.datetime], object]
CALLBACKS: dict[str, Record] = {STATUS: status_reported, TRANSCRIPTION: transcribed}


def keep(folder: Path, kind: str, entry: dict) -> bool:
    """Write one request to the spool, atomically; False (and a log line) if even the disk refuses."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
        temporary = folder / f".{name}.tmp"
        temporary.write_text(json.dumps({"kind": kind, **entry}), encoding="utf-8")
        os.replace(temporary, folder / name)
    except OSError:
        log.exception("could not keep a %s request in the spool %s", kind, folder)
        return False
    return True


def depth(folder: Path) -> int:
    """How many requests wait in the spool."""
    return sum(1 for _ in folder.glob("*.json")) if folder.is_dir() else 0


def replay(services: Services) -> list[int]:
    """Record what the spool holds, oldest first; returns the ids of the pages opened or joined."""
    pages: list[int] = []
    folder = services.spool_dir
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            with logs.bound(spooled=path.name), services.sessions() as session, session.begin():
                page_id = _record(session, services.support, entry, services.clock())
        except IntegrityError as exc:
            # A late commit of the same request raced this one: the next pass finds it recorded. One that
            # still conflicts a minute on is no race: it is set aside.
            if _age(path) > RACE_SECONDS:
                _quarantine(path, exc)
            continue
        except (OperationalError, InterfaceError, PoolTimeout) as exc:
            log.warning("the spool waits: the database still fails (%s)", type(exc).__name__)
            break
        except Exception as exc:  # this entry's own fault (unreadable, unknown kind, refused data, a bug)
            _quarantine(path, exc)
            continue
        path.unlink(missing_ok=True)
        if page_id is not None:
            pages.append(page_id)
    return pages


def _record(session: Session, support: SupportConfig, entry: Mapping, now: dt.datetime) -> int | None:
    kind = entry.get("kind", VOICE)
    if kind != VOICE:
        at = dt.datetime.fromisoformat(entry["at"])
        CALLBACKS[kind](session, {str(k): str(v) for k, v in entry["form"].items()}, at)
        return None
    step = StepRequest.from_json(entry)
    if answered_before(session, step.key) is not None:
        return None  # recorded already: by a commit that came late, or a pass killed before removing the file
    result = run_step(session, support, step, facts_for(support, step), page_at=max(now, step.at))
    heard = entry.get("note") or "not known"
    log_event(session, result.call, step.at, step.step, step.form.get("Digits"),
              f"recorded late, the database was unavailable; the caller heard: {heard}; "
              f"the line decided: {result.decision.note}", step.key, entry.get("answered") or "")
    return result.page_id


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:  # another engine recorded and removed it meanwhile
        return 0.0


def _quarantine(path: Path, problem: Exception) -> None:
    """Set aside an entry that can never be recorded, with why, for a person to look at."""
    aside = path.parent / QUARANTINE
    try:
        aside.mkdir(exist_ok=True)
        os.replace(path, aside / path.name)
        (aside / f"{path.name}.why").write_text(f"{type(problem).__name__}: {problem}\n", encoding="utf-8")
    except OSError:
        log.exception("could not set spool entry %s aside", path.name)
        return
    log.error("spool entry %s cannot be recorded (%s: %s); moved to %s", path.name, type(problem).__name__,
              problem, aside)
