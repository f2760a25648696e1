"""The SMS dialogue with a paged engineer, pure: which page a reply means, what it does, what we answer."""

from __future__ import annotations

import pytest

from callflows.page import HELP_SMS, parse_reply
from router.paging.dialogue import HELP_LIMIT, PageSummary, SmsOutcome, answer_sms
from router.paging.page import Acknowledge, Escalate
from router.paging.statuses import PageStatus, Via
from schedules import Position

STEP_1, STEP_2 = Position(0, 0), Position(0, 1)
ONE = PageSummary(7, (1042,), PageStatus.OPEN, STEP_1, asker_position=STEP_1)
OTHER = PageSummary(8, (1043, 1044), PageStatus.OPEN, STEP_1, asker_position=STEP_1)
MOVED_ON = PageSummary(7, (1042,), PageStatus.OPEN, STEP_2, asker_position=STEP_1)
EXHAUSTED = PageSummary(7, (1042,), PageStatus.EXHAUSTED, None, asker_position=STEP_1)
TAKEN = PageSummary(7, (1042,), PageStatus.ACKNOWLEDGED, STEP_1, asker_position=STEP_1)


# (the SMS, the person's untaken pages, the page its case number names, what it comes to, the reply, events)
DIALOGUE = [
    ("1", (ONE,), None, SmsOutcome.ACKNOWLEDGED, "Acknowledged: case 1042 is yours.",
     ((7, Acknowledge("carla", Via.SMS)),)),                                        # their only page
    ("1", (), None, SmsOutcome.NO_PAGE, "You have no open page.", ()),
    ("1", (ONE, OTHER), None, SmsOutcome.AMBIGUOUS, "You have several open pages. " + HELP_SMS, ()),
    ("ACK 1043", (ONE, OTHER), OTHER, SmsOutcome.ACKNOWLEDGED, "Acknowledged: cases 1043, 1044 are yours.",
     ((8, Acknowledge("carla", Via.SMS)),)),                                        # named: no ambiguity
    ("ACK 4242", (ONE,), None, SmsOutcome.NO_PAGE, "There is no page for case 4242.", ()),
    ("ACK 1042", (), TAKEN, SmsOutcome.ALREADY_TAKEN, "Case 1042 was already acknowledged.", ()),
    ("ACK 1042", (EXHAUSTED,), EXHAUSTED, SmsOutcome.ACKNOWLEDGED, "Acknowledged: case 1042 is yours.",
     ((7, Acknowledge("carla", Via.SMS)),)),                                        # out of steps, still takeable
    ("ACK ALL", (ONE, OTHER), None, SmsOutcome.ACKNOWLEDGED,
     "Acknowledged all your open pages: cases 1042, 1043, 1044.",
     ((7, Acknowledge("carla", Via.SMS)), (8, Acknowledge("carla", Via.SMS)))),
    ("ACK ALL", (), None, SmsOutcome.NO_PAGE, "You have no open page.", ()),
    ("2", (ONE,), None, SmsOutcome.ESCALATED, "Escalated: case 1042 goes to the next engineer.",
     ((7, Escalate("carla", STEP_1, "replied to escalate")),)),
    ("ESC 1042", (MOVED_ON,), MOVED_ON, SmsOutcome.ALREADY_ESCALATED,
     "Case 1042 has already gone to the next engineer.", ()),                       # the step timed out first
    ("ESC 1042", (EXHAUSTED,), EXHAUSTED, SmsOutcome.RAN_OUT,
     "Nobody is left to escalate case 1042 to. Reply ACK 1042 to take it.", ()),
    ("ESC 1042", (), TAKEN, SmsOutcome.ALREADY_TAKEN, "Case 1042 was already acknowledged.", ()),
    ("STOP", (ONE,), None, SmsOutcome.OPTED_OUT, None, ()),                         # Twilio answers these itself
    ("start", (ONE,), None, SmsOutcome.OPTED_IN, None, ()),
    ("on my way", (ONE,), None, SmsOutcome.HELP, HELP_SMS, ()),
]


@pytest.mark.parametrize(("body", "reached", "named", "outcome", "reply", "events"), DIALOGUE)
def test_an_engineers_sms_does_what_it_says_to_the_page_it_means(body, reached, named, outcome, reply, events):
    answer = answer_sms("carla", parse_reply(body), reached, named, helps_in_a_row=0)
    assert (answer.outcome, answer.reply, answer.events) == (outcome, reply, events)


def test_a_stranger_is_logged_and_never_answered():
    answer = answer_sms(None, parse_reply("ACK 1042"), (), None, 0)
    assert (answer.outcome, answer.reply, answer.events) == (SmsOutcome.IGNORED, None, ())


@pytest.mark.parametrize(("helps", "outcome", "reply"), [
    (HELP_LIMIT - 1, SmsOutcome.HELP, HELP_SMS),        # the fifth help text still goes
    (HELP_LIMIT, SmsOutcome.HELP_WITHHELD, None),       # then silence: an auto-reply cannot loop with us
])
def test_help_stops_after_five_in_a_row(helps, outcome, reply):
    answer = answer_sms("carla", parse_reply("?"), (ONE,), None, helps)
    assert (answer.outcome, answer.reply) == (outcome, reply)
