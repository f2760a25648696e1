"""The spool: one bad or leftover entry never stops the engine from recording the others."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select

from router import db, spool
from router.models import Call, CallEvent, Case, Page
from router.paging.worker import run_pass
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, broken_engine, count, sao_paulo


def _critical_call_during_an_outage(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1")
    working = app.extensions["db"].kw["bind"]
    app.extensions["db"].configure(bind=broken_engine())
    call.presses("1").hears("connect you to the on-call engineer")
    app.extensions["db"].configure(bind=working)
    return call


def _folder(app) -> Path:
    return runtime(app).services.spool_dir


def test_an_entry_recorded_by_a_pass_killed_before_removing_it_is_removed_not_recorded_again(app, twilio, clock):
    _critical_call_during_an_outage(app, twilio, clock)
    [entry] = _folder(app).glob("*.json")
    leftover = entry.read_bytes()
    assert len(spool.replay(runtime(app).services)) == 1
    entry.write_bytes(leftover)  # as if the worker died between the commit and the unlink
    for _ in range(2):
        run_pass(runtime(app).services)  # used to fail on every pass until the file was deleted by hand
    assert spool.depth(_folder(app)) == 0
    assert (count(app, Case), count(app, Page), count(app, CallEvent)) == (1, 1, 3)


def test_entries_that_can_never_be_recorded_are_set_aside_and_the_others_recorded(app, twilio, clock):
    _critical_call_during_an_outage(app, twilio, clock)
    folder = _folder(app)
    (folder / "00000000T000000000000-garbage.json").write_text("{not json", encoding="utf-8")
    (folder / "00000000T000000000001-kind.json").write_text(json.dumps({"kind": "teleport", "form": {}}),
                                                           encoding="utf-8")
    (folder / "00000000T000000000002-at.json").write_text(
        json.dumps({"kind": "voice", "step": "incoming", "form": {"CallSid": "CA1"}, "at": "yesterday"}),
        encoding="utf-8")
    run_pass(runtime(app).services)
    assert spool.depth(folder) == 0
    aside = sorted(p.name for p in (folder / spool.QUARANTINE).iterdir())
    assert len(aside) == 6 and sum(name.endswith(".why") for name in aside) == 3
    assert (count(app, Case), count(app, Page)) == (1, 1)  # the good entry, after the bad ones


def test_a_spooled_call_to_a_number_that_is_no_line_is_recorded_as_such(app, twilio, clock):
    _critical_call_during_an_outage(app, twilio, clock)
    [entry] = _folder(app).glob("*.json")
    body = json.loads(entry.read_text(encoding="utf-8"))
    body["form"] |= {"To": "+15550001111", "CallSid": "CA" + "9" * 32}
    body["key"] = "another request"
    shutil.copy(entry, entry.with_name("z" + entry.name))
    entry.with_name("z" + entry.name).write_text(json.dumps(body), encoding="utf-8")
    run_pass(runtime(app).services)
    assert spool.depth(_folder(app)) == 0
    with db.sessions(app)() as session:
        stranger = session.scalars(select(Call).where(Call.sid == "CA" + "9" * 32)).one()
        assert (stranger.line_number, stranger.decision, stranger.case_id) == (None, "unknown line", None)
    assert count(app, Case) == 1


def test_while_the_database_still_fails_the_spool_waits(app, twilio, clock):
    _critical_call_during_an_outage(app, twilio, clock)
    services = runtime(app).services
    working = services.engine
    services.sessions.configure(bind=broken_engine())
    assert spool.replay(services) == []
    assert spool.depth(_folder(app)) == 1 and not (_folder(app) / spool.QUARANTINE).exists()
    services.sessions.configure(bind=working)
    assert len(spool.replay(services)) == 1
