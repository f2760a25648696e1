"""Each call keeps what came of it and the keys pressed, as its steps decide: the call log filters on them."""

import pytest
from sqlalchemy import select

from router import db
from router.models import Call
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, INITECH_CONTACT, STRANGER, sao_paulo


def _call(app):
    with db.sessions(app)() as session:
        call = session.scalars(select(Call)).one()
        return call.outcome, call.path


def test_a_caller_answered_by_tier_1_reached_tier_1(app, twilio, clock):
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("completed")
    assert _call(app) == ("tier 1", "1")


def test_a_caller_nobody_answered_left_a_voicemail(app, twilio):
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer").records()
    assert _call(app) == ("voicemail", "1")


def test_after_hours_a_message_and_a_paged_critical_case(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("2").records()
    assert _call(app) == ("message", "2")


def test_a_confirmed_critical_case_is_paged_from_the_moment_it_opens(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1")
    assert _call(app) == ("paged", "1 1")  # the caller may hang up during the description: still paged
    call.records(10)
    assert _call(app) == ("paged", "1 1")


def test_a_caller_who_hangs_up_in_the_menu_hung_up(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("482910")
    twilio.post("/voice/status", **{**call.base, "CallStatus": "completed", "CallDuration": "14"})
    assert _call(app) == ("hung up", "482910")


def test_a_call_with_an_outcome_keeps_it_when_it_ends(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("2").records()
    twilio.post("/voice/status", **{**call.base, "CallStatus": "completed", "CallDuration": "40"})
    assert _call(app) == ("message", "2")


@pytest.mark.parametrize(("caller", "line", "outcome"), [
    (INITECH_CONTACT, "+5511999990000", "unknown line"),
    ("+551190000001", BRAZIL_LINE, "blocked"),
    ("+5521987651234", BRAZIL_LINE, "no phone channel"),  # Umbrella Labs: e-mail and portal only
])
def test_the_first_request_alone_can_decide_the_outcome(app, twilio, caller, line, outcome):
    twilio.call(caller, line).arrives()
    assert _call(app) == (outcome, None)
