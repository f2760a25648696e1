"""An engineer reached by several open pages at once (lines of different policies): one answer takes them all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from router import db
from router.models import Case, Notification, Page
from tests.web.helpers import BRAZIL_LINE, TwiML

CARLA = "+5511970000003"


@pytest.fixture
def two_pages(app, clock):
    """Two open pages, of two policies, each with a case and a call to Carla; returns the calls' ids."""
    now = clock()
    calls = []
    with db.sessions(app)() as session, session.begin():
        for policy, customer in (("critical-brazil", "acme-retail"), ("another-policy", "globex")):
            page = Page(line_number=BRAZIL_LINE, policy_id=policy, status="open", opened_at=now)
            session.add(Case(line_number=BRAZIL_LINE, customer_id=customer, severity="critical", opened_at=now,
                             first_response_due=now, page=page))
            call = Notification(page=page, person_id="carla", channel="voice", to_number=CARLA,
                                status="in-progress", due_at=now, created_at=now, updated_at=now)
            session.add(call)
            session.flush()
            calls.append(call.id)
    return calls


def _pages(app) -> list[Page]:
    with db.sessions(app)() as session:
        return list(session.scalars(select(Page).order_by(Page.id)))


def test_ack_all_by_sms_acknowledges_every_open_page_that_reached_the_engineer(app, twilio, two_pages):
    answer = twilio.post("/sms/incoming", MessageSid="SM" + "6" * 32, From=CARLA, To=BRAZIL_LINE, Body="ACK ALL")
    assert "Acknowledged all your open pages: cases 1001, 1002." in answer.get_data(as_text=True)
    assert [(p.status, p.acknowledged_by, p.acknowledged_via) for p in _pages(app)] == [
        ("acknowledged", "carla", "sms")] * 2


def test_4_on_a_page_call_acknowledges_this_page_and_the_engineers_others(app, twilio, two_pages):
    first = two_pages[0]
    asked = TwiML(twilio.post(f"/voice/page/{first}", CallSid="CA" + "7" * 32, To=CARLA, From=BRAZIL_LINE,
                              AnsweredBy="human").data)
    assert "Press 4 to acknowledge this page and your 1 other open page." in asked.said()
    done = twilio.post(asked.one("Gather").get("action"), CallSid="CA" + "7" * 32, To=CARLA, From=BRAZIL_LINE,
                       Digits="4")
    assert "this page and your other open pages are yours" in TwiML(done.data).said()
    assert [(p.status, p.acknowledged_via) for p in _pages(app)] == [("acknowledged", "voice")] * 2
