"""After hours and on holidays: English only, the reopening time, messages and critical triage."""

import pytest
from sqlalchemy import select

from router import db
from router.models import Call, Case, Notification, Page
from tests.web.helpers import (
    ACME_CONTACT,
    BRAZIL_LINE,
    INITECH_CONTACT,
    STRANGER,
    sao_paulo,
)


def _one_case(app):
    with db.sessions(app)() as session:
        return session.scalars(select(Case)).one()


def test_on_a_brazilian_holiday_the_caller_hears_english_the_holiday_and_monday_reopening(app, twilio, clock):
    clock.at = sao_paulo("2026-11-20 10:00")  # Friday, National Day of Zumbi and Black Awareness
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    call.hears("Thank you for calling ACME Cloud support.", "in English only",
               "Today is National Day of Zumbi and Black Awareness, a holiday.",
               "Our support hours are Monday to Friday, 9 AM to 6 PM, São Paulo time",
               "Support reopens Monday, November 23, at 9 AM, São Paulo time.")
    for say in call.twiml.root.iter("Say"):
        assert (say.get("language"), say.get("voice")) == ("en-US", "Polly.Joanna")
    gather = call.twiml.one("Gather")
    assert gather.get("numDigits") == "1"
    assert "press 1" in gather.find("Say").text and "press 2" in gather.find("Say").text
    with db.sessions(app)() as session:
        logged = session.scalars(select(Call)).one()
    assert logged.decision == "closed: holiday National Day of Zumbi and Black Awareness"


def test_on_a_company_closure_the_caller_hears_that_the_offices_are_closed(app, twilio, clock):
    clock.at = sao_paulo("2026-12-24 11:00")  # Thursday, Christmas Eve: the company closes
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    call.hears("in English only", "Our offices are closed today for Christmas Eve.",
               "Support reopens Monday, December 28, at 9 AM, São Paulo time.")
    assert not any("a holiday" in say.text for say in call.twiml.root.iter("Say"))


@pytest.mark.parametrize(("at", "decision"), [
    ("2026-11-23 08:59", "closed: outside hours"),   # Monday, a minute before opening
    ("2026-11-23 18:00", "closed: outside hours"),   # Monday, closing time
    ("2026-11-28 11:00", "closed: weekend"),         # Saturday
    ("2026-12-24 11:00", "closed: holiday Christmas Eve"),  # a closure the package lacks
    ("2026-01-25 11:00", "closed: holiday São Paulo City Anniversary"),  # the city's holiday, on a Sunday
    ("2026-06-04 11:00", "closed: holiday Corpus Christi"),  # the city's holiday, on a Thursday
])
def test_closed_moments_are_logged_with_their_reason(app, twilio, clock, at, decision):
    clock.at = sao_paulo(at)
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().hears("press 1")
    with db.sessions(app)() as session:
        assert session.scalars(select(Call)).one().decision == decision


def test_after_hours_message_opens_a_case_due_one_business_day_of_open_time_later(app, twilio, clock):
    clock.at = sao_paulo("2026-11-27 19:00")  # Friday evening: closed
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("2").hears("After the tone")
    call.records(20).hears("Your case number is 1, 0, 0, 1.",
                           "We will respond by Monday, November 30, at 6 PM, São Paulo time.")
    assert call.twiml.verbs() == ["Say", "Hangup"]
    case = _one_case(app)
    # Opened after Friday's close: the whole of Monday's 9 open hours is the business day.
    assert case.first_response_due == sao_paulo("2026-11-30 18:00")
    assert case.needs_review and case.severity == "normal"


def test_critical_case_from_a_known_customer_pages_the_on_call_engineer(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")  # Saturday night
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1")
    call.hears("ACME Retail, you are reporting a critical issue", "To confirm and page the on-call engineer, press 1")
    call.presses("1").hears("Your critical case number is 1, 0, 0, 1. We are paging the on-call engineer now.",
                            "After the tone, briefly describe the problem")
    assert call.twiml.one("Record").get("maxLength") == "60"
    call.records(15).hears("The on-call engineer has been paged", "Your case number is 1, 0, 0, 1.")
    case = _one_case(app)
    assert (case.severity, case.customer_id, case.recording_seconds) == ("critical", "acme-retail", 15)
    with db.sessions(app)() as session:
        page = session.scalars(select(Page)).one()
        assert ([c.id for c in page.cases], page.status, page.policy_id) == ([case.id], "open", "critical-brazil")
        channels = {(n.person_id, n.channel, n.to_number) for n in session.scalars(select(Notification))}
    assert channels == {("carla", "sms", "+5511970000003"), ("carla", "voice", "+5511970000003")}


def test_unknown_caller_must_give_an_account_before_paging(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("1").hears("enter your account number")
    call.presses("482910").hears("ACME Retail, you are reporting a critical issue")


def test_unknown_caller_who_cannot_identify_can_only_leave_a_message(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("1")
    call.presses("1").presses("2").presses("3").hears("could not identify your account", "After the tone")
    call.records()
    with db.sessions(app)() as session:
        assert session.scalars(select(Page)).all() == []
        assert session.scalars(select(Case)).one().needs_review


def test_a_package_without_after_hours_phone_support_cannot_page(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(INITECH_CONTACT, BRAZIL_LINE).arrives().presses("1")
    call.hears("does not include critical phone support outside business hours", "After the tone")


def test_critical_not_confirmed_falls_back_to_a_message(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("2").hears("After the tone")
    call.records()
    assert _one_case(app).severity == "normal"


def test_a_caller_who_records_nothing_still_hears_the_call_back_promise(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1")
    redirect = call.twiml.one("Redirect")
    call._post(redirect.text)  # Twilio recorded nothing and followed the Redirect after <Record>
    call.hears("The on-call engineer has been paged", "Your case number is 1, 0, 0, 1.")
    assert _one_case(app).recording_url is None


def test_a_call_to_a_number_that_is_not_a_line_is_told_so_and_logged(app, twilio):
    call = twilio.call(ACME_CONTACT, "+5511999990000").arrives().hears("This number is not in service.")
    assert call.twiml.verbs() == ["Say", "Hangup"]
    with db.sessions(app)() as session:
        assert session.scalars(select(Call)).one().decision == "unknown line"
