"""Several workers on one database: every notification sent once, every page escalated once.

PostgreSQL claims rows with FOR UPDATE SKIP LOCKED; SQLite serialises its transactions.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from router import db
from router.models import Notification, PageEvent
from router.paging.worker import escalate_due, run_pass
from router.runtime import runtime
from tests.web.helpers import BRAZIL_LINE, Twilio, sao_paulo


@pytest.fixture
def workers_app(make_app, fake_twilio, clock):
    """The app with the web process's immediate sending off: the workers do it all."""
    app = make_app(twilio_api_base=fake_twilio.url)
    runtime(app).dispatcher.shutdown()
    clock.at = sao_paulo("2026-11-28 03:00")
    return app


# The keys of a critical call from an unknown number, for two customers whose packages may page.
IDENTIFY = [("482910",), ("551200", "2468")]  # ACME Retail; Globex, with its PIN


def _critical_calls(app, count: int, clock) -> None:
    """Critical calls from different phones; the same customer's calls within 30 minutes share a case."""
    twilio = Twilio(app.test_client())
    for i in range(count):
        clock.at = sao_paulo("2026-11-28 03:00") + dt.timedelta(seconds=i)
        call = twilio.call(f"+55119{i:08d}", BRAZIL_LINE).arrives().presses("1")
        for keys in IDENTIFY[i % 2]:
            call.presses(keys)
        call.presses("1").records(5)


def _side_by_side(workers: int, work) -> None:
    _together(*[work] * workers)


def _together(*works) -> None:
    """Each work in a thread of its own, all let go at the same moment."""
    start = threading.Barrier(len(works))

    def run(work) -> None:
        start.wait()
        work()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_workers_never_send_a_notification_twice(workers_app, fake_twilio, clock):
    _critical_calls(workers_app, 12, clock)
    start = clock.at

    def worker() -> None:
        for _ in range(3):
            with workers_app.app_context():
                run_pass(runtime(workers_app).services)

    for minutes in (0, 5, 6, 15, 20, 21, 30):  # every step of the policy, its repeat and the fallback
        clock.at = start + dt.timedelta(minutes=minutes)
        _side_by_side(2, worker)
    with db.sessions(workers_app)() as session:
        notifications = session.scalars(select(Notification)).all()
    assert len(notifications) >= 14 and all(n.status not in ("pending", "sending") for n in notifications)
    sent_ids = [int(r["params"]["StatusCallback"].split("/")[-2 if r["kind"] == "call" else -1])
                for r in fake_twilio.log() if r["kind"] in ("message", "call")]
    assert sorted(sent_ids) == sorted(n.id for n in notifications)  # each one exactly once
    assert Counter(sent_ids).most_common(1)[0][1] == 1


def test_two_workers_escalate_a_timed_out_page_once(workers_app, clock):
    _critical_calls(workers_app, 3, clock)
    clock.at += dt.timedelta(minutes=5)
    escalated: list[int] = []
    _side_by_side(4, lambda: escalated.extend(escalate_due(runtime(workers_app).services)))
    with db.sessions(workers_app)() as session:
        kinds = Counter(e.kind for e in session.scalars(select(PageEvent)))
    # Two customers' cases (the third call joined ACME's case) on one page, escalated once.
    assert len(escalated) == 1 and kinds["escalated"] == 1
    assert kinds["case joined"] == 1


def test_two_critical_cases_opening_pages_at_the_same_moment_share_one_page(make_app, fake_twilio, clock):
    from router.models import Case, Page
    from router.paging.pages import open_or_join

    app = make_app(twilio_api_base=fake_twilio.url)
    sessions, support = db.sessions(app), runtime(app).support
    at = clock()
    with sessions() as session, session.begin():
        for customer in ("acme-retail", "globex"):
            session.add(Case(line_number=BRAZIL_LINE, customer_id=customer, severity="critical", opened_at=at,
                             first_response_due=at))
    first_open, release = threading.Event(), threading.Event()

    def first() -> None:  # opens a page and holds its transaction open for a moment
        with sessions() as session, session.begin():
            open_or_join(session, session.get(Case, 1), support, at)
            first_open.set()
            release.wait(timeout=2)

    def second() -> None:  # arrives meanwhile: must wait, then find the first page
        first_open.wait(timeout=2)
        with sessions() as session, session.begin():
            open_or_join(session, session.get(Case, 2), support, at)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_open.wait(timeout=2)
    threading.Timer(0.3, release.set).start()  # long enough for the second to reach its lock
    for thread in threads:
        thread.join()
    with sessions() as session:
        assert len(session.scalars(select(Page)).all()) == 1
        assert {c.page_id for c in session.scalars(select(Case))} == {1}


@pytest.mark.parametrize("workers", [1, 2])
def test_calls_of_two_pages_opened_at_once_still_keep_the_quiet_interval(workers_app, fake_twilio, clock, workers):
    """Pages of two policies, scheduled together, each saw no call to Carla: the sender spaces them."""
    from router.models import Page
    from router.paging.sender import send_due

    sessions, support = db.sessions(workers_app), runtime(workers_app).support
    now = clock()
    with sessions() as session, session.begin():
        for policy in ("critical-brazil", "another-policy"):
            page = Page(line_number=BRAZIL_LINE, policy_id=policy, status="open", opened_at=now)
            session.add(Notification(page=page, person_id="carla", channel="voice", to_number="+5511970000003",
                                     status="pending", due_at=now, created_at=now, updated_at=now))
    def worker() -> None:
        with workers_app.app_context():
            send_due(runtime(workers_app).services)

    _side_by_side(workers, worker)

    assert len(fake_twilio.calls()) == 1
    with sessions() as session:
        waiting = session.scalars(select(Notification).where(Notification.status == "pending")).one()
    assert waiting.due_at == now + dt.timedelta(minutes=support.paging.quiet_minutes)


def test_a_call_due_within_the_quiet_interval_of_one_already_placed_waits(workers_app, fake_twilio, clock):
    from router.models import Page
    from router.paging.sender import send_due

    sessions, support = db.sessions(workers_app), runtime(workers_app).support
    now = clock()
    placed = now - dt.timedelta(seconds=30)
    with sessions() as session, session.begin():
        for policy, sid in (("critical-brazil", "CA" + "9" * 32), ("another-policy", None)):
            page = Page(line_number=BRAZIL_LINE, policy_id=policy, status="open", opened_at=placed)
            session.add(Notification(page=page, person_id="carla", channel="voice", to_number="+5511970000003",
                                     status="completed" if sid else "pending", twilio_sid=sid,
                                     sent_at=placed if sid else None, due_at=placed if sid else now,
                                     created_at=placed, updated_at=now))
    with workers_app.app_context():
        assert send_due(runtime(workers_app).services) == 0

    assert fake_twilio.calls() == []
    with sessions() as session:
        waiting = session.scalars(select(Notification).where(Notification.status == "pending")).one()
    assert waiting.due_at == placed + dt.timedelta(minutes=support.paging.quiet_minutes)


def test_a_case_joining_while_a_worker_escalates_the_page_never_deadlocks(workers_app, clock):
    """The join locks the page's waiting SMS; the escalation cancels it: each waits for the other, never both."""
    from router.models import Case, Page
    from router.paging.pages import open_or_join

    sessions, support = db.sessions(workers_app), runtime(workers_app).support
    _critical_calls(workers_app, 1, clock)
    errors: list[BaseException] = []
    def join(case_id: int, now: dt.datetime) -> None:
        try:
            with sessions() as session, session.begin():
                open_or_join(session, session.get(Case, case_id), support, now)
        except BaseException as error:  # noqa: BLE001 - collected, asserted below
            errors.append(error)

    def escalate() -> None:
        try:
            escalate_due(runtime(workers_app).services)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    for _ in range(4):
        clock.at += dt.timedelta(minutes=10)  # the page's current step has timed out
        now = clock()
        with sessions() as session, session.begin():
            case = Case(line_number=BRAZIL_LINE, customer_id="globex", severity="critical", opened_at=now,
                        first_response_due=now)
            session.add(case)
            session.flush()
            case_id = case.id
        _together(lambda case_id=case_id, now=now: join(case_id, now), escalate)
    assert errors == []
    with sessions() as session:
        # The last case came 40 minutes after the page opened, past group_minutes (30): a page of its own.
        assert [len(p.cases) for p in session.scalars(select(Page).order_by(Page.id))] == [4, 1]
