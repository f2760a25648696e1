"""Critical calls the database could not take, kept on disk until it can.

When a step on the critical path fails (the database is down, say), the
caller is dialled straight through to the on-call engineer and the request is
written here. The paging worker replays the spool: the call, its critical case
and its page are recorded as soon as the database answers again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from callflows.decision import AttachRecording, OpenCase
from router.calllog import find_call, log_call, log_event
from router.cases import apply_effects, open_case
from router.config import SupportConfig
from router.facts import caller_input, phone_number
from router.paging.pages import open_or_join
from router.paging.services import Services

log = logging.getLogger(__name__)


def save(folder: Path, step: str, form: dict[str, str], at: dt.datetime) -> Path:
    """Write one failed critical request to the spool, atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
    temporary = folder / f".{name}.tmp"
    temporary.write_text(json.dumps({"step": step, "form": form, "at": at.isoformat()}), encoding="utf-8")
    os.replace(temporary, folder / name)
    return folder / name


def replay(services: Services) -> list[int]:
    """Record every spooled critical call; returns the ids of the pages opened. Files go once recorded."""
    pages = []
    folder = services.spool_dir
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        entry = json.loads(path.read_text(encoding="utf-8"))
        with services.sessions() as session, session.begin():
            page_id = _record(session, services.support, entry)
        path.unlink()
        if page_id is not None:
            pages.append(page_id)
    return pages


def _record(session: Session, support: SupportConfig, entry: dict) -> int | None:
    form, at = entry["form"], dt.datetime.fromisoformat(entry["at"])
    line = support.line(phone_number(form.get("To")))
    sid = form.get("CallSid") or f"spooled-{uuid.uuid4().hex}"
    if line is None:
        return None
    caller = phone_number(form.get("From"))
    customer = support.customer_by_phone(caller)
    call = find_call(session, sid) or log_call(
        session, sid, at, direction="inbound", line_number=line.number, from_number=caller,
        to_number=line.number, customer_id=customer.id if customer else None, decision="closed: recorded late")
    case, _ = open_case(session, call, OpenCase("critical", page=True), support, at)
    said = caller_input(form)
    if said.recording_url:
        apply_effects(session, call, (AttachRecording(said.recording_url, said.recording_seconds),), at)
    page = open_or_join(session, case, support, at)
    log_event(session, call, at, entry["step"], form.get("Digits"),
              "recorded from the spool: the database was down; the caller was dialled to the on-call engineer",
              f"spool:{sid}:{entry['step']}:{entry['at']}", "")
    return page.id
