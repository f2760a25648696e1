"""The console's cases: the list by promise state, one case with its tier history, and its actions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from router import db
from router.case_list import CaseFilter, Order, list_cases
from router.cases import CaseStatus, PromiseState
from router.models import Case, CaseTierChange
from router.runtime import runtime
from schedules import first_response_due
from tests.web.console import add_accounts, csrf_token
from tests.web.console import logged_in as _client
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, INITECH_CONTACT, US_LINE, Twilio, sao_paulo

TOKEN = "api-token-for-tests"


@pytest.fixture
def app(make_app, fake_twilio):
    made = make_app(twilio_api_base=fake_twilio.url, api_token=TOKEN)
    add_accounts(made)
    return made


@pytest.fixture
def open_case(app, support):
    """A case opened at a moment, due when the line's hours say (as a call would open it); its number."""
    def make(opened: str, line: str = BRAZIL_LINE, answered: str | None = None, **fields) -> int:
        opened_at = sao_paulo(opened)
        fields = {"customer_id": "acme-retail", "severity": "normal", "tier": 1, "status": CaseStatus.OPEN,
                  **fields}
        with db.sessions(app).begin() as session:
            case = Case(line_number=line, opened_at=opened_at, caller_number=ACME_CONTACT,
                        first_response_due=first_response_due(support.line(line).support_hours, opened_at),
                        first_answered_at=sao_paulo(answered) if answered else None,
                        first_answered_by="ana" if answered else None, **fields)
            session.add(case)
            session.flush()
            return case.number
    return make


@pytest.fixture
def one_of_each(open_case):
    """At Tuesday 24 November 08:00 in São Paulo (Friday 20 is a holiday there): one case in each state."""
    return {
        PromiseState.AT_RISK: open_case("2026-11-23 10:00"),                             # due Tue 10:00
        PromiseState.ON_TRACK: open_case("2026-11-23 17:00", customer_id="initech"),     # due Tue 17:00
        PromiseState.BREACHED: open_case("2026-11-19 10:00", severity="critical"),       # due Mon 10:00
        PromiseState.MET: open_case("2026-11-19 11:00", answered="2026-11-19 15:00"),    # due Mon 11:00
        PromiseState.MISSED: open_case("2026-11-19 12:00", answered="2026-11-23 15:00"),  # due Mon 12:00
    }


def _listed(answer) -> list[int]:
    assert answer.status_code == 200
    return [int(n) for n in re.findall(rb'<tr data-case="(\d+)"', answer.data)]


def _text(answer) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.data.decode()))


@pytest.mark.parametrize("path", ["/cases", "/cases/1001"])
def test_the_cases_need_a_log_in(app, path):
    answer = app.test_client().get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("now", "state", "left"), [
    ("2026-11-23 10:00", "on track", "9 h 0 min of business time left"),  # a whole business day
    ("2026-11-23 16:00", "on track", "3 h 0 min of business time left"),  # two hours today, one tomorrow
    ("2026-11-23 17:00", "at risk", "2 h 0 min of business time left"),   # a quarter of nine hours or less
    ("2026-11-24 08:00", "at risk", "1 h 0 min of business time left"),   # the night counts for nothing
    ("2026-11-24 09:30", "at risk", "30 min of business time left"),
    ("2026-11-24 13:00", "breached", "breached 3 h 0 min ago"),
])
def test_the_list_shows_the_promise_and_the_time_left_at_the_clocks_moment(app, open_case, clock, now, state, left):
    number = open_case("2026-11-23 10:00")  # due Tuesday 10:00
    clock.at = sao_paulo(now)
    answer = _client(app, "paula").get("/cases")
    row = _text(answer).split(str(number), 1)[1]
    assert f"{state} {left}" in row
    assert "Mon 23 Nov 2026 10:00 -03" in row and "Tue 24 Nov 2026 10:00 -03" in row  # in the line's zone


@pytest.mark.parametrize("state", list(PromiseState))
def test_each_promise_state_filters_the_list(app, one_of_each, clock, state):
    clock.at = sao_paulo("2026-11-24 08:00")
    assert _listed(_client(app, "marta").get(f"/cases?state={state.slug}")) == [one_of_each[state]]


def test_several_states_together_and_the_other_filters(app, one_of_each, open_case, clock):
    clock.at = sao_paulo("2026-11-24 08:00")
    us = open_case("2026-11-23 16:00", line=US_LINE, tier=2)  # on track
    resolved = open_case("2026-11-23 11:00", answered="2026-11-23 12:00", status=CaseStatus.RESOLVED)
    client = _client(app, "marta")
    assert _listed(client.get("/cases?state=breached&state=at-risk")) == [
        one_of_each[PromiseState.AT_RISK], one_of_each[PromiseState.BREACHED]]  # newest first
    assert _listed(client.get("/cases?tier=2")) == [us]
    assert _listed(client.get("/cases?severity=critical")) == [one_of_each[PromiseState.BREACHED]]
    assert _listed(client.get("/cases", query_string={"line": US_LINE})) == [us]
    assert _listed(client.get("/cases?customer=initech")) == [one_of_each[PromiseState.ON_TRACK]]
    assert _listed(client.get("/cases?status=resolved")) == [resolved]
    assert resolved not in _listed(client.get("/cases")) and resolved in _listed(client.get("/cases?status=any"))


def test_most_urgent_first_puts_the_cases_still_waiting_soonest_due_first(app, one_of_each, clock):
    clock.at = sao_paulo("2026-11-24 08:00")
    waiting = [one_of_each[s] for s in (PromiseState.BREACHED, PromiseState.AT_RISK, PromiseState.ON_TRACK)]
    answered = [one_of_each[s] for s in (PromiseState.MET, PromiseState.MISSED)]
    assert _listed(_client(app, "paula").get("/cases?order=urgent")) == waiting + answered


def test_most_urgent_first_pages_on_from_the_waiting_cases_into_the_answered_ones(app, one_of_each, support):
    at, pages, after = sao_paulo("2026-11-24 08:00"), [], None
    with db.sessions(app)() as session:
        while True:
            page = list_cases(session, support, CaseFilter(), at, order=Order.URGENT, after=after, limit=2)
            pages.append([_state_of(one_of_each, row.case.number) for row in page.rows])
            if (after := page.next_after) is None:
                break
    assert pages == [["breached", "at risk"], ["on track", "met"], ["missed"]]


def _state_of(cases: dict, number: int) -> str:
    return next(state for state, n in cases.items() if n == number)


def test_the_list_pages_on_from_the_last_case_shown_keeping_the_filters(app, open_case, clock):
    numbers = [open_case(f"2026-11-23 {9 + i // 60:02d}:{i % 60:02d}") for i in range(55)]
    client = _client(app, "marta")
    first = client.get("/cases?severity=normal")
    assert _listed(first) == numbers[::-1][:50]
    following = re.search(rb'href="([^"]+)" rel="next"', first.data).group(1).decode().replace("&amp;", "&")
    assert "severity=normal" in following and f"after={numbers[5]}" in following
    second = client.get(following)
    assert _listed(second) == numbers[::-1][50:] and b'rel="next"' not in second.data


def test_a_state_told_in_python_still_fills_its_pages(app, open_case, support):
    # Seen at Tuesday 08:00 in São Paulo (06:00 in New York, open 08:00-18:00), newest first: the US
    # cases are at risk (a quarter of their ten-hour day or less left), the Brazilian ones on track.
    opened = [("2026-11-23 14:00", BRAZIL_LINE), ("2026-11-23 12:15", US_LINE), ("2026-11-23 12:10", BRAZIL_LINE),
              ("2026-11-23 12:00", US_LINE), ("2026-11-23 11:45", BRAZIL_LINE)]
    br14, us1215, br1210, us12, br1145 = (open_case(at, line=line) for at, line in opened)
    at, on_track = sao_paulo("2026-11-24 08:00"), CaseFilter(states=frozenset({PromiseState.ON_TRACK}))
    with db.sessions(app)() as session:
        page = list_cases(session, support, on_track, at, limit=2)
        assert [r.case.number for r in page.rows] == [br14, br1210] and page.next_after == br1210
        rest = list_cases(session, support, on_track, at, limit=2, after=page.next_after)
        assert [r.case.number for r in rest.rows] == [br1145] and rest.next_after is None
        risky = list_cases(session, support, CaseFilter(states=frozenset({PromiseState.AT_RISK})), at)
        assert [(r.case.number, r.standing.phrase()) for r in risky.rows] == [
            (us1215, "2 h 15 min of business time left"), (us12, "2 h 0 min of business time left")]


def _post(client, path: str, **form: str):
    """Post a case's form as the browser does: with the CSRF token its page carries."""
    token = csrf_token(client.get(path.rsplit("/", 1)[0]).data)
    return client.post(path, data={"csrf_token": token, **form})


def _stored(app, number: int) -> dict:
    """What the database holds of the case's actions, without the row ids and the case's own times."""
    with db.sessions(app)() as session:
        case = session.get(Case, Case.id_for(number))
        changes = session.scalars(select(CaseTierChange).where(CaseTierChange.case_id == case.id)
                                  .order_by(CaseTierChange.id)).all()
        return {"tier": case.tier, "status": case.status, "answered": (case.first_answered_at, case.first_answered_by),
                "resolved": (case.resolved_at, case.resolved_by),
                "changes": [(c.at, c.from_tier, c.to_tier, c.by, c.reason) for c in changes]}


def _api(app, path: str, body: dict):
    return app.test_client().post(path, json=body, headers={"Authorization": f"Bearer {TOKEN}"})


def test_each_action_through_its_form_stores_what_the_api_stores(app, open_case, clock):
    by_form, by_api = open_case("2026-11-23 10:00"), open_case("2026-11-23 10:00")
    marta = _client(app, "marta")  # the manager is the configured person "marta", whom the API names too
    steps = [("response", {}), ("tier", {"tier": "2", "reason": "needs the TAM"}),
             ("tier", {"tier": "3", "reason": "a product bug"}), ("resolve", {})]
    for minutes, (action, form) in enumerate(steps):
        clock.at = sao_paulo(f"2026-11-23 11:{minutes:02d}")
        answer = _post(marta, f"/cases/{by_form}/{action}", **form)
        assert answer.status_code == 302 and answer.headers["Location"] == f"/cases/{by_form}"
        body = {"by": "marta", **({"tier": int(form["tier"]), "reason": form["reason"]} if form else {})}
        assert _api(app, f"/api/cases/{by_api}/{action}", body).status_code == 200
    assert _stored(app, by_form) == _stored(app, by_api)
    assert _stored(app, by_form)["status"] == "resolved" and len(_stored(app, by_form)["changes"]) == 2


@pytest.mark.parametrize(("action", "form", "message"), [
    ("response", {}, "Case 1001: first response recorded."),
    ("tier", {"tier": "2", "reason": "needs the TAM"}, "Case 1001 moved from tier 1 to tier 2"),
    ("resolve", {}, "Case 1001 resolved."),
])
def test_an_action_says_what_it_did_on_the_case_page(app, open_case, action, form, message):
    open_case("2026-11-23 10:00")
    paula = _client(app, "paula")  # an agent may act on the cases she sees
    answer = _post(paula, f"/cases/1001/{action}", **form)
    shown = _text(paula.get(answer.headers["Location"]))
    assert message in shown


def test_the_case_page_shows_the_tier_history_with_who_when_and_why(app, open_case, clock):
    open_case("2026-11-23 10:00")
    paula = _client(app, "paula")
    clock.at = sao_paulo("2026-11-23 10:20")
    _post(paula, "/cases/1001/tier", tier="2", reason="needs the TAM")
    clock.at = sao_paulo("2026-11-23 10:45")
    _post(_client(app, "marta"), "/cases/1001/tier", tier="1", reason="the TAM found it was a password reset")
    shown = _text(paula.get("/cases/1001"))
    assert ("Mon 23 Nov 2026 10:20 -03 paula 1 Customer Service → 2 Technical Solutions / TAM needs the TAM"
            in shown)
    assert "Mon 23 Nov 2026 10:45 -03 Marta Alves 2 Technical Solutions / TAM → 1 Customer Service the TAM" in shown
    assert "First response due Tue 24 Nov 2026 10:00 -03" in shown
    assert "on track 8 h 15 min of business time left" in shown


@pytest.mark.parametrize("action", ["response", "tier", "resolve"])
def test_an_action_without_its_csrf_token_is_refused(app, open_case, action):
    number = open_case("2026-11-23 10:00")
    before = _stored(app, number)
    answer = _client(app, "marta").post(f"/cases/{number}/{action}", data={"tier": "2", "reason": "x"})
    assert answer.status_code == 400 and _stored(app, number) == before


@pytest.mark.parametrize(("steps", "refused"), [
    ([("tier", {"tier": "1", "reason": "x"})], "Case 1001 is already at tier 1."),
    ([("tier", {"tier": "2", "reason": "  "})], "A tier change needs a reason."),
    ([("tier", {"tier": "7", "reason": "x"})], "Tier must be one of [1, 2, 3]."),
    ([("response", {}), ("response", {})], "Case 1001 already had its first response: nothing changed."),
    ([("resolve", {}), ("resolve", {})], "Case 1001 is already resolved."),
    ([("resolve", {}), ("tier", {"tier": "2", "reason": "x"})], "Case 1001 is resolved: it stays at tier 1."),
])
def test_a_refused_action_says_why_and_changes_nothing(app, open_case, steps, refused):
    open_case("2026-11-23 10:00")
    marta = _client(app, "marta")
    for action, form in steps[:-1]:
        _post(marta, f"/cases/1001/{action}", **form)
    before = _stored(app, 1001)
    action, form = steps[-1]
    answer = marta.post(f"/cases/1001/{action}", data={"csrf_token": csrf_token(marta.get("/cases").data), **form})
    assert answer.status_code == 302 and _stored(app, 1001) == before
    page = marta.get("/cases/1001")
    assert page.status_code == 200 and f'<p class="flash error" role="status">{refused}</p>' in page.data.decode()


def test_resolving_answers_a_case_nobody_had_answered(app, open_case, clock):
    open_case("2026-11-23 10:00")
    clock.at = sao_paulo("2026-11-24 11:00")  # an hour after it was due
    _post(_client(app, "paula"), "/cases/1001/resolve")
    stored = _stored(app, 1001)
    assert stored["answered"] == stored["resolved"] == (clock(), "paula")
    assert "missed answered 1 h 0 min late" in _text(_client(app, "paula").get("/cases/1001"))


def test_the_api_resolves_once(app, open_case):
    open_case("2026-11-23 10:00")
    body = _api(app, "/api/cases/1001/resolve", {"by": "ana"}).get_json()
    assert (body["status"], body["resolved_by"], body["first_answered_by"], body["promise"]) == (
        "resolved", "ana", "ana", "met")
    again = _api(app, "/api/cases/1001/resolve", {"by": "bruno"})
    assert again.status_code == 400 and again.get_json()["error"] == "case 1001 is already resolved"
    moved = _api(app, "/api/cases/1001/tier", {"tier": 2, "by": "ana", "reason": "too late"})
    assert moved.status_code == 400 and "is resolved" in moved.get_json()["error"]
    assert _api(app, "/api/cases/1001/resolve", {"by": "nobody"}).status_code == 400
    assert _api(app, "/api/cases/4242/resolve", {"by": "ana"}).status_code == 404


@pytest.fixture
def paged_and_not(app, clock):
    """Case 1001, critical, paged Carla (on call in Brazil) on Saturday night; case 1002 a Monday message."""
    twilio = Twilio(app.test_client())
    clock.at = sao_paulo("2026-11-28 03:00")
    critical = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(9)
    twilio.post("/voice/transcription", CallSid=critical.sid, TranscriptionStatus="completed",
                TranscriptionText="The checkout is down for every store.")
    runtime(app).dispatcher.shutdown()
    clock.at = sao_paulo("2026-11-30 10:00")
    twilio.call(INITECH_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer")
    return 1001, 1002


def test_an_engineer_sees_only_the_cases_of_her_pages_with_their_calls(app, paged_and_not):
    paged, other = paged_and_not
    carla = _client(app, "carla")
    assert _listed(carla.get("/cases")) == [paged]
    shown = carla.get(f"/cases/{paged}")
    assert b'href="/calls/1"' in shown.data and b'href="/pages/1"' in shown.data
    assert "The checkout is down for every store." in _text(shown)
    assert carla.get(f"/cases/{other}").status_code == 404
    token = csrf_token(shown.data)
    assert carla.post(f"/cases/{other}/resolve", data={"csrf_token": token}).status_code == 404
    assert _stored(app, other)["status"] == "open"


def test_an_agent_sees_every_case_but_not_its_calls_or_its_page(app, paged_and_not):
    paula = _client(app, "paula")
    assert _listed(paula.get("/cases?status=any")) == [1002, 1001]
    shown = paula.get("/cases/1001")
    assert b"/calls/" not in shown.data and b"/pages/" not in shown.data
    assert "The checkout is down for every store." in _text(shown)  # what the caller said is the case's
    assert "Taken by" not in _text(shown)  # nobody acknowledged yet


def test_router_case_list_prints_the_cases_by_promise_state(app, one_of_each, open_case, database_url, clock,
                                                             monkeypatch):
    from click.testing import CliRunner

    from router.cli import cli
    from tests.conftest import EXAMPLE_CONFIG

    us = open_case("2026-11-23 16:00", line=US_LINE, status=CaseStatus.RESOLVED, answered="2026-11-23 16:30")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("router.case_cli.system_clock", clock)
    clock.at = sao_paulo("2026-11-24 08:00")
    base = ["--config", str(EXAMPLE_CONFIG), "case", "list"]

    listed = CliRunner().invoke(cli, base + ["--state", "at-risk", "--state", "breached"])
    assert listed.exit_code == 0, listed.output
    header, *rows = listed.output.splitlines()
    assert header.split() == ["CASE", "LINE", "CUSTOMER", "SEVERITY", "TIER", "OPENED", "DUE", "STATE", "TIME",
                              "LEFT"]
    assert [row.split()[0] for row in rows] == [str(one_of_each[PromiseState.AT_RISK]),
                                                str(one_of_each[PromiseState.BREACHED])]
    assert rows[0].split("  ")[0] == "1001" and "+551130000000  ACME Retail  normal    1" in rows[0]
    assert "Mon 2026-11-23 10:00 -03  Tue 2026-11-24 10:00 -03  at-risk   1 h 0 min of business time left" in rows[0]
    assert rows[1].endswith("breached  breached 22 h 0 min ago")

    every = CliRunner().invoke(cli, base + ["--all", "--line", "+1 212 555 0100"]).output
    assert every.splitlines()[1].startswith(f"{us}  +12125550100  ACME Retail") and "met" in every
    assert CliRunner().invoke(cli, base + ["--line", "+1 212 555 0100"]).output == "No case matches.\n"
    limited = CliRunner().invoke(cli, base + ["--limit", "2", "--order", "urgent"]).output.splitlines()
    assert [row.split()[0] for row in limited[1:]] == [str(one_of_each[PromiseState.BREACHED]),
                                                      str(one_of_each[PromiseState.AT_RISK])]
    wrong = CliRunner().invoke(cli, base + ["--line", "+1 999 555 0100"])
    assert wrong.exit_code == 2 and "'+1 999 555 0100' is none of the lines (+551130000000" in wrong.output
