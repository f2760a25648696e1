"""Paging defects found in review, each replayed through the webhooks: grouping, races, hand-offs."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from router import db
from router.models import Notification, Page, PageEvent
from router.paging.worker import escalate_due, run_pass
from router.runtime import runtime
from tests.wallclock import ny
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, US_LINE, sao_paulo

CARLA, DIEGO = "+5511970000003", "+5511970000004"


def _pages(app) -> list[Page]:
    with db.sessions(app)() as session:
        return list(session.scalars(select(Page).order_by(Page.id).options(
            selectinload(Page.notifications), selectinload(Page.events), selectinload(Page.cases))))


def _critical(twilio, caller: str = ACME_CONTACT, line: str = BRAZIL_LINE):
    call = twilio.call(caller, line).arrives().presses("1")
    if caller != ACME_CONTACT:
        call.presses("551200").presses("2468")  # Globex, by account number and PIN
    call.presses("1").records(5)


def _run_until(app, clock, start: dt.datetime, minutes: int) -> None:
    """Worker passes every minute from `start`, as `router serve` makes them (nobody answers meanwhile)."""
    for minute in range(minutes + 1):
        clock.at = start + dt.timedelta(minutes=minute)
        run_pass(runtime(app).services)


def test_a_critical_case_a_week_after_an_exhausted_page_pages_whoever_is_on_call_now(app, twilio, clock):
    # Saturday 28 November, Carla's week: the page runs through every step with nobody taking it.
    clock.at = sao_paulo("2026-11-28 03:00")
    _critical(twilio)
    runtime(app).dispatcher.shutdown()
    _run_until(app, clock, sao_paulo("2026-11-28 03:00"), 45)
    [old] = _pages(app)
    assert old.status == "exhausted"
    # Saturday 5 December, Diego's week: a new critical case.
    clock.at = sao_paulo("2026-12-05 03:00")
    _critical(twilio, "+5511955554444")
    _run_until(app, clock, sao_paulo("2026-12-05 03:00"), 0)
    old, new = _pages(app)
    assert [c.number for c in old.cases] == [1001] and [c.number for c in new.cases] == [1002]
    assert [e.kind for e in new.events][:2] == ["opened", "step"] and "→ diego" in new.events[1].detail
    assert {(n.person_id, n.channel) for n in new.notifications if n.status != "pending"} == {("diego", "sms")}


def test_an_exhausted_page_on_the_new_york_line_does_not_hide_frank(app, twilio, clock):
    clock.at = ny("2026-11-28 03:00")  # Saturday, Erin's week
    twilio.call("+16465550199", US_LINE).arrives().presses("1").presses("1").records(5)  # Globex, by caller ID
    runtime(app).dispatcher.shutdown()
    _run_until(app, clock, ny("2026-11-28 03:00"), 15)
    clock.at = ny("2026-12-05 03:00")  # a week later: Frank's
    twilio.call("+16465550199", US_LINE).arrives().presses("1").presses("1").records(5)
    _run_until(app, clock, ny("2026-12-05 03:00"), 0)
    old, new = _pages(app)
    assert old.status == "exhausted" and {n.person_id for n in new.notifications} == {"frank"}


def test_a_case_joins_only_a_page_still_escalating_within_group_minutes(app, twilio, clock):
    start = sao_paulo("2026-11-28 03:00")
    clock.at = start
    _critical(twilio)
    clock.at = start + dt.timedelta(minutes=29)
    _critical(twilio, "+5511955554444")  # within 30 minutes, still escalating: joins
    clock.at = start + dt.timedelta(minutes=31)
    twilio.call("+5511955553333", BRAZIL_LINE).arrives().presses("1").presses("482910").presses("1").records(5)
    first, second = _pages(app)
    assert [c.number for c in first.cases] == [1001, 1002] and [c.number for c in second.cases] == [1003]


def test_a_caller_whose_request_read_the_clock_a_moment_before_the_openers_still_joins(app, twilio, clock):
    # Seen with 99 pages at once: two calls of one policy, the second's clock read first, made two pages.
    clock.at = sao_paulo("2026-11-28 03:00:05")
    _critical(twilio)
    clock.at = sao_paulo("2026-11-28 03:00:04")
    _critical(twilio, "+5511955554444")
    [page] = _pages(app)
    assert [c.number for c in page.cases] == [1001, 1002]


def _page_at_step_1_timed_out(app, twilio, clock) -> dt.datetime:
    clock.at = sao_paulo("2026-11-28 03:00")
    _critical(twilio)
    runtime(app).dispatcher.shutdown()
    clock.at = sao_paulo("2026-11-28 03:05")  # step 1 (Carla) has timed out
    return clock.at


def _esc_from_carla(twilio, n: int = 1) -> str:
    return twilio.post("/sms/incoming", MessageSid=f"SM{n:032d}", From=CARLA, To=BRAZIL_LINE,
                       Body="ESC 1001").get_data(as_text=True)


def test_an_esc_arriving_after_the_step_timed_out_does_not_move_the_page_twice(app, twilio, clock):
    _page_at_step_1_timed_out(app, twilio, clock)
    escalate_due(runtime(app).services)  # the worker was first: step 2
    reply = _esc_from_carla(twilio)      # Carla's ESC, about step 1, comes a moment later
    assert "Case 1001 has already gone to the next engineer." in reply
    [page] = _pages(app)
    assert (page.round, page.step) == (0, 1) and [e.kind for e in page.events].count("escalated") == 1


@pytest.mark.parametrize("attempt", range(5))
def test_esc_racing_a_timed_out_step_enters_the_next_step_once(app, twilio, clock, attempt):
    _page_at_step_1_timed_out(app, twilio, clock)
    start = threading.Barrier(2)
    replies: list[str] = []
    threads = [threading.Thread(target=lambda: (start.wait(), escalate_due(runtime(app).services))),
               threading.Thread(target=lambda: (start.wait(), replies.append(_esc_from_carla(twilio))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [page] = _pages(app)
    assert (page.round, page.step) == (0, 1) and [e.kind for e in page.events].count("escalated") == 1
    assert [(n.person_id, n.channel) for n in page.notifications if (n.round, n.step) == (0, 1)] == [
        ("diego", "sms"), ("diego", "voice"), ("gabriel", "sms"), ("gabriel", "voice")]


def _slow_step_entry(monkeypatch) -> None:
    """The worker's step entry takes a moment (looking up who is on call), so a reply lands in the middle."""
    from router.paging import pages

    resolve = pages.resolve

    def slow(*args, **kwargs):
        if threading.current_thread().name == "worker":
            time.sleep(0.3)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(pages, "resolve", slow)


def test_an_ack_racing_a_workers_step_entry_leaves_nothing_to_send(app, twilio, clock, fake_twilio, monkeypatch):
    _page_at_step_1_timed_out(app, twilio, clock)
    _slow_step_entry(monkeypatch)
    before = len(fake_twilio.log())
    start = threading.Barrier(2)
    ack = lambda: twilio.post("/sms/incoming", MessageSid="SM" + "7" * 32, From=CARLA,  # noqa: E731
                              To=BRAZIL_LINE, Body="ACK 1001")
    threads = [threading.Thread(target=lambda: (start.wait(), escalate_due(runtime(app).services)), name="worker"),
               threading.Thread(target=lambda: (start.wait(), time.sleep(0.1), ack()))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run_pass(runtime(app).services)  # whatever the worker would send next: nothing, the page is taken
    [page] = _pages(app)
    assert page.status == "acknowledged" and [n for n in page.notifications if n.status == "pending"] == []
    assert [r["kind"] for r in fake_twilio.log()[before:] if r["kind"] in ("message", "call")] == []


def test_a_page_crossing_a_hand_off_reaches_the_new_shift_in_its_next_round(app, twilio, clock):
    # Monday 7 December 08:50: Diego's week ends at 09:00, when Carla's begins.
    start = sao_paulo("2026-12-07 08:50")
    clock.at = start
    _critical(twilio)
    runtime(app).dispatcher.shutdown()
    _run_until(app, clock, start, 16)  # steps of 5 and 10 minutes: round 2 begins at 09:05
    [page] = _pages(app)
    first_step = {(n.round, n.person_id) for n in page.notifications if n.step == 0}
    assert first_step == {(0, "diego"), (1, "carla")}


def test_every_page_change_is_a_page_event_in_order(app, twilio, clock):
    _page_at_step_1_timed_out(app, twilio, clock)
    escalate_due(runtime(app).services)
    with db.sessions(app)() as session:
        kinds = list(session.scalars(select(PageEvent.kind).order_by(PageEvent.id)))
        pending = session.scalars(select(Notification).where(Notification.status == "pending")).all()
    assert kinds == ["opened", "step", "escalated", "step"]
    assert {n.person_id for n in pending} == {"diego", "gabriel"}
