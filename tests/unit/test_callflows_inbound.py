"""The inbound call flow as pure functions: no Flask, no database, plain facts in, decisions out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from callflows.decision import (
    AttachRecording,
    CallerInput,
    Dial,
    FlowState,
    Gather,
    Hangup,
    MarkAnswered,
    OpenCase,
    Record,
)
from callflows.fallback import fallback, without_database
from callflows.twiml import render
from schedules import Closure, HolidayRules, SupportHours
from tests.unit.flowfacts import (
    ACME,
    BASIC,
    CASE,
    CLOSED,
    LINE,
    facts,
    spoken,
    step,
)
from tests.wallclock import SAO_PAULO

# The São Paulo line, closing on Christmas Eve as well as on the package's holidays.
CLOSING_LINE = replace(LINE, hours=SupportHours.standard(
    SAO_PAULO, HolidayRules("BR", "SP", closures=(Closure(date(2026, 12, 24), "Christmas Eve"),))))

# (moment, what the line decides) on the São Paulo line.
ARRIVALS = [
    ("2026-11-23 10:00", "open"),                  # Monday morning
    ("2026-11-23 18:00", "closed: outside hours"),  # closing time
    ("2026-11-28 10:00", "closed: weekend"),       # Saturday
    ("2026-11-20 10:00", "closed: holiday National Day of Zumbi and Black Awareness"),  # Friday holiday
    ("2027-01-01 10:00", "closed: holiday Universal Fraternization Day"),  # across the year boundary
]


@pytest.mark.parametrize(("at", "note"), ARRIVALS)
def test_the_line_decides_open_or_closed_when_the_call_arrives(at, note):
    decision = step("incoming", facts(at))
    assert decision.note.split(";")[0] == note


def test_open_line_greets_in_portuguese_and_offers_the_menu():
    decision = step("incoming", facts())
    assert decision.speech[0].language == "pt-BR" and decision.speech[0].voice == "Polly.Camila"
    assert decision.action.step == "menu" and decision.action.state == FlowState("open", "acme")


def test_closed_line_speaks_english_names_the_holiday_and_the_reopening():
    decision = step("incoming", facts("2026-11-20 10:00"))
    text = spoken(decision)
    assert {s.language for s in decision.speech + decision.action.prompt} == {"en-US"}
    assert "Today is National Day of Zumbi and Black Awareness, a holiday." in text
    assert "Support reopens Monday, November 23, at 9 AM, São Paulo time." in text
    assert decision.action.step == "after_hours_menu" and decision.action.state.mode == "closed"


def test_a_closure_day_is_announced_as_a_closure_not_a_holiday():
    decision = step("incoming", facts("2026-12-24 10:00", line=CLOSING_LINE))
    text = spoken(decision)
    assert "Our offices are closed today for Christmas Eve." in text and "a holiday" not in text
    assert {s.language for s in decision.speech} == {"en-US"}  # after hours, English on the Portuguese line too
    assert decision.note.startswith("closed: holiday Christmas Eve")


def test_a_package_holiday_is_still_announced_as_a_holiday_on_a_line_with_closures():
    text = spoken(step("incoming", facts("2026-12-25 10:00", line=CLOSING_LINE)))
    assert "Today is Christmas Day, a holiday." in text and "offices are closed" not in text


def test_unknown_caller_is_asked_for_an_account_number_until_pound():
    decision = step("incoming", facts(customer=None))
    assert (decision.action.step, decision.action.num_digits) == ("account", None)


def test_new_problem_asks_for_a_case_then_dials_tier_1_and_reads_the_number():
    call = facts(state=FlowState("open", "acme"))
    assert step("menu", call, digits="1") == OpenCase("normal")
    decision = step("menu", replace(call, case=CASE), digits="1")
    assert isinstance(decision.action, Dial)
    assert decision.action.numbers == LINE.ring_group and decision.action.step == "ring_result"
    assert "1, 0, 4, 2" in spoken(decision)


@pytest.mark.parametrize(("dial_status", "answered"), [
    ("completed", True),    # an agent picked up: the first response
    ("no-answer", False),   # nobody: voicemail
    ("busy", False),
    (None, False),          # Twilio sent nothing useful
])
def test_the_ring_group_result_decides_between_answered_and_voicemail(dial_status, answered):
    decision = step("ring_result", facts(case=CASE), dial_status=dial_status)
    assert (MarkAnswered() in decision.effects) is answered
    assert isinstance(decision.action, Hangup if answered else Record)


@pytest.mark.parametrize(("attempt", "digits", "next_step"), [
    (0, None, "menu"),              # silence: ask again
    (1, "7", "menu"),               # a key not offered: ask again
    (2, "9", "message_recorded"),   # third failure: the message path
])
def test_silence_or_a_wrong_key_reprompts_twice_then_takes_a_message(attempt, digits, next_step):
    decision = step("menu", facts(state=FlowState("open", "acme", attempt)), digits=digits)
    assert decision.action.step == next_step


@pytest.mark.parametrize(("customer", "next_step"), [
    (ACME, "critical_confirm"),     # entitled: confirm
    (BASIC, "message_recorded"),    # package without after-hours phone support: message
    (None, "account"),              # unknown: identify first
])
def test_after_hours_critical_goes_only_to_entitled_identified_customers(customer, next_step):
    state = FlowState("closed", customer.id if customer else None)
    decision = step("after_hours_menu", facts("2026-11-28 03:00", customer=customer, state=state), digits="1")
    assert decision.action.step == next_step


def test_an_account_keyed_after_hours_leads_to_confirmation_with_the_customer_named():
    call = facts("2026-11-28 03:00", customer=None, state=FlowState("closed"))
    decision = step("account", call, digits="482910")
    assert decision.action.state.customer == "acme"
    assert "ACME Retail, you are reporting a critical issue" in spoken(decision)


def test_three_unknown_accounts_after_hours_take_a_flagged_message():
    call = facts("2026-11-28 03:00", customer=None, state=FlowState("closed", None, 2))
    decision = step("account", call, digits="000000")
    assert decision.action.step == "message_recorded"
    assert "could not identify your account" in spoken(decision)
    assert step("message_recorded", replace(call, state=FlowState("closed"))) == OpenCase("normal", needs_review=True)


def test_confirming_opens_the_paged_case_at_once_then_records_a_short_description():
    call = facts("2026-11-28 03:00", state=CLOSED)
    assert step("critical_confirm", call, digits="1") == OpenCase("critical", page=True)
    decision = step("critical_confirm", replace(call, case=replace(CASE, severity="critical")), digits="1")
    assert "Your critical case number is 1, 0, 4, 2. We are paging the on-call engineer now." in spoken(decision)
    assert isinstance(decision.action, Record) and decision.action.max_seconds == 60


def test_the_recorded_description_joins_the_case_and_the_caller_is_promised_a_call_back():
    call = facts("2026-11-28 03:00", state=CLOSED, case=replace(CASE, severity="critical"))
    decision = step("critical_recorded", call, recording_url="https://rec/1", recording_seconds=20)
    assert "The on-call engineer has been paged and will call you back" in spoken(decision)
    assert decision.effects == (AttachRecording("https://rec/1", 20),)
    assert isinstance(decision.action, Hangup)


def test_the_message_confirmation_gives_the_due_time_in_the_lines_time():
    decision = step("message_recorded", facts("2026-11-27 20:00", state=CLOSED, case=CASE))
    assert "We will respond by Monday, November 30, at 6 PM, São Paulo time." in spoken(decision)


def test_a_number_that_is_not_a_line_is_told_so_in_english():
    decision = step("incoming", facts(line=None))
    assert decision.note == "unknown line" and "not in service" in spoken(decision)


@pytest.mark.parametrize("name", ["menu", "existing_case", "critical_confirm", "connect_result", "message_recorded"])
def test_a_later_step_for_a_number_that_is_not_a_line_is_told_so_too(name):
    decision = step(name, facts(line=None, state=CLOSED), digits="1")
    assert decision.note == "unknown line" and "not in service" in spoken(decision)


def test_an_unidentified_caller_keying_a_tier_2_case_reaches_tier_2():
    # No customer, so no TAM: the case's tier 2 group is rung (with a group, else voicemail).
    orphan = replace(CASE, tier=2, customer=None)
    call = replace(facts(customer=None, line=replace(LINE, tier2_group=("+5511970000005",))),
                   find_case=lambda number: orphan if number == 1042 else None)
    decision = step("existing_case", call, digits="1042")
    assert isinstance(decision.action, Dial) and decision.action.numbers == ("+5511970000005",)


def test_a_live_connect_result_for_a_call_that_lost_its_case_opens_one():
    assert step("connect_result", facts(state=CLOSED), dial_status="no-answer") == OpenCase("critical", page=True)


@pytest.mark.parametrize(("step_name", "state", "expected"), [
    ("critical_recorded", CLOSED, ("+5511970000003",)),      # critical: straight to the engineer
    ("menu", FlowState("open", "acme"), LINE.ring_group),    # business hours: straight to tier 1
])
def test_when_the_service_fails_the_caller_is_still_put_through(step_name, state, expected):
    decision = fallback(facts(state=state), step_name, CallerInput(), "+5511970000003")
    assert decision.action.numbers == expected and decision.action.step is None


def test_when_the_service_fails_after_hours_on_a_message_path_the_caller_is_asked_to_call_again():
    decision = fallback(facts("2026-11-28 03:00", state=CLOSED), "after_hours_menu", CallerInput("2"),
                        "+5511970000003")
    assert isinstance(decision.action, Hangup) and "call again" in spoken(decision)


def test_the_fallback_follows_the_line_hours_not_the_state_an_action_url_carried():
    christmas_morning = facts("2026-12-25 10:00", state=FlowState("open", "acme"))  # a holiday: closed
    decision = fallback(christmas_morning, "menu", CallerInput("1"), "+5511970000003")
    assert isinstance(decision.action, Hangup)  # not put through to an empty office
    assert decision.speech[0].language == "en-US"  # after hours the line speaks English


def test_after_hours_the_menu_s_1_is_on_the_critical_path():
    decision = fallback(facts("2026-11-28 03:00", state=CLOSED), "after_hours_menu", CallerInput("1"),
                        "+5511970000003")
    assert decision.action.numbers == ("+5511970000003",)


@pytest.mark.parametrize(("name", "call", "said", "verb"), [
    ("incoming", facts("2026-12-25 10:00", state=FlowState()), CallerInput(), Gather),   # the holiday greeting
    ("after_hours_menu", facts("2026-11-28 03:00", state=CLOSED), CallerInput("1"), Gather),  # confirm critical
    ("critical_confirm", facts("2026-11-28 03:00", state=CLOSED), CallerInput("1"), Dial),    # case: fallback
    ("existing_case", facts(), CallerInput("1042"), Dial),  # a case looked up: fallback, tier 1
])
def test_without_the_database_the_call_goes_on_until_a_step_needs_a_case(name, call, said, verb):
    decision = without_database(name, call, said, "+5511970000003")
    assert isinstance(decision.action, verb), decision
    assert decision.note.startswith("without the database") or decision.note.startswith("fault")


def test_without_the_database_a_recorded_message_is_kept_when_the_spool_took_it():
    call = facts("2026-11-28 03:00", state=CLOSED)
    said = CallerInput(recording_url="https://api.twilio.test/rec/1", recording_seconds=9)
    kept = without_database("message_recorded", call, said, None, message_kept=True)
    assert "Your message is kept" in spoken(kept)
    lost = without_database("message_recorded", call, said, None, message_kept=False)
    assert "call again" in spoken(lost)


# (step, call, what the caller did, the recording's longest length in TwiML)
RECORDINGS = [
    ("after_hours_menu", facts("2026-11-28 03:00", state=CLOSED), {"digits": "2"}, "119"),  # after-hours message
    ("ring_result", facts(case=CASE), {"dial_status": "no-answer"}, "119"),  # voicemail after the ring group
    ("critical_confirm", facts("2026-11-28 03:00", state=CLOSED, case=replace(CASE, severity="critical")),
     {"digits": "1"}, "60"),  # the critical case's short description
]


@pytest.mark.parametrize(("name", "call", "said", "max_length"), RECORDINGS)
def test_every_transcribed_recording_is_short_enough_for_twilio_to_transcribe(name, call, said, max_length):
    document = ET.fromstring(render(step(name, call, **said), lambda action, state: f"/s/{action}"))
    record = document.find("Record")
    assert (record.get("maxLength"), record.get("transcribe")) == (max_length, "true")
    assert record.get("transcribeCallback") == "/s/transcription"


def test_a_transcribed_recording_of_two_full_minutes_is_refused():
    with pytest.raises(ValueError, match="at most 119 s"):
        Record("message_recorded", CLOSED, 120)


def test_rendered_twiml_carries_the_state_in_every_action_url():
    decision = step("incoming", facts("2026-11-28 03:00"))
    document = render(decision, lambda name, state: f"/s/{name}?mode={state.mode}&attempt={state.attempt}")
    assert 'action="/s/after_hours_menu?mode=closed&amp;attempt=0"' in document
    assert 'actionOnEmptyResult="true"' in document and 'numDigits="1"' in document
