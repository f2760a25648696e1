"""The engineer's side of a page, pure: the call's keys and the SMS replies."""

import pytest

from callflows.decision import FlowState, Gather, Hangup
from callflows.page import (
    CaseSummary,
    JoinedCases,
    PageFacts,
    case_numbers,
    joined_sms,
    page_call,
    page_key,
    page_sms,
    parse_reply,
)
from callflows.speech import clock, moment, phone_number, weekly_hours

PAGE = PageFacts(company="ACME Cloud", line="ACME Suporte Brasil",
                 cases=(CaseSummary(1042, "ACME Retail", "+5511988887777"),))
TWO_CASES = PageFacts(company="ACME Cloud", line="ACME Suporte Brasil",
                      cases=(CaseSummary(1042, "ACME Retail", "+5511988887777"), CaseSummary(1043, "Globex", None)))


@pytest.mark.parametrize(("body", "action", "case"), [
    ("ACK 1042", "acknowledge", 1042),     # the documented form
    ("ack1042", "acknowledge", 1042),      # no space, lower case
    ("Ack #1042.", "acknowledge", 1042),   # a hash and a full stop
    ("acknowledge 7", "acknowledge", 7),   # the long word
    ("1", "acknowledge", None),            # just 1: the sender's only open page
    (" 1 ", "acknowledge", None),          # with spaces
    ("ESC 1042", "escalate", 1042),        # escalate a case
    ("escalate 1042", "escalate", 1042),
    ("2", "escalate", None),               # just 2: the sender's only open page
    ("11", None, None),                    # not "1"
    ("ACK", None, None),                   # no case number
    ("ACK ALL", "acknowledge all", None),  # every open page that reached the sender
    ("ack all.", "acknowledge all", None),
    ("on my way", None, None),             # anything else asks for help
    ("STOP", "opt-out", None),             # Twilio's opt-out keywords
    (" unsubscribe. ", "opt-out", None),
    ("Start", "opt-in", None),             # and its opt-in keywords
    ("yes", "opt-in", None),
    ("", None, None),
    (None, None, None),                    # Twilio sent no Body at all
])
def test_sms_replies_are_read_as_acknowledge_escalate_or_help(body, action, case):
    reply = parse_reply(body)
    assert (reply.action, reply.case_number) == (action, case)


def test_the_page_call_reads_the_case_and_offers_1_acknowledge_2_escalate_3_repeat():
    decision = page_call(PAGE)
    assert isinstance(decision.action, Gather) and decision.action.step == "page_key"
    prompt = decision.action.prompt[0].text
    assert "case 1, 0, 4, 2, from ACME Retail, on the ACME Suporte Brasil line" in prompt
    assert "Press 1 to acknowledge" in prompt and "Press 2 to escalate" in prompt and "Press 3" in prompt


def test_a_page_carrying_two_cases_reads_them_all_in_one_call():
    prompt = page_call(TWO_CASES).action.prompt[0].text
    assert "cases, 2 of them: case 1, 0, 4, 2, from ACME Retail; case 1, 0, 4, 3, from Globex" in prompt


def test_a_page_of_many_cases_reads_three_and_counts_the_rest():
    many = PageFacts(company="ACME Cloud", line="ACME Suporte Brasil", cases=tuple(
        CaseSummary(1000 + i, f"Customer {i}", f"+55119{i:08d}", "It is down.") for i in range(1, 201)))
    prompt = page_call(many).action.prompt[0].text
    assert ("cases, 200 of them: case 1, 0, 0, 1, from Customer 1; case 1, 0, 0, 2, from Customer 2; "
            "case 1, 0, 0, 3, from Customer 3; and 197 more, listed in your messages") in prompt
    assert prompt.count("said: It is down.") == 3
    done, _ = page_key(many, "1", FlowState())
    said = done.speech[0].text
    assert said.count("case 1, 0, 0, ") == 3 and "The other callers are in your messages" in said


def test_4_acknowledges_all_the_engineers_open_pages_only_when_there_are_others():
    assert "Press 4" not in page_call(PAGE).action.prompt[0].text
    busy = PageFacts(company="ACME Cloud", line="ACME Suporte Brasil", cases=PAGE.cases, other_open_pages=2)
    assert "Press 4 to acknowledge this page and your 2 other open pages." in page_call(busy).action.prompt[0].text
    decision, does = page_key(busy, "4", FlowState())
    assert does == "acknowledge all" and isinstance(decision.action, Hangup)
    assert page_key(PAGE, "4", FlowState())[1] is None  # not offered: asked again


def test_voicemail_gets_a_short_message_and_no_question():
    decision = page_call(PAGE, answered_by_machine=True)
    assert isinstance(decision.action, Hangup) and "not an acknowledgement" in decision.note
    assert "Please check your messages" in decision.speech[1].text


@pytest.mark.parametrize(("digits", "attempt", "action", "ends"), [
    ("1", 0, "acknowledge", True),   # acknowledged
    ("2", 0, "escalate", True),      # escalate now
    ("3", 1, None, False),           # repeat: read again, attempts start over
    (None, 0, None, False),          # silence: ask again
    ("9", 1, None, False),           # a key not offered: ask again
    (None, 2, None, True),           # third silence: goodbye, the page stays open
])
def test_keys_on_the_page_call(digits, attempt, action, ends):
    decision, does = page_key(PAGE, digits, FlowState(attempt=attempt))
    assert does == action
    assert isinstance(decision.action, Hangup) is ends


def test_a_page_call_after_someone_else_acknowledged_says_who():
    decision = page_call(PageFacts(**{**PAGE.__dict__, "acknowledged_by": "Diego Rocha"}))
    assert "already acknowledged by Diego Rocha" in decision.speech[1].text
    assert isinstance(decision.action, Hangup)


def test_the_page_sms_names_the_cases_the_customers_and_how_to_answer():
    assert page_sms(PAGE) == ("ACME Cloud CRITICAL case 1042 from ACME Retail on ACME Suporte Brasil. "
                              "Caller: +5511988887777. Reply ACK 1042 to acknowledge, ESC 1042 to escalate.")
    assert page_sms(TWO_CASES).startswith("ACME Cloud CRITICAL case 1042, 1043 from ACME Retail, Globex on")


@pytest.mark.parametrize(("hour", "minute", "english", "portuguese"), [
    (9, 0, "9 AM", "9h"),
    (12, 0, "noon", "12h"),
    (17, 30, "5:30 PM", "17h30"),
    (0, 15, "12:15 AM", "0h15"),
])
def test_clock_times_are_spoken_naturally_in_each_language(hour, minute, english, portuguese):
    import datetime as dt

    assert clock(dt.time(hour, minute), "en-US") == english
    assert clock(dt.time(hour, minute), "pt-BR") == portuguese


def test_moments_and_weekly_hours_in_words():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from schedules import SupportHours, Window

    at = dt.datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert moment(at, "en-US") == "Monday, November 23, at 9 AM"
    assert moment(at, "pt-BR") == "segunda-feira, 23 de novembro, às 9h"
    split = (Window(dt.time(8), dt.time(12)), Window(dt.time(13), dt.time(17)))
    hours = SupportHours(ZoneInfo("UTC"), (split,) * 5 + ((Window(dt.time(9), dt.time(13)),), ()))
    assert weekly_hours(hours, "en-US") == "Monday to Friday, 8 AM to noon and 1 PM to 5 PM; Saturday, 9 AM to 1 PM"


def test_every_business_hours_language_has_every_business_hours_prompt():
    from callflows.prompts import missing_prompts

    assert missing_prompts() == {}


def test_a_page_with_many_cases_still_fits_one_sms():
    many = PageFacts(company="ACME Cloud", line="ACME Suporte Brasil",
                     cases=tuple(CaseSummary(1000 + i, f"Customer {i:03d}", f"+55119{i:08d}") for i in range(1, 201)))
    text = page_sms(many)
    assert len(text) <= 1600
    assert text.startswith("ACME Cloud CRITICAL case 1001, 1002, 1003 and 197 more from Customer 001, "
                           "Customer 002, Customer 003 and 197 more on ACME Suporte Brasil. Reply ACK 1001")


def test_the_joined_sms_names_three_cases_counts_the_rest_and_stays_one_message():
    joined = JoinedCases("ACME Cloud", "ACME Suporte Brasil", 1042, TWO_CASES.cases, count=2, total=3)
    assert joined_sms(joined) == ("ACME Cloud: 2 more critical cases joined your page on ACME Suporte Brasil: "
                                  "1042 from ACME Retail, 1043 from Globex. 3 cases in all. "
                                  "Reply ACK 1042 to acknowledge them all, ESC 1042 to escalate.")
    long_names = tuple(CaseSummary(2000 + i, "X" * 600, None) for i in range(3))
    text = joined_sms(JoinedCases("ACME Cloud", "Line", 1042, long_names, count=250, total=251))
    assert len(text) == 1600 and text.endswith("…")


def test_case_numbers_in_a_reply_are_named_three_and_counted():
    assert case_numbers([1042]) == "case 1042"
    assert case_numbers([1042, 1043]) == "cases 1042, 1043"
    assert case_numbers(list(range(1001, 1201))) == "cases 1001, 1002, 1003 and 197 more"


@pytest.mark.parametrize(("number", "spoken"), [
    ("+5511988887777", "plus 5 5, 1 1, 9 8 8 8 8, 7 7 7 7"),  # a São Paulo mobile, as written "+55 11 98888-7777"
    ("+12125550142", "plus 1, 2 1 2, 5 5 5, 0 1 4 2"),         # New York, "+1 212-555-0142"
    ("+999123", "plus 9 9 9 1 2 3"),                           # not a number phonenumbers knows: as it came
])
def test_the_callers_number_is_read_in_the_groups_it_is_written_in(number, spoken):
    assert phone_number(number) == spoken


def test_acknowledging_reads_back_each_callers_number():
    decision, _ = page_key(PAGE, "1", FlowState())
    said = " ".join(s.text for s in decision.speech)
    assert "Callers: case 1, 0, 4, 2: plus 5 5, 1 1, 9 8 8 8 8, 7 7 7 7." in said
