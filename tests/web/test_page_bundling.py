"""Cases joining an open page: the engineer is told in one bundled SMS, not one per case."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from router import db
from router.config import load_config
from router.models import Case, Notification
from router.paging.pages import open_or_join
from router.paging.worker import run_pass
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG
from tests.web.helpers import BRAZIL_LINE, sao_paulo

SATURDAY_NIGHT = sao_paulo("2026-11-28 03:00")
CARLA = "+5511970000003"  # on call for the Brazilian line that week: SMS at once, her call a minute later
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def paging(make_app, fake_twilio, clock, tmp_path):
    """Open critical cases on the Brazilian line at given moments and run the worker: no web process sends."""

    def make(bundle_minutes: float = 1):
        config = tmp_path / "support.toml"
        example = EXAMPLE_CONFIG.read_text()
        assert "\nbundle_minutes = 1\n" in example
        config.write_text(example.replace("\nbundle_minutes = 1\n", f"\nbundle_minutes = {bundle_minutes}\n"))
        app = make_app(twilio_api_base=fake_twilio.url, config=load_config(config))
        runtime(app).dispatcher.shutdown()
        return Paging(app, clock)

    return make


class Paging:
    def __init__(self, app, clock) -> None:
        self.app, self.clock = app, clock
        self.sessions, self.support = db.sessions(app), runtime(app).support

    def case(self, seconds: float, customer: str | None) -> None:
        """A critical case opened `seconds` after 03:00, paged (it opens or joins the page)."""
        self.clock.at = SATURDAY_NIGHT + seconds * SECOND
        at = self.clock()
        with self.sessions() as session, session.begin():
            case = Case(line_number=BRAZIL_LINE, customer_id=customer, severity="critical", opened_at=at,
                        first_response_due=at, caller_number="+5511911110000")
            session.add(case)
            session.flush()
            open_or_join(session, case, self.support, at)

    def worker(self, seconds: float) -> None:
        self.clock.at = SATURDAY_NIGHT + seconds * SECOND
        with self.app.app_context():
            run_pass(runtime(self.app).services)

    def notifications(self) -> list[Notification]:
        with self.sessions() as session:
            return list(session.scalars(select(Notification).order_by(Notification.id)))


def _at(seconds: float) -> dt.datetime:
    return (SATURDAY_NIGHT + seconds * SECOND).astimezone(dt.UTC)


def _texts_to(fake_twilio, number: str) -> list[str]:
    return [m["body"] for m in fake_twilio.messages() if m["to"] == number]


def test_cases_joining_within_a_minute_reach_the_engineer_in_one_sms(paging, fake_twilio):
    page = paging()
    page.case(0, "acme-retail")
    page.worker(0)                       # the page itself: Carla's SMS
    page.case(10, "globex")
    page.case(20, None)
    page.worker(30)                      # within a minute of her last SMS: nothing yet
    assert len(_texts_to(fake_twilio, CARLA)) == 1
    page.worker(60)
    page.case(70, "globex")              # a new case after that SMS: the next one waits a minute
    page.worker(100)
    page.worker(120)

    first, joined, later = _texts_to(fake_twilio, CARLA)
    assert first.startswith("ACME Cloud CRITICAL case 1001 from ACME Retail")
    assert joined == ("ACME Cloud: 2 more critical cases joined your page on ACME Suporte Brasil: 1002 from Globex, "
                      "1003 from an unidentified caller. 3 cases in all. "
                      "Reply ACK 1001 to acknowledge them all, ESC 1001 to escalate.")
    assert later.startswith("ACME Cloud: 1 more critical case joined your page on ACME Suporte Brasil: "
                            "1004 from Globex. 4 cases in all.")
    sms = [n for n in page.notifications() if n.channel == "sms"]
    assert [(n.kind, n.due_at, n.last_case_id) for n in sms] == [
        ("page", _at(0), 1), ("joined", _at(60), 3), ("joined", _at(120), 4)]


def test_many_cases_joining_at_once_are_named_three_and_counted(paging, fake_twilio):
    page = paging()
    page.case(0, "acme-retail")
    page.worker(0)
    for i in range(1, 41):
        page.case(i, "globex" if i % 2 else None)
    page.worker(60)

    first, joined = _texts_to(fake_twilio, CARLA)
    assert joined.startswith("ACME Cloud: 40 more critical cases joined your page on ACME Suporte Brasil: "
                             "1002 from Globex, 1003 from an unidentified caller, 1004 from Globex and 37 more. "
                             "41 cases in all.")


def test_a_case_joining_before_the_page_sms_went_out_is_in_that_sms(paging, fake_twilio):
    page = paging()
    page.case(0, "acme-retail")
    page.case(5, "globex")               # the page's SMS is still waiting: it will name both
    page.worker(5)
    page.worker(120)

    [sms] = _texts_to(fake_twilio, CARLA)
    assert sms.startswith("ACME Cloud CRITICAL case 1001, 1002 from ACME Retail, Globex")
    assert [n.kind for n in page.notifications() if n.channel == "sms"] == ["page"]


def test_with_bundle_minutes_0_each_joining_case_is_told_at_once(paging, fake_twilio):
    page = paging(bundle_minutes=0)
    page.case(0, "acme-retail")
    page.worker(0)
    page.case(10, "globex")
    page.worker(10)
    page.case(20, None)
    page.worker(20)

    assert [t.split(":")[1].strip() for t in _texts_to(fake_twilio, CARLA)[1:]] == [
        "1 more critical case joined your page on ACME Suporte Brasil", ] * 2


def test_an_sms_with_nothing_new_to_tell_is_not_sent(paging, fake_twilio):
    page = paging(bundle_minutes=0)
    page.case(0, "acme-retail")
    page.worker(0)
    page.case(10, "globex")
    with page.sessions() as session, session.begin():  # as if an earlier message had already named 1002
        session.add(Notification(page_id=1, person_id="carla", channel="sms", kind="joined", to_number=CARLA,
                                 status="delivered", due_at=page.clock(), created_at=page.clock(),
                                 updated_at=page.clock(), last_case_id=2))
    page.worker(10)

    assert len(_texts_to(fake_twilio, CARLA)) == 1
    joined = [(n.status, n.error) for n in page.notifications() if n.kind == "joined"]
    assert joined == [("canceled", "no case joined since the last message"), ("delivered", None)]  # then ours
