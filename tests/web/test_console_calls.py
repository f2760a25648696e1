"""The console's call log: every call played through the webhooks, filtered, searched, sorted, paged, exported."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import sqlite3
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from router import db
from router.calllog_filters import CallFilters, Sort
from router.calllog_query import CHUNK, csv_rows
from router.cli import cli
from router.models import Call
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.wallclock import ny
from tests.web.console import add_accounts, log_in
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, INITECH_CONTACT, STRANGER, US_LINE, sao_paulo

UMBRELLA = "+5521987651234"  # Umbrella Labs, standard package: no phone channel
GLOBEX = "+16465550199"
ROW = re.compile(r'<tr data-call="(\d+)">')
# The log's first page, newest first, by what each call was (see _play).
NEWEST_FIRST = ["message", "critical", "thanksgiving", "anonymous", "no phone", "hung up", "tier 1", "holiday"]


@pytest.fixture
def played(app, twilio, clock):
    """Eight calls of a fortnight, oldest first; their ids by what each was."""
    add_accounts(app)
    ids = {}

    def call(name, at, caller, line=BRAZIL_LINE, seconds=None, steps=lambda c: c):
        clock.at = at
        played = steps(twilio.call(caller, line).arrives())
        if seconds is not None:  # Twilio's status callback: the call is over
            twilio.post("/voice/status", **{**played.base, "CallStatus": "completed", "CallDuration": str(seconds)})
        ids[name] = _id_of(app, played.sid)

    call("holiday", sao_paulo("2026-11-20 10:00"), ACME_CONTACT, seconds=30)  # Black Awareness Day: hung up
    call("tier 1", sao_paulo("2026-11-23 10:00"), ACME_CONTACT, seconds=200,
         steps=lambda c: c.presses("1").dial_ends("completed"))
    call("hung up", sao_paulo("2026-11-23 10:05"), STRANGER, seconds=14, steps=lambda c: c.presses("482910"))
    call("no phone", sao_paulo("2026-11-23 10:10"), UMBRELLA, seconds=9)
    call("anonymous", sao_paulo("2026-11-24 12:00"), None)  # no caller ID, still on the line
    call("thanksgiving", ny("2026-11-26 10:00"), GLOBEX, line=US_LINE, seconds=20)
    call("critical", sao_paulo("2026-11-28 03:00"), ACME_CONTACT, seconds=95,  # Saturday night: Carla is paged
         steps=lambda c: c.presses("1").presses("1").records(15))
    call("message", sao_paulo("2026-11-29 11:00"), INITECH_CONTACT, seconds=60,  # Sunday: a message for Monday
         steps=lambda c: c.presses("2").records())
    return ids


def _id_of(app, sid):
    with db.sessions(app)() as session:
        return session.scalars(select(Call.id).where(Call.sid == sid)).one()


def _manager(app):
    client = app.test_client()
    log_in(client, "marta")
    return client


def _listed(client, query=""):
    answer = client.get(f"/calls?{query}")
    assert answer.status_code == 200, answer.status_code
    return [int(i) for i in ROW.findall(answer.get_data(as_text=True))]


def _named(played, ids):
    names = {number: name for name, number in played.items()}
    return [names[i] for i in ids]


def test_every_call_is_listed_newest_first_with_what_came_of_it(app, played):
    client = _manager(app)
    answer = client.get("/calls")
    body = answer.get_data(as_text=True)
    assert _named(played, _listed(client)) == NEWEST_FIRST
    row = _row_text(body, played["critical"])
    for shown in ("Sat 28 Nov 2026 03:00 -03", "ACME Suporte Brasil", "ACME Retail", "+5511988887777",
                  "closed: weekend", "1 1", "paged", "critical", "1002", "1 min 35 s"):
        assert shown in row, (shown, row)
    assert "closed: holiday National Day of Zumbi and Black Awareness" in _row_text(body, played["holiday"])
    assert "Thu 26 Nov 2026 10:00 EST" in _row_text(body, played["thanksgiving"])
    assert "hung up" in _row_text(body, played["hung up"]) and "482910" in _row_text(body, played["hung up"])
    assert "no phone channel" in _row_text(body, played["no phone"])
    assert "anonymous" in _row_text(body, played["anonymous"]) and "in progress" in _row_text(body, played["anonymous"])
    assert f'href="/calls/{played["message"]}"' in body  # each row opens the call's detail


def _row_text(body, call_id):
    found = re.search(rf'<tr data-call="{call_id}">(.*?)</tr>', body, re.S)
    assert found, call_id
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


FILTERS = [
    ("from=2026-11-23&to=2026-11-24", ["anonymous", "no phone", "hung up", "tier 1"]),
    ("from=2026-11-26&to=2026-11-26&line=%2B1+212+555+0100", ["thanksgiving"]),  # the line's own dates
    ("line=%2B12125550100", ["thanksgiving"]),
    ("hours=open", ["anonymous", "no phone", "hung up", "tier 1"]),
    ("hours=closed", ["message", "critical", "thanksgiving", "holiday"]),
    ("hours=weekend", ["message", "critical"]),
    ("hours=holiday", ["thanksgiving", "holiday"]),
    ("hours=holiday%3AThanksgiving+Day", ["thanksgiving"]),
    ("hours=outside+hours", []),
    ("outcome=hung+up", ["thanksgiving", "hung up", "holiday"]),
    ("outcome=no+phone+channel", ["no phone"]),
    ("outcome=paged", ["critical"]),
    ("severity=critical", ["critical"]),
    ("severity=normal", ["message", "tier 1"]),
    ("customer=acme-retail", ["critical", "tier 1", "holiday"]),  # the stranger's account is not the call's
    ("paged=yes", ["critical"]),
    ("paged=no", ["message", "thanksgiving", "anonymous", "no phone", "hung up", "tier 1", "holiday"]),
    ("customer=acme-retail&hours=open", ["tier 1"]),
    ("customer=globex&outcome=hung+up&hours=holiday&paged=no", ["thanksgiving"]),
]
SEARCHES = [(written, ["critical", "tier 1", "holiday"]) for written in (
    "+55 11 98888-7777", "(11) 98888-7777", "11 988887777", "5511988887777", "+5511988887777", "011 55 11 98888 7777")
] + [("(646) 555-0199", ["thanksgiving"]), ("+1 646-555-0199", ["thanksgiving"])
     ] + [(written, ["critical"]) for written in ("1002", "#1002", "case 1002", " Case #1002 ")]


def _mismatches(app, played, cases):
    client = _manager(app)
    found = {query: _named(played, _listed(client, query)) for query, _ in cases}
    return {query: (found[query], expected) for query, expected in cases if found[query] != expected}


def test_each_filter(app, played):
    assert _mismatches(app, played, FILTERS) == {}


def test_a_phone_number_in_any_notation_or_a_case_number_finds_its_calls(app, played):
    assert _mismatches(app, played, [(f"q={quote(written)}", expected) for written, expected in SEARCHES]) == {}


def test_a_search_that_is_neither_says_so(app, played):
    answer = _manager(app).get("/calls?q=Globex")
    assert ROW.findall(answer.get_data(as_text=True)) == []
    assert "is neither a phone number nor a case number" in answer.get_data(as_text=True)


SORTS = [
    ("sort=time&dir=asc", NEWEST_FIRST[::-1]),
    ("sort=duration", ["tier 1", "critical", "message", "holiday", "thanksgiving", "hung up", "no phone",
                       "anonymous"]),  # longest first; a call still going has no length yet: last
    ("sort=duration&dir=asc", ["no phone", "hung up", "thanksgiving", "holiday", "message", "critical", "tier 1",
                               "anonymous"]),
    # by the line's number: the US line's +1 before Brazil's +55; then oldest first
    ("sort=line", ["thanksgiving", "holiday", "tier 1", "hung up", "no phone", "anonymous", "critical", "message"]),
    ("sort=caller&dir=desc", ["message", "no phone", "critical", "tier 1", "holiday", "hung up", "thanksgiving",
                              "anonymous"]),  # by number; no caller ID: last
    ("sort=outcome&hours=closed", ["holiday", "thanksgiving", "message", "critical"]),  # A to Z, then oldest first
]


def test_sorting(app, played):
    assert _mismatches(app, played, SORTS) == {}


def test_the_headers_sort_and_keep_the_filters(app, played):
    body = _manager(app).get("/calls?hours=closed").get_data(as_text=True)
    links = dict(re.findall(r'<a href="(/calls\?[^"]*)">(\w+)', html.unescape(body)))
    assert {"/calls?hours=closed&sort=duration", "/calls?hours=closed&sort=line", "/calls?hours=closed&dir=asc"} \
        <= set(links)
    assert '/calls.csv?hours=closed"' in body


def test_csv_is_the_filtered_set_in_the_log_order(app, played):
    client = _manager(app)
    answer = client.get("/calls.csv?hours=closed&sort=duration", buffered=True)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="calls-')
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == len(_listed(client, "hours=closed&sort=duration")) == 4
    assert [r["duration seconds"] for r in rows] == ["95", "60", "30", "20"]
    critical = rows[0]
    assert critical == {"time": "2026-11-28T03:00:00-03:00", "line": "ACME Suporte Brasil", "caller": "ACME Retail",
                        "caller number": "+5511988887777", "hours": "closed: weekend", "path": "1 1",
                        "outcome": "paged", "case": "1002", "severity": "critical", "paged": "yes",
                        "duration seconds": "95"}
    assert rows[2]["hours"] == "closed: holiday National Day of Zumbi and Black Awareness"
    assert runtime(app).services.engine.pool.checkedout() == 0  # the streamed export gave its connection back


def test_an_engineer_sees_only_the_calls_of_pages_that_reached_her(app, played):
    client = app.test_client()
    log_in(client, "carla")
    assert _named(played, _listed(client)) == ["critical"]
    assert _named(played, _listed(client, "hours=open")) == []
    exported = list(csv.reader(io.StringIO(client.get("/calls.csv", buffered=True).get_data(as_text=True))))
    assert [row[6] for row in exported[1:]] == ["paged"]


def test_an_agent_gets_403_and_nobody_logged_in_goes_to_the_login(app, played):
    agent = app.test_client()
    log_in(agent, "paula")
    assert agent.get("/calls").status_code == 403
    assert agent.get("/calls.csv").status_code == 403
    for path in ("/calls", "/calls.csv?hours=open"):
        answer = app.test_client().get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


ODD = ["from=9999-99-99&to=0000-00-00", "from=0001-01-01&to=9999-12-31", "from=2026-02-30", "line=%00",
       "line=" + "9" * 5000, "q=" + "9" * 5000, "q=%00%00", "q=+", "q=case", "q=%2B%2B%2B%2B", "sort=drop+table",
       "sort=time&dir=sideways", "after=garbage", "before=%00", "after=" + "A" * 10000, "paged=maybe",
       "hours=holiday%3A", "hours=holiday%3A%00", "outcome=%FF%FE", "customer[]=acme", "customer=acme&customer=x",
       "severity=CRITICAL", "after=WyJ0aW1lIiwgbnVsbCwgIjIwMjYiLCAtNV0",  # ["time", null, "2026", -5]
       "sort=caller&after=WyJjYWxsZXIiLCAxLCAiMjAyNi0xMS0yM1QxMDowMDowMCswMDowMCIsIDFd",  # a number as a caller
       "sort=duration&before=WyJkdXJhdGlvbiIsIDk5OTk5OTk5OTk5OTksICIyMDI2LTExLTIzVDEwOjAwOjAwKzAwOjAwIiwgMV0",
       "after=WyJ0aW1lIiwgbnVsbCwgIjIwMjYtMTEtMjNUMTA6MDA6MDAiLCAxXQ"]  # a time without its offset


def test_odd_query_strings_are_ignored_never_a_500(app, played):
    client = _manager(app)
    # buffered: the export is read to its end, as a browser would, and its transaction ends with it
    answers = {query: (client.get(f"/calls?{query}").status_code,
                       client.get(f"/calls.csv?{query}", buffered=True).status_code) for query in ODD}
    assert {query: codes for query, codes in answers.items() if codes != (200, 200)} == {}



def test_router_calls_lists_the_same_calls_with_the_same_filters(app, played, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    base = ["--config", str(EXAMPLE_CONFIG), "calls"]
    listed = CliRunner().invoke(cli, [*base, "--hours", "closed", "--sort", "duration"])
    assert listed.exit_code == 0, listed.output
    header, *lines = listed.stdout.splitlines()
    assert header.split() == ["time", "line", "caller", "hours", "path", "outcome", "case", "severity", "paged",
                              "duration"]
    assert [line.split()[:3] for line in lines] == [["2026-11-28", "03:00", "-03"], ["2026-11-29", "11:00", "-03"],
                                                    ["2026-11-20", "10:00", "-03"], ["2026-11-26", "10:00", "EST"]]
    assert "ACME Retail (+5511988887777)" in lines[0] and "paged" in lines[0] and "1:35" in lines[0]
    searched = CliRunner().invoke(cli, [*base, "-s", "(11) 98888-7777", "--limit", "2"])
    assert len(searched.stdout.splitlines()) == 3 and "more calls match" in searched.stderr
    exported = tmp_path / "calls.csv"
    written = CliRunner().invoke(cli, [*base, "--hours", "closed", "--sort", "duration", "--csv", str(exported)])
    assert written.exit_code == 0, written.output
    web = _manager(app).get("/calls.csv?hours=closed&sort=duration", buffered=True).get_data(as_text=True)
    assert exported.read_bytes() == web.encode()  # the same bytes, CSV line ends and all
    assert CliRunner().invoke(cli, [*base, "--csv", "-", "--paged"]).stdout.count("\n") == 2  # the header, one call


@pytest.mark.parametrize(("option", "said"), [
    (["--line", "+44 20 7946 0000"], "is none of the lines"), (["--customer", "hooli"], "is no customer's id"),
    (["--from", "2026-13-01"], "is not one I know"), (["--hours", "lunch"], "is not one I know"),
    (["-s", "Globex"], "neither a phone number nor a case number")])
def test_router_calls_refuses_what_it_cannot_read(database_url, monkeypatch, option, said):
    monkeypatch.setenv("DATABASE_URL", database_url)
    refused = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "calls", *option])
    assert refused.exit_code == 2 and said in refused.stderr


def _logged(app, count):
    """`count` calls written straight to the log: times shared by three calls at once, values missing."""
    base = sao_paulo("2026-11-02 09:00")
    lines, callers = (BRAZIL_LINE, US_LINE, None), (ACME_CONTACT, GLOBEX, STRANGER, None)
    outcomes = ("tier 1", "hung up", "voicemail", None, "paged")
    with db.sessions(app).begin() as session:
        session.add_all(Call(sid=f"CA{i:032d}", direction="inbound", line_number=lines[i % 3 and 1 + (i % 7 == 0)],
                             from_number=callers[i % 4], started_at=base + dt.timedelta(minutes=i // 3 * 7 % 500),
                             status="completed", duration_seconds=None if i % 5 == 0 else i * 13 % 40,
                             decision="open", outcome=outcomes[i % 5]) for i in range(count))
    with db.sessions(app)() as session:
        return session.execute(select(Call.id, Call.started_at, Call.line_number, Call.from_number, Call.outcome,
                                      Call.duration_seconds)).all()


def _in_order(rows, column, descending):
    """The log's order, worked out here: values in the direction asked, then the missing ones; ties by time, id."""
    def key(row):
        return (getattr(row, column), row.started_at, row.id) if column else (row.started_at, row.id)

    valued = sorted((r for r in rows if not column or getattr(r, column) is not None), key=key, reverse=descending)
    missing = sorted((r for r in rows if column and getattr(r, column) is None), key=key, reverse=descending)
    return [r.id for r in valued + missing]


def _pages(client, url, rel):
    """The ids of each page, following the pager's `rel` links from `url` to the end; and the last page's URL."""
    pages = []
    while True:
        body = client.get(url).get_data(as_text=True)
        pages.append([int(i) for i in ROW.findall(body)])
        found = re.search(rf'<a href="([^"]+)" rel="{rel}">', body)
        if not found:
            return pages, url
        url = html.unescape(found.group(1))


@pytest.mark.parametrize(("sort", "column"), [("time", None), ("duration", "duration_seconds"),
                                              ("line", "line_number"), ("caller", "from_number"),
                                              ("outcome", "outcome")])
def test_keyset_pages_neither_repeat_nor_skip_a_call(app, sort, column):
    add_accounts(app)
    rows = _logged(app, 130)
    client = _manager(app)
    for direction in ("asc", "desc"):
        forward, last = _pages(client, f"/calls?sort={sort}&dir={direction}", "next")
        assert [len(page) for page in forward] == [50, 50, 30]
        assert sum(forward, []) == _in_order(rows, column, direction == "desc"), direction
        backward, first = _pages(client, last, "prev")
        assert backward == forward[::-1], direction
        assert "before=" in first  # the way back came by the pager's links


def test_the_export_reads_in_chunks_and_on_sqlite_lets_calls_be_logged_meanwhile(app, support, database_url):
    count = CHUNK * 2 + 100
    base = sao_paulo("2026-11-02 09:00")
    with db.sessions(app).begin() as session:
        session.execute(insert(Call), [{"sid": f"CA{i:032d}", "direction": "inbound", "line_number": BRAZIL_LINE,
                                        "from_number": ACME_CONTACT, "started_at": base + dt.timedelta(seconds=i // 2),
                                        "status": "completed", "decision": "open"} for i in range(count)])
    with db.sessions(app)() as session:
        exported = csv_rows(session, support, CallFilters(sort=Sort.TIME), None)
        rows = [next(exported) for _ in range(CHUNK + 10)]  # the header, and into the second chunk
        if database_url.startswith("sqlite"):  # no transaction of the export's holds the write lock now
            other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            other.close()
        rows.extend(exported)
    assert len(rows) == count + 1
    times = [row[0] for row in rows[1:]]
    assert times == sorted(times, reverse=True) and len(set(map(tuple, rows[1:]))) == count // 2  # two a second
