"""The SMS dialogue with the status page's subscribers, pure: what a text means, changes and answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callflows.page import OPT_IN as PAGING_OPT_IN
from callflows.page import OPT_OUT as PAGING_OPT_OUT
from statuspage.subscriptions import (
    HELP_LIMIT,
    OPT_IN,
    OPT_OUT,
    SMS_LIMIT,
    Command,
    Component,
    Outcome,
    Sender,
    Situation,
    Text,
    answer_text,
    read_text,
    status_text,
    update_text,
)
from statuspage.vocabulary import ComponentStatus

OK = ComponentStatus.OPERATIONAL
PAGE = Situation("ACME Cloud Status",
                 (Component("api", "Public API", OK), Component("database", "Managed databases", OK),
                  Component("dashboard", "Dashboard", OK), Component("sms-gateway", "SMS gateway", OK)),
                 ("api", "database"), (), "+551130000000")
CUSTOMER = Sender("ACME Retail", (), known=False, stopped=False, helps_in_a_row=0)
STRANGER = Sender(None, (), known=False, stopped=False, helps_in_a_row=0)
SUBSCRIBED = Sender("ACME Retail", ("api", "database"), known=True, stopped=False, helps_in_a_row=0)
STOPPED = Sender("ACME Retail", ("api",), known=True, stopped=True, helps_in_a_row=0)


@pytest.mark.parametrize(("body", "read"), [
    ("STATUS", Text(Command.STATUS)),
    (" status. ", Text(Command.STATUS)),
    ("SUBSCRIBE", Text(Command.SUBSCRIBE)),
    ("subscribe api, database api", Text(Command.SUBSCRIBE, ("api", "database"))),
    ("UNSUBSCRIBE", Text(Command.STOP)),     # alone, Twilio's opt-out
    ("unsubscribe dashboard", Text(Command.UNSUBSCRIBE, ("dashboard",))),
    ("stop api", Text(Command.UNSUBSCRIBE, ("api",))),  # not Twilio's keyword: the message is more than it
    ("Stop", Text(Command.STOP)), ("QUIT!", Text(Command.STOP)), ("stopall", Text(Command.STOP)),
    ("cancel", Text(Command.STOP)), ("END", Text(Command.STOP)),
    ("START", Text(Command.START)), ("unstop", Text(Command.START)), ("Yes", Text(Command.START)),
    ("HELP", Text(Command.HELP)), ("info", Text(Command.HELP)),
    ("what is going on?", Text(Command.UNKNOWN)), ("", Text(Command.UNKNOWN)), (None, Text(Command.UNKNOWN)),
])
def test_reading_a_text(body, read):
    assert read_text(body) == read


def test_the_opt_words_are_those_the_paging_dialogue_leaves_to_twilio():
    assert OPT_OUT == PAGING_OPT_OUT and OPT_IN == PAGING_OPT_IN
    assert {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"} <= OPT_OUT


def test_a_customer_contact_subscribes_to_the_line_s_components_by_default():
    answer = answer_text(Text(Command.SUBSCRIBE), CUSTOMER, PAGE)
    assert answer.outcome is Outcome.SUBSCRIBED and answer.subscribe == ("api", "database")
    assert "incidents on Public API, Managed databases" in answer.reply and "STOP to stop" in answer.reply


def test_subscribing_to_more_components_confirms_all_of_them_in_the_page_s_order():
    answer = answer_text(Text(Command.SUBSCRIBE, ("sms-gateway",)), SUBSCRIBED, PAGE)
    assert answer.subscribe == ("sms-gateway",)
    assert "Public API, Managed databases, SMS gateway" in answer.reply


def test_an_unknown_component_is_named_with_those_that_exist():
    answer = answer_text(Text(Command.SUBSCRIBE, ("api", "billing")), CUSTOMER, PAGE)
    assert answer.outcome is Outcome.UNKNOWN_COMPONENT and not answer.subscribe
    assert "no component billing" in answer.reply and "api, database, dashboard, sms-gateway" in answer.reply


def test_a_stranger_may_not_subscribe_and_is_told_whom_to_call():
    answer = answer_text(Text(Command.SUBSCRIBE), STRANGER, PAGE)
    assert answer.outcome is Outcome.REFUSED and not answer.subscribe
    assert "call support at +551130000000" in answer.reply


def test_stop_is_stored_and_never_answered():
    for sender in (CUSTOMER, SUBSCRIBED):
        answer = answer_text(Text(Command.STOP), sender, PAGE)
        assert answer.stop and answer.reply is None
    stranger = answer_text(Text(Command.STOP), STRANGER, PAGE)
    assert not stranger.stop and stranger.reply is None


def test_start_resumes_only_a_stopped_subscription_and_is_never_answered():
    assert answer_text(Text(Command.START), STOPPED, PAGE).start
    assert answer_text(Text(Command.START), STOPPED, PAGE).reply is None
    assert not answer_text(Text(Command.START), SUBSCRIBED, PAGE).start


@pytest.mark.parametrize("command", [Command.STATUS, Command.SUBSCRIBE, Command.HELP, Command.UNKNOWN])
def test_a_stopped_number_gets_no_answer_until_start(command):
    # Twilio refuses every SMS to it: the answer would be lost, and must not resubscribe it.
    answer = answer_text(Text(command), STOPPED, PAGE)
    assert answer.reply is None and not answer.subscribe and not answer.start


def test_unsubscribing_from_some_components_keeps_the_others():
    answer = answer_text(Text(Command.UNSUBSCRIBE, ("api",)), SUBSCRIBED, PAGE)
    assert answer.unsubscribe == ("api",) and "still get SMS about Managed databases" in answer.reply
    last = answer_text(Text(Command.UNSUBSCRIBE, ("api", "database")), SUBSCRIBED, PAGE)
    assert "no more status SMS" in last.reply
    none = answer_text(Text(Command.UNSUBSCRIBE, ("dashboard",)), SUBSCRIBED, PAGE)
    assert none.outcome is Outcome.NOT_SUBSCRIBED and not none.unsubscribe


def test_status_tells_the_line_s_components_worst_first_and_what_is_going_on():
    page = Situation(PAGE.page, (Component("api", "Public API", ComponentStatus.DEGRADED_PERFORMANCE),
                                 Component("database", "Managed databases", ComponentStatus.MAJOR_OUTAGE),
                                 Component("dashboard", "Dashboard", OK)),
                     ("api", "database", "dashboard"), (("Database latency", "identified"),), PAGE.support)
    assert status_text(page) == ("ACME Cloud Status: Managed databases: Major outage. Public API: Degraded "
                                 "performance. Dashboard: Operational. Database latency (identified).")
    assert status_text(PAGE) == "ACME Cloud Status: All systems operational."
    assert "Reply SUBSCRIBE" in answer_text(Text(Command.STATUS), CUSTOMER, PAGE).reply
    assert "Reply STOP" in answer_text(Text(Command.STATUS), SUBSCRIBED, PAGE).reply
    assert answer_text(Text(Command.STATUS), STRANGER, PAGE).reply == "ACME Cloud Status: All systems operational."


def test_help_for_customers_stops_after_the_limit_and_strangers_chatter_is_ignored():
    assert "SUBSCRIBE" in answer_text(Text(Command.UNKNOWN), CUSTOMER, PAGE).reply
    tired = Sender("ACME Retail", (), False, False, helps_in_a_row=HELP_LIMIT)
    assert answer_text(Text(Command.UNKNOWN), tired, PAGE).outcome is Outcome.HELP_WITHHELD
    assert answer_text(Text(Command.UNKNOWN), STRANGER, PAGE).reply is None
    assert "call support" in answer_text(Text(Command.HELP), STRANGER, PAGE).reply


def test_every_outcome_fits_the_sms_log_s_kind_column():
    assert max(len(outcome.value) for outcome in Outcome) <= 24


def test_an_update_s_sms_names_the_incident_its_status_and_the_body():
    assert update_text("ACME Cloud Status", "Database latency", "identified", "We found the  slow\nqueries.") == (
        "ACME Cloud Status: Database latency - Identified: We found the slow queries. (reply STOP to stop)")
    assert "- In progress:" in update_text("ACME Cloud Status", "Upgrade", "in_progress", "Under way.")


@given(st.text(max_size=400), st.text(min_size=1, max_size=2000), st.sampled_from(["investigating", "resolved"]))
def test_an_update_s_sms_fits_the_limit_and_always_says_how_to_stop(name, body, status):
    text = update_text("ACME Cloud Status", name, status, body)
    assert len(text) <= SMS_LIMIT and text.endswith("(reply STOP to stop)")


@given(st.text(max_size=200))
def test_no_text_is_an_error_and_every_reply_fits(body):
    for sender in (CUSTOMER, STRANGER, SUBSCRIBED, STOPPED):
        answer = answer_text(read_text(body), sender, PAGE)
        assert answer.reply is None or len(answer.reply) <= SMS_LIMIT
