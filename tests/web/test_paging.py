"""The first page: SMS and voice call to the on-call engineer, acknowledged by key or by SMS."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from router import db
from router.models import InboundSms, Notification, Page
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, sao_paulo

CARLA = "+5511970000003"  # on call for the Brazilian line in the week of 2026-11-23
DIEGO = "+5511970000004"


def _page(app) -> Page:
    with db.sessions(app)() as session:
        return session.scalars(select(Page).options(selectinload(Page.notifications),
                                                    selectinload(Page.events))).one()


def _critical_call(twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")  # Saturday night
    return twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(15)


def _settled(app):
    """All notifications of the page have a final Twilio status, and the sender has stored their SIDs.

    (Twilio's status callbacks can come back before the sender has recorded what Twilio answered it.)
    """
    final = {"delivered", "undelivered", "failed", "completed", "busy", "no-answer", "canceled"}
    page = _page(app)
    done = all(n.status in final and (n.twilio_sid or n.status in ("canceled", "failed")) for n in page.notifications)
    return page if done else None


def test_the_engineer_presses_1_on_the_page_call_and_it_is_recorded_as_the_acknowledgement(
        served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human", presses=("1",))
    _critical_call(twilio, clock)
    page = fake_twilio.wait_until(lambda: _settled(served_app))
    assert (page.status, page.acknowledged_by, page.acknowledged_via) == ("acknowledged", "carla", "voice")
    assert {(n.channel, n.status) for n in page.notifications} == {("sms", "delivered"), ("voice", "completed")}
    assert all(n.twilio_sid and n.sent_at for n in page.notifications)
    [sms] = fake_twilio.messages()
    assert (sms["to"], sms["from"]) == (CARLA, BRAZIL_LINE)
    assert sms["body"].startswith("ACME Cloud CRITICAL case 1001 from ACME Retail on ACME Suporte Brasil.")
    [call] = fake_twilio.calls()
    heard = fake_twilio.transcript(call["sid"]).heard()
    assert "Critical production case 1, 0, 0, 1, from ACME Retail" in heard
    assert "Acknowledged. The page is yours. Callers: case 1, 0, 0, 1: plus 5 5, 1 1, 9 8 8 8 8, 7 7 7 7." in heard


def test_an_sms_reply_ack_with_the_case_number_acknowledges(served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human", sms_reply="ACK {case}")
    _critical_call(twilio, clock)
    page = fake_twilio.wait_until(lambda: (p := _page(served_app)).status == "acknowledged" and p)
    assert (page.acknowledged_by, page.acknowledged_via) == ("carla", "sms")
    voice = next(n for n in page.notifications if n.channel == "voice")
    fake_twilio.wait_until(lambda: _settled(served_app))
    with db.sessions(served_app)() as session:
        assert session.get(Notification, voice.id).status == "completed"
        reply = session.scalars(select(InboundSms)).one()
    assert (reply.body, reply.outcome) == ("ACK 1001", "acknowledged case 1001")


@pytest.mark.parametrize(("body", "outcome", "reply"), [
    ("1", "acknowledged case 1001", "Acknowledged: case 1001 is yours."),       # the only open page
    ("ack #1001", "acknowledged case 1001", "Acknowledged: case 1001 is yours."),
    ("ACK 4242", "no page for case 4242", "There is no page for case 4242."),
    ("on my way", "not understood, help sent", "Reply ACK &lt;case number&gt;"),
])
def test_sms_replies_from_the_engineer(served_app, twilio, clock, fake_twilio, body, outcome, reply):
    fake_twilio.add_number(CARLA, answer="human")
    _critical_call(twilio, clock)
    fake_twilio.wait_until(lambda: _settled(served_app))
    answer = twilio.post("/sms/incoming", MessageSid="SM" + "1" * 32, From=CARLA, To=BRAZIL_LINE, Body=body)
    assert reply in answer.get_data(as_text=True)
    with db.sessions(served_app)() as session:
        assert session.scalars(select(InboundSms)).one().outcome == outcome


def test_an_sms_from_an_unknown_number_is_logged_and_ignored(served_app, twilio):
    answer = twilio.post("/sms/incoming", MessageSid="SM" + "2" * 32, From="+15005550006", To=BRAZIL_LINE,
                         Body="ACK 1001")
    assert "<Message" not in answer.get_data(as_text=True)
    with db.sessions(served_app)() as session:
        assert session.scalars(select(InboundSms)).one().outcome == "unknown sender, ignored"


def test_a_retried_sms_acknowledges_once_and_answers_the_same(served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human")
    _critical_call(twilio, clock)
    form = {"MessageSid": "SM" + "3" * 32, "From": CARLA, "To": BRAZIL_LINE, "Body": "ACK 1001"}
    first, second = twilio.post("/sms/incoming", **form), twilio.post("/sms/incoming", **form)
    assert first.data == second.data
    with db.sessions(served_app)() as session:
        assert len(session.scalars(select(InboundSms)).all()) == 1


def test_a_page_call_answered_after_an_sms_ack_says_who_took_it(served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human")
    _critical_call(twilio, clock)
    fake_twilio.wait_until(lambda: _settled(served_app))
    twilio.post("/sms/incoming", MessageSid="SM" + "4" * 32, From=CARLA, To=BRAZIL_LINE, Body="1")
    voice = next(n for n in _page(served_app).notifications if n.channel == "voice")
    answer = twilio.post(f"/voice/page/{voice.id}", CallSid="CA" + "5" * 32, To=CARLA, From=BRAZIL_LINE)
    assert "was already acknowledged by Carla Mendes" in answer.get_data(as_text=True)


def _passes(app, clock, *seconds: float) -> None:
    """The worker's passes at these many seconds after Saturday 03:00."""
    from router.paging.worker import run_pass

    for second in seconds:
        clock.at = sao_paulo("2026-11-28 03:00") + dt.timedelta(seconds=second)
        with app.app_context():
            run_pass(runtime(app).services)


def test_a_notification_twilio_refuses_for_a_moment_goes_out_15_s_later(served_app, twilio, clock, fake_twilio):
    app = served_app
    fake_twilio.add_number(CARLA, answer="human")
    fake_twilio.refuse_next(2)  # a short Twilio outage: the page's SMS and call are both refused
    _critical_call(twilio, clock)
    runtime(app).dispatcher.shutdown()  # waits for the first attempts
    waiting = _page(app).notifications
    assert [(n.status, n.attempts) for n in waiting] == [("pending", 1)] * 2
    assert all(n.error.endswith("Unable to create record: Service Unavailable") for n in waiting)
    _passes(app, clock, 14)
    assert not fake_twilio.messages() and not fake_twilio.calls()
    _passes(app, clock, 15)

    page = fake_twilio.wait_until(lambda: _settled(app))
    assert [(n.channel, n.status, n.attempts) for n in page.notifications] == [
        ("sms", "delivered", 2), ("voice", "completed", 2)]
    assert [e["resource"] for e in fake_twilio.log() if e["kind"] == "refused"] == ["message", "call"]


def test_a_notification_twilio_cannot_take_after_3_attempts_fails_and_the_page_moves_on(make_app, twilio, clock):
    app = make_app(twilio_api_base="http://127.0.0.1:9")  # nothing listens there
    from tests.web.helpers import Twilio

    call = Twilio(app.test_client()).call(ACME_CONTACT, BRAZIL_LINE)
    clock.at = sao_paulo("2026-11-28 03:00")
    call.arrives().presses("1").presses("1").records(5).hears("The on-call engineer has been paged")
    runtime(app).dispatcher.shutdown()  # waits for the first attempts
    _passes(app, clock, 15, 30)

    page = _page(app)
    carla = [(n.channel, n.status, n.attempts) for n in page.notifications if n.person_id == "carla"]
    assert carla == [("sms", "failed", 3), ("voice", "failed", 3)]
    assert all(n.error for n in page.notifications if n.person_id == "carla")
    assert (page.round, page.step) == (0, 1)  # her call could not be placed: step 2 at once, not at 5 minutes
    assert page.events[-2].detail == "every call of the step reached nobody"


def test_status_callbacks_arriving_out_of_order_never_move_a_notification_back(
        served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human")
    _critical_call(twilio, clock)
    page = fake_twilio.wait_until(lambda: _settled(served_app))
    sms = next(n for n in page.notifications if n.channel == "sms")
    assert sms.status == "delivered"
    twilio.post(f"/sms/status/{sms.id}", MessageSid=sms.twilio_sid, MessageStatus="sent")  # late and stale
    twilio.post(f"/sms/status/{sms.id}", MessageSid=sms.twilio_sid, MessageStatus="queued")
    assert next(n for n in _page(served_app).notifications if n.channel == "sms").status == "delivered"


def test_a_status_callback_for_a_notification_that_does_not_exist_is_a_404(served_app, twilio):
    assert twilio.post("/sms/status/999", MessageSid="SM1", MessageStatus="sent").status_code == 404


@pytest.mark.parametrize(("answer", "final"), [
    ("machine", "machine"),     # voicemail picked up: a short message, not an acknowledgement
    ("busy", "busy"),
    ("no-answer", "no-answer"),
])
def test_a_call_that_reaches_nobody_moves_the_page_on_at_once(served_app, twilio, clock, fake_twilio, answer, final):
    fake_twilio.add_number(CARLA, answer=answer, presses=("1",))
    for person in ("+5511970000004", "+5511970000005"):  # step 2: Diego and Gabriel, who leave it ringing
        fake_twilio.add_number(person, answer="human")
    _critical_call(twilio, clock)

    def moved_on():  # and the sender has stored Carla's call SID (its callbacks can come first)
        page = _page(served_app)
        carla = [n for n in page.notifications if (n.person_id, n.channel) == ("carla", "voice")]
        return page if (page.round, page.step) == (0, 1) and carla[0].twilio_sid else None

    page = fake_twilio.wait_until(moved_on)
    carla_call = next(n for n in page.notifications if (n.person_id, n.channel) == ("carla", "voice"))
    assert carla_call.status == final and page.status == "open"
    assert {n.person_id for n in page.notifications if n.step == 1} == {"diego", "gabriel"}
    if answer == "machine":
        transcript = fake_twilio.transcript(carla_call.twilio_sid)
        assert "Please check your messages and acknowledge." in transcript.heard()
        assert not transcript.of_kind("press")  # no question was asked of the voicemail
        # After the beep: Twilio held the message until the greeting ended.
        assert next(c for c in fake_twilio.calls() if c["sid"] == carla_call.twilio_sid)["answered_by"] == (
            "machine_end_beep")
        assert carla_call.answered_by == "machine_end_beep"


def test_pressing_2_on_the_page_call_escalates_now(served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human", presses=("2",))
    for person in ("+5511970000004", "+5511970000005"):
        fake_twilio.add_number(person, answer="human")
    _critical_call(twilio, clock)
    page = fake_twilio.wait_until(lambda: (p := _page(served_app)).step == 1 and p)
    assert page.events[-2].kind == "escalated" and "carla pressed 2" in page.events[-2].detail


def test_the_callers_transcribed_description_is_kept_and_read_on_later_page_calls(
        served_app, clock, fake_twilio):
    from router.fake_twilio import Script
    from router.models import Case
    from router.paging.worker import run_pass

    fake_twilio.add_number(CARLA, answer="human")  # answers, presses nothing: the page stays open
    clock.at = sao_paulo("2026-11-28 03:00")
    script = Script(presses=["1", "1"], says="The payment API returns 500 for every request.")
    fake_twilio.place_inbound_call(ACME_CONTACT, BRAZIL_LINE, script)
    with db.sessions(served_app)() as session:
        assert session.scalars(select(Case)).one().description == "The payment API returns 500 for every request."
    fake_twilio.wait_until(lambda: _settled(served_app))
    start = clock.at
    for minutes in (5, 15):  # step 2, then the repeat round calls Carla again
        clock.at = start + dt.timedelta(minutes=minutes)
        with served_app.app_context():
            run_pass(runtime(served_app).services)
    def second_call_to_carla():
        calls = [c for c in fake_twilio.calls() if c["to"] == CARLA]
        return len(calls) == 2 and fake_twilio.transcript(calls[-1]["sid"])

    heard = fake_twilio.wait_until(second_call_to_carla).heard()
    assert "The caller said: The payment API returns 500 for every request." in heard


def test_a_lost_status_callback_is_made_up_by_asking_twilio(app, twilio, clock, fake_twilio):
    """The web tier missed Twilio's callbacks (here: nothing serves them): the worker asks Twilio two minutes on."""
    fake_twilio.add_number(CARLA, answer="no-answer")
    _critical_call(twilio, clock)
    runtime(app).dispatcher.shutdown()
    fake_twilio.wait_until(lambda: [c for c in fake_twilio.calls() if c["status"] == "no-answer"])
    assert {n.status for n in _page(app).notifications} == {"queued"}  # no callback came through
    _passes(app, clock, 119)
    assert {n.status for n in _page(app).notifications} == {"queued"}  # not silent for long enough yet
    _passes(app, clock, 121)

    page = _page(app)
    carla = {n.channel: n.status for n in page.notifications if n.person_id == "carla"}
    assert carla == {"sms": "delivered", "voice": "no-answer"}
    assert (page.round, page.step) == (0, 1)  # her call reached nobody: on to step 2, as the callback would have
