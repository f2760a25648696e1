"""The database as the console and the engine share it: reads never wait for a write lock (SQLite's one lock
included), every page opens logged in, and a lock not had in time is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from router import db
from router.models import Call, Case, Incident, Page, User
from router.oncall import feed_token
from router.runtime import runtime
from router.seed import history
from router.seed_store import first_ids, write_orm
from router.status.demo_history import seed_status
from tests.web.console import add_accounts, csrf_token, logged_in

TOKEN = "api-token-for-tests"


@pytest.fixture
def app(make_app, fake_twilio):
    made = make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)
    add_accounts(made)
    return made


def _engine(app):
    return runtime(app).services.engine


def test_a_reader_refuses_to_write(app):
    with db.readers(_engine(app))() as session, pytest.raises(DBAPIError, match="(?i)read.only|readonly"):
        session.execute(update(User).values(name="Someone Else"))
        session.flush()
    with db.readers(_engine(app))() as session:
        assert "Someone Else" not in session.scalars(select(User.name)).all()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reader_beside_a_writer_of_its_own_thread_reads_at_once_what_was_committed(app, monkeypatch):
    monkeypatch.setattr(db, "STATEMENT_TIMEOUT", 0.5)  # a read that waited on the lock would fail here, not hang
    writing, reading = db.writers(_engine(app)), db.readers(_engine(app))
    with writing.begin() as writer:
        writer.execute(update(User).where(User.username == "marta").values(name="Marta in the writer"))
        writer.flush()
        with reading() as reader:
            assert reader.scalar(select(User.name).where(User.username == "marta")) == "Marta"
    with reading() as reader:
        assert reader.scalar(select(User.name).where(User.username == "marta")) == "Marta in the writer"


def _seed(app, clock, support) -> dict[str, object]:
    """A week of seeded calls with their cases and pages, and the status page's history; one id of each."""
    end = clock()
    with db.sessions(app)() as session:
        batches = history(support, end, 1, 150, public_url="http://localhost", first=first_ids(session))
        write_orm(session, batches)
        seed_status(session, support, end, end)
        session.commit()
        return {"call_id": session.scalar(select(func.min(Call.id))),
                "number": session.get(Case, session.scalar(select(func.min(Case.id)))).number,
                "page_id": session.scalar(select(func.min(Page.id))),
                "incident_id": session.scalar(select(func.min(Incident.id))),
                "person_id": "carla", "rotation_id": "on-call-brazil",
                "name": "chart.umd.min.js"}


# Answers other than 200 that are right here: home sends to the call log, no engine runs beside this app,
# and the fake Twilio holds no audio for a seeded call.
NOT_200 = {"/": 302, "/health/engine": 503, "/calls/1/recording": 404}
STATIC = {"/console": "console.css", "/status": "status.css"}  # a file of each blueprint's static folder


def _value(ids: dict[str, object], rule: str, name: str) -> str:
    return STATIC[rule.split("/static/")[0]] if name == "filename" else str(ids[name])


def _gets(app) -> list[str]:
    return sorted(str(rule) for rule in app.url_map.iter_rules() if "GET" in rule.methods)


def test_every_page_opens_logged_in_as_a_manager(app, clock, support):
    ids = _seed(app, clock, support)
    client = logged_in(app, "marta")
    answers = {}
    for rule in _gets(app):
        if rule == "/static/<path:filename>":  # Flask's own, unused: the router has no top-level static folder
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda found, rule=rule: _value(ids, rule, found.group(1)), rule)
        if rule.startswith("/calendar/"):
            kind, name = ("person", "carla") if "/people/" in rule else ("rotation", "on-call-brazil")
            path += f"?token={feed_token(app.config['SECRET_KEY'], kind, name)}"
        with client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
            answers[path] = answer.status_code
    failed = {path: status for path, status in answers.items() if status != NOT_200.get(path, 200)}
    assert not failed, f"pages that did not open: {failed}"
    assert {"/status", "/calls", "/cases", "/pages", "/oncall", "/reports", "/incidents", "/subscribers",
            f"/calls/{ids['call_id']}", f"/status/incidents/{ids['incident_id']}"} <= set(answers)


def _held_on_sqlite(app):
    """Another process's writer holding SQLite's write lock (a raw connection, not the app's)."""
    path = _engine(app).url.database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def _held_on_postgres(app, number: int):
    """Another session holding the case's row, as a long transaction elsewhere would."""
    connection = _engine(app).connect()
    connection.execute(select(Case.id).where(Case.id == Case.id_for(number)).with_for_update())
    return connection


def test_a_write_that_cannot_have_its_lock_is_a_503_with_retry_after_while_reads_answer(
        make_app, fake_twilio, clock, support, monkeypatch, database_url):
    monkeypatch.setattr(db, "STATEMENT_TIMEOUT", 1)  # the app's engine is made after this: its timeouts too
    app = make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)
    add_accounts(app)
    number = _seed(app, clock, support)["number"]
    client = logged_in(app, "marta")
    token = csrf_token(client.get(f"/cases/{number}").data)
    holder = _held_on_sqlite(app) if database_url.startswith("sqlite") else _held_on_postgres(app, number)
    try:
        reads = {path: client.get(path).status_code for path in ("/status", f"/cases/{number}", "/calls")}
        answer = client.post(f"/cases/{number}/resolve", data={"csrf_token": token})
        api = app.test_client().post(f"/api/cases/{number}/resolve", json={"by": "marta"},
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        holder.rollback()
        holder.close()
    assert reads == dict.fromkeys(reads, 200)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert b"Try again in a few seconds" in answer.data and answer.headers["Cache-Control"] == "no-store"
    assert api.status_code == 503 and api.get_json()["error"].startswith("The database is busy")
    assert client.post(f"/cases/{number}/resolve", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_console_browsed_while_writers_queue_never_answers_500(app, clock, support):
    ids = _seed(app, clock, support)
    client = logged_in(app, "marta")
    stop, written = threading.Event(), []

    def write() -> None:
        while not stop.is_set():
            with db.sessions(app).begin() as session:
                session.execute(update(User).where(User.username == "paula").values(name=f"Paula {len(written)}"))
            written.append(1)

    writers = [threading.Thread(target=write) for _ in range(2)]
    for thread in writers:
        thread.start()
    try:
        answers = [client.get(path).status_code for _ in range(5)
                   for path in ("/status", "/calls", f"/calls/{ids['call_id']}", "/cases", "/oncall", "/reports")]
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert answers == [200] * len(answers) and written
