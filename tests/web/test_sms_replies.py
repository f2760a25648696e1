"""An engineer's SMS beyond ACK and ESC: Twilio's STOP/START keywords, help that stops, pages of many cases."""

from __future__ import annotations

from sqlalchemy import select

from router import db
from router.models import InboundSms
from router.webhooks.sms import HELP_LIMIT
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, sao_paulo

CARLA = "+5511970000003"


def _sms(twilio, body: str, n: int) -> str:
    answer = twilio.post("/sms/incoming", MessageSid=f"SM{n:032d}", From=CARLA, To=BRAZIL_LINE, Body=body)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _outcomes(app) -> list[str]:
    with db.sessions(app)() as session:
        return list(session.scalars(select(InboundSms.outcome).order_by(InboundSms.id)))


def test_stop_and_start_are_logged_and_never_answered(app, twilio):
    # Twilio answers these keywords itself, and refuses our messages to a number that sent STOP.
    assert "<Message" not in _sms(twilio, "STOP", 1)
    assert "<Message" not in _sms(twilio, "start", 2)
    assert _outcomes(app) == [
        "opted out of SMS: Twilio blocks page SMS to this phone until START (calls still go)",
        "opted back in to SMS"]


def test_help_stops_after_five_in_a_row_until_the_engineer_sends_something_understood(app, twilio):
    replies = [_sms(twilio, "I'm driving, will call back", n) for n in range(HELP_LIMIT + 2)]
    assert all("Reply ACK" in r for r in replies[:HELP_LIMIT])
    assert all("<Message" not in r for r in replies[HELP_LIMIT:])  # an auto-reply loop ends here
    assert "There is no page for case 4242." in _sms(twilio, "ACK 4242", 100)  # understood
    assert "Reply ACK" in _sms(twilio, "??", 101)  # help again
    assert _outcomes(app)[HELP_LIMIT] == f"not understood, no help sent ({HELP_LIMIT} already sent)"


def test_acknowledging_a_page_of_two_cases_names_both(served_app, twilio, clock, fake_twilio):
    fake_twilio.add_number(CARLA, answer="human")
    clock.at = sao_paulo("2026-11-28 03:00")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(15)
    globex = twilio.call("+5511955554444", BRAZIL_LINE).arrives().presses("1")
    globex.presses("551200").presses("2468").presses("1").records(5)

    assert "Acknowledged: cases 1001, 1002 are yours." in _sms(twilio, "ACK 1002", 1)
    assert "Cases 1001, 1002 were already acknowledged." in _sms(twilio, "ACK 1001", 2)
