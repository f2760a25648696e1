"""Reports in the console: a line's figures over a period, counted from calls, pages, notifications and
cases written at chosen times (the clock is Monday 23 November 2026, 10:00 in São Paulo)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest

from router import db
from router.models import Call, Case, Notification, Page, PageEvent
from router.runtime import runtime
from schedules import status
from tests.wallclock import ny
from tests.web.console import add_accounts, log_in
from tests.web.helpers import BRAZIL_LINE, US_LINE, sao_paulo

SECOND = dt.timedelta(seconds=1)


def _call(session, sid: str, at: dt.datetime, outcome: str, line: str = BRAZIL_LINE, direction: str = "inbound"):
    """A call as the line logged it: its decision is what the line's calendar says of `at`."""
    hours = runtime().support.line(line).support_hours
    session.add(Call(sid=sid, direction=direction, line_number=line, started_at=at, status="completed",
                     decision=status(hours, at).describe(), outcome=outcome))


def _page(session, opened: dt.datetime, taken_after: int | None, events: tuple[str, ...] = (),
          line: str = BRAZIL_LINE) -> Page:
    page = Page(line_number=line, opened_at=opened, status="acknowledged" if taken_after else "exhausted",
                acknowledged_at=opened + taken_after * SECOND if taken_after else None)
    session.add(page)
    session.flush()
    for kind in ("opened", *events):
        session.add(PageEvent(page_id=page.id, at=opened, kind=kind, detail=kind))
    return page


def _sent(session, page: Page, person: str, at: dt.datetime | None, channel: str = "sms") -> None:
    session.add(Notification(page_id=page.id, person_id=person, channel=channel, to_number="+5511970000003",
                             status="delivered" if at else "pending", due_at=at or page.opened_at,
                             created_at=page.opened_at, updated_at=page.opened_at, sent_at=at))


def _case(session, opened: dt.datetime, due: dt.datetime, answered: dt.datetime | None) -> None:
    session.add(Case(line_number=BRAZIL_LINE, severity="normal", opened_at=opened, first_response_due=due,
                     first_answered_at=answered))


def four_weeks_of_a_line(session) -> None:
    """Four weeks of a Brazilian line, and what must stay out of its report."""
    for n, (at, outcome) in enumerate([
        ("2026-11-16 10:00", "tier 1"), ("2026-11-16 11:00", "tier 1"),  # open
        ("2026-11-16 20:00", "message"),                                 # closed: outside hours
        ("2026-11-21 03:00", "paged"), ("2026-11-21 04:00", "critical"),  # closed: weekend
        ("2026-11-22 13:00", "hung up"),
        ("2026-11-02 11:00", "message"),                                 # All Souls' Day
        ("2026-11-20 15:00", "paged"),                                   # Black Awareness Day
        ("2026-10-26 23:00", "message"),                                 # the day before the period
    ]):
        _call(session, f"CA{n:032d}", sao_paulo(at), outcome)
    _call(session, "CA" + "9" * 32, sao_paulo("2026-11-21 03:00"), "paged", direction="page")  # a page's call
    _call(session, "CA" + "8" * 32, ny("2026-11-18 10:00"), "tier 1", line=US_LINE)

    first = _page(session, sao_paulo("2026-11-21 03:00"), 60, ("step",))
    _page(session, sao_paulo("2026-11-21 04:00"), 120, ("step", "escalated", "step", "escalated", "step"))
    _page(session, sao_paulo("2026-11-22 02:00"), 600)
    _page(session, sao_paulo("2026-11-22 05:00"), None, ("escalated", "nobody", "exhausted"))
    _page(session, sao_paulo("2026-10-20 05:00"), 5, ("escalated",))  # before the period
    us = _page(session, ny("2026-11-21 03:00"), 30, ("escalated",), line=US_LINE)

    _sent(session, first, "carla", sao_paulo("2026-11-21 03:00:05"))  # sleep hours (a Saturday)
    _sent(session, first, "carla", sao_paulo("2026-11-19 23:30"), "voice")  # sleep hours
    _sent(session, first, "carla", sao_paulo("2026-11-19 19:00"))  # off hours
    _sent(session, first, "carla", sao_paulo("2026-11-18 07:59"))  # sleep hours, to 08:00
    _sent(session, first, "diego", sao_paulo("2026-11-16 10:00"))  # business hours: the line is open
    _sent(session, first, "diego", sao_paulo("2026-11-20 10:00"))  # off hours: a holiday
    _sent(session, first, "diego", sao_paulo("2026-11-17 08:00"))  # off hours: sleep is over, the line not open
    _sent(session, first, "diego", None)  # never sent: no interruption
    _sent(session, first, "diego", sao_paulo("2026-10-26 23:59"))  # before the period
    _sent(session, us, "erin", ny("2026-11-21 03:00"))  # another line's page

    now = sao_paulo("2026-11-23 10:00")
    _case(session, sao_paulo("2026-11-16 10:00"), sao_paulo("2026-11-17 10:00"), sao_paulo("2026-11-16 15:00"))
    _case(session, sao_paulo("2026-11-17 10:00"), sao_paulo("2026-11-18 10:00"), sao_paulo("2026-11-18 11:00"))
    _case(session, sao_paulo("2026-11-18 10:00"), sao_paulo("2026-11-19 10:00"), None)  # overdue
    _case(session, sao_paulo("2026-11-19 10:00"), sao_paulo("2026-11-20 10:00"), None)  # overdue
    _case(session, now - dt.timedelta(minutes=30), now + dt.timedelta(hours=8), None)  # not yet due
    _case(session, sao_paulo("2026-10-20 10:00"), sao_paulo("2026-10-21 10:00"), None)  # before the period


@pytest.fixture
def manager(app):
    add_accounts(app)
    with app.app_context(), db.sessions(app).begin() as session:
        four_weeks_of_a_line(session)
    client = app.test_client()
    log_in(client, "marta")
    return client


def _table(body: str, key: str) -> list[list[str]]:
    """The numbers table beside figure `key`, as rows of cell texts."""
    table = re.search(rf'<table data-figure="{key}">(.*?)</table>', body, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>|\s+", " ", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_report_counts_the_lines_calls_pages_cases_and_interruptions(manager):
    answer = manager.get("/reports")
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert 'value="2026-10-27"' in body and 'value="2026-11-23"' in body  # the last four weeks, today included
    assert _table(body, "calls")[1:] == [
        ["open", "2"], ["closed: outside hours", "1"], ["closed: weekend", "3"],
        ["closed: holiday All Souls' Day", "1"], ["closed: holiday National Day of Zumbi and Black Awareness", "1"]]
    assert _table(body, "after-hours")[1:] == [
        ["critical (paged or put through)", "3"], ["message for the next business day", "2"], ["other", "1"]]
    assert _table(body, "pages")[1:] == [["opened", "4"], ["acknowledged", "3"], ["not acknowledged", "1"]]
    # 60, 120 and 600 seconds: the median 120, the 90th percentile 120 + 0.8 × 480
    assert _table(body, "acknowledge")[1:] == [["median", "120.0 (2 min 00 s)"],
                                               ["90th percentile", "504.0 (8 min 24 s)"]]
    assert _table(body, "escalations") == [
        ["", "events", "pages"], ["escalated to the next step", "3", "2"], ["steps that reached nobody", "1", "1"],
        ["ran out of steps", "1", "1"]]
    assert _table(body, "first-response")[1:] == [["met", "1"], ["answered late", "1"],
                                                  ["not answered, past due", "2"]]
    assert re.search(r'data-fact="within one business day">25.0 %<', body)
    assert re.search(r'data-fact="not answered, not yet due \(left out\)">1<', body)
    assert _table(body, "interruptions") == [
        ["", "business hours", "off hours", "sleep hours"],
        ["Carla Mendes", "0", "1", "3"], ["Diego Rocha", "1", "2", "0"]]


def test_the_charts_data_travel_as_json_and_the_chart_library_is_served_here(manager):
    body = manager.get("/reports").get_data(as_text=True)
    assert '<script type="application/json" id="report-data">' in body
    assert re.search(r'<script src="/console/static/vendor/chart.umd.min.js\?v=4\.\d+\.\d+"></script>', body)
    assert "//cdn" not in body and "https://" not in body
    library = manager.get("/console/static/vendor/chart.umd.min.js")
    assert library.status_code == 200 and b"Chart" in library.data[:2000]
    assert "max-age=31536000" in library.headers["Cache-Control"]
    library.close()
    assert manager.get("/console/static/vendor/helpers.js").status_code == 404
    with manager.get("/console/static/reports.js") as script:
        assert script.status_code == 200 and b"report-data" in script.data


def test_a_period_and_a_line_narrow_the_report(manager):
    body = manager.get("/reports?line=%2B551130000000&from=2026-11-21&to=2026-11-21").get_data(as_text=True)
    assert _table(body, "calls")[1:] == [["open", "0"], ["closed: outside hours", "0"], ["closed: weekend", "2"]]
    assert _table(body, "interruptions")[1:] == [["Carla Mendes", "0", "0", "1"]]
    us = manager.get("/reports?line=%2B12125550100").get_data(as_text=True)
    assert "Reports: ACME Support US" in us
    assert _table(us, "calls")[1:] == [["open", "1"], ["closed: outside hours", "0"], ["closed: weekend", "0"]]
    assert _table(us, "interruptions")[1:] == [["Erin Walsh", "0", "0", "1"]]


@pytest.mark.parametrize("query", ["from=2026-11-20&to=2026-11-01", "from=yesterday", "line=%2B15550000000",
                                   "from=2024-01-01&to=2026-01-01"])
def test_a_period_that_is_none_is_refused_with_the_reason(manager, query):
    answer = manager.get(f"/reports?{query}")
    assert answer.status_code == 400
    assert 'role="alert"' in answer.get_data(as_text=True)
    assert manager.get(f"/reports.csv?{query}").status_code == 400


def test_the_csv_holds_the_same_figures(manager):
    answer = manager.get("/reports.csv?from=2026-11-16&to=2026-11-22")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'filename="report-551130000000-2026-11-16-2026-11-22.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["line", "from", "to", "figure", "label", "series", "value"]
    assert {row[0] for row in rows[1:]} == {BRAZIL_LINE} and {row[1] for row in rows[1:]} == {"2026-11-16"}
    found = {(figure, label, series): value for _, _, _, figure, label, series, value in rows[1:]}
    assert found[("calls", "closed: holiday National Day of Zumbi and Black Awareness", "calls")] == "1"
    assert ("calls", "closed: holiday All Souls' Day", "calls") not in found  # 2 November is before the period
    assert found[("calls", "closed: weekend", "calls")] == "3"
    assert found[("acknowledge", "median", "seconds")] == "120"
    assert found[("acknowledge", "90th percentile", "seconds")] == "504"
    assert found[("first-response", "within one business day", "share")] == "0.25"
    assert found[("interruptions", "Carla Mendes", "sleep hours")] == "3"
    assert found[("interruptions", "Diego Rocha", "business hours")] == "1"
    assert found[("escalations", "escalated to the next step", "pages")] == "2"


def test_engineers_and_agents_may_not_see_reports(app):
    add_accounts(app)
    for name in ("carla", "paula"):
        client = app.test_client()
        log_in(client, name)
        refused = client.get("/reports")
        assert refused.status_code == 403
        assert 'href="/reports"' not in refused.get_data(as_text=True)  # nor does the navigation offer them
        assert client.get("/reports.csv").status_code == 403


def test_without_a_login_reports_lead_to_it(app):
    answer = app.test_client().get("/reports")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
