"""The seeded history (router/seed.py) and the demo that shows it in the console."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from callflows.decision import CallOutcome
from router import db, seed_flow
from router.cli import cli
from router.config import load_config
from router.demo import DEMO_MANAGER, DEMO_PASSWORD, seed_console
from router.models import Call, CallEvent, Case, Incident, Notification, Page
from router.seed import history
from router.seed_store import first_ids, seeded, write_bulk, write_orm
from router.users import find_user
from schedules import first_response_due, resolve, status, step_at
from schedules.escalation import first_position
from tests.conftest import EXAMPLE_CONFIG

# Two weeks around Brazil's Black Awareness Day (20 November, a holiday in São Paulo) and a US Thanksgiving.
END = dt.datetime(2026, 11, 28, 12, tzinfo=dt.timezone.utc)
OPEN_OUTCOMES = {CallOutcome.TIER1, CallOutcome.TIER2, CallOutcome.TIER3, CallOutcome.TAM, CallOutcome.VOICEMAIL,
                 CallOutcome.HUNG_UP, CallOutcome.NO_PHONE, CallOutcome.BLOCKED}
CLOSED_OUTCOMES = {CallOutcome.MESSAGE, CallOutcome.PAGED, CallOutcome.CRITICAL, CallOutcome.HUNG_UP,
                   CallOutcome.NO_PHONE, CallOutcome.BLOCKED}


@pytest.fixture(scope="module")
def support():
    return load_config(EXAMPLE_CONFIG)


def _rows(support, calls=600, seed=7):
    batches = list(history(support, END, 2, calls, seed=seed, batch_calls=250))
    return {table: [row for batch in batches for row in batch.rows[table]] for table in batches[0].rows}


def test_the_same_seed_gives_the_same_history_and_another_seed_another(support):
    assert _rows(support) == _rows(support)
    assert _rows(support)["calls"] != _rows(support, seed=8)["calls"]


def test_the_memo_of_step_answers_gives_what_the_flow_decides_afresh(support, monkeypatch):
    memoised = _rows(support, calls=3000)
    monkeypatch.setattr(seed_flow, "MEMO_LIMIT", 0)  # the memo starts over at every step
    assert _rows(support, calls=3000) == memoised


def test_each_call_is_decided_as_the_lines_hours_say_and_ends_as_its_decision_allows(support):
    rows = _rows(support)
    assert len(rows["calls"]) == 600
    assert len({call["sid"] for call in rows["calls"]}) == 600
    events = {}
    for event in rows["call_events"]:
        events.setdefault(event["call_id"], []).append(event)
    decisions = set()
    for call in rows["calls"]:
        line = support.line(call["line_number"])
        assert call["decision"] == status(line.support_hours, call["started_at"]).describe()
        decisions.add(call["decision"])
        allowed = OPEN_OUTCOMES if call["decision"] == "open" else CLOSED_OUTCOMES
        assert CallOutcome(call["outcome"]) in allowed, call
        first = events[call["id"]][0]
        assert first["step"] == "incoming" and first["note"].startswith(call["decision"])
        assert "<Say" in first["twiml"] or call["outcome"] == CallOutcome.BLOCKED
        keys = [event["digits"] for event in events[call["id"]] if event["digits"]]
        assert (call["path"] or None) == (" ".join(keys) or None)
    assert any(decision.startswith("closed: holiday ") for decision in decisions)
    assert {"open", "closed: weekend", "closed: outside hours"} <= decisions


def test_cases_are_due_as_promised_and_pages_reach_whoever_was_on_call(support):
    rows = _rows(support, calls=1500)
    cases = {case["id"]: case for case in rows["cases"]}
    assert cases
    for case in cases.values():
        line = support.line(case["line_number"])
        assert case["first_response_due"] == first_response_due(line.support_hours, case["opened_at"])
        assert case["first_answered_at"] is None or case["first_answered_at"] >= case["opened_at"]
    answered = [c for c in cases.values() if c["first_answered_at"]]
    assert any(c["first_answered_at"] <= c["first_response_due"] for c in answered)
    assert any(c["first_answered_at"] > c["first_response_due"] for c in answered)
    assert any(c["first_answered_at"] is None for c in cases.values())
    paged_calls = [call for call in rows["calls"] if call["outcome"] == CallOutcome.PAGED]
    assert paged_calls
    pages = {page["id"]: page for page in rows["pages"]}
    for call in paged_calls:
        case = cases.get(call["case_id"])
        if case is None or case["page_id"] is None:
            continue  # a repeat call that joined the caller's case
        page = pages[case["page_id"]]
        policy = support.policy(page["policy_id"])
        on_call = resolve(step_at(policy, first_position(policy)), support.rotations_by_id,
                          support.overrides_by_rotation, page["opened_at"])
        reached = {n["person_id"] for n in rows["notifications"] if n["page_id"] == page["id"] and n["step"] == 0
                   and n["round"] == 0}
        assert reached == set(on_call)
        if page["acknowledged_at"]:
            assert page["acknowledged_at"] > page["opened_at"] and case["acknowledged_by"] == page["acknowledged_by"]
    assert any(event["kind"] == "escalated" for event in rows["page_events"])


def test_both_writers_fill_the_database_and_leave_its_ids_free(database_url, support):
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            assert not seeded(session)
            write_orm(session, history(support, END, 1, 200, seed=1, first=first_ids(session)))
            assert seeded(session)
            ids = first_ids(session)
        write_bulk(engine, history(support, END, 1, 300, seed=2, first=ids))
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Call)) == 500
            assert session.scalar(select(func.count()).select_from(CallEvent)) > 1000
            assert session.scalar(select(func.count()).select_from(Case)) > 50
            assert session.scalar(select(func.count()).select_from(Notification)) >= \
                session.scalar(select(func.count()).select_from(Page))
            session.add(Call(sid="CAafter", direction="inbound", started_at=END, status="completed"))
            session.commit()  # a row the service adds after the seed gets a free id
            assert session.scalar(select(Call.id).where(Call.sid == "CAafter")) == 501
    finally:
        engine.dispose()


def test_the_demo_prints_the_consoles_address_and_a_managers_log_in(monkeypatch, tmp_path, support):
    for name in ("DATABASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "demo", "--no-serve", "--port", "5077"])
    assert result.exit_code == 0, result.output
    assert ("Seeded 3000 calls over the 4 weeks before the first played call, and the status page's incidents "
            "and a maintenance to come.") in result.output
    assert f"The console: http://127.0.0.1:5077/ (log in as {DEMO_MANAGER}, password {DEMO_PASSWORD})" \
        in result.output
    url = f"sqlite:///{tmp_path / 'instance' / 'demo.sqlite3'}"
    # Again on the same database: no second history, and the printed log-in still works.
    assert seed_console(url, support, END) == "The seeded history is there already."
    engine = db.make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Call).where(Call.direction == "inbound")) == 3003
        assert check_password_hash(find_user(session, DEMO_MANAGER).password_hash, DEMO_PASSWORD)
        kinds = session.execute(select(Incident.kind, Incident.status).order_by(Incident.id)).all()
        assert kinds == [("incident", "resolved"), ("incident", "resolved"), ("maintenance", "scheduled")]
    engine.dispose()
