"""Who is calling and what their package gives them, as pure steps."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callflows.decision import (
    CaseFacts,
    CustomerFacts,
    Dial,
    FlowState,
    Hangup,
    JoinCase,
    MarkAnswered,
    OpenCase,
    Record,
)
from tests.unit.flowfacts import ACME, CASE, LINE, facts, sp, spoken, step

TAM_PHONE = "+5511970000005"
WITH_TAM = replace(ACME, tam=TAM_PHONE)
WITH_PIN = CustomerFacts("globex", "Globex", may_page=True, package="Advanced", pin="2468")
NO_PHONE = CustomerFacts("umbrella", "Umbrella Labs", may_page=False, package="Standard",
                         channels=("email", "portal"))
TIERED = replace(LINE, tier2_group=(TAM_PHONE, "+5511970000007"), tier3_group=("+5511970000006",))


def with_accounts(call, **accounts):
    return replace(call, find_account=accounts.get)


def test_an_account_with_a_pin_asks_for_the_pin_before_the_menu():
    call = with_accounts(facts(customer=None), **{"551200": WITH_PIN})
    decision = step("account", call, digits="551200")
    assert decision.action.step == "pin" and decision.action.state.pending == "globex"
    assert decision.action.state.customer is None  # not identified until the PIN is right


@pytest.mark.parametrize(("attempt", "pin", "next_step"), [
    (0, "2468", "menu"),               # right PIN: identified
    (0, "1111", "pin"),                # wrong PIN: ask again
    (2, "1111", "message_recorded"),   # third wrong try: a message, flagged for review
])
def test_the_pin_decides_whether_the_caller_is_identified(attempt, pin, next_step):
    state = FlowState("open", None, attempt, pending="globex")
    decision = step("pin", replace(facts(customer=None, state=state), candidate=WITH_PIN), digits=pin)
    assert decision.action.step == next_step
    if next_step == "menu":
        assert decision.action.state.customer == "globex" and decision.action.state.pending is None


def test_a_blocked_number_is_told_and_hung_up_on_whatever_the_hour():
    for at in ("2026-11-23 10:00", "2026-11-28 03:00"):
        decision = step("incoming", replace(facts(at), blocked=True))
        assert isinstance(decision.action, Hangup) and "blocked number" in decision.note


@pytest.mark.parametrize(("at", "text"), [
    ("2026-11-23 10:00", "pacote de suporte Standard não inclui atendimento por telefone. Você pode nos "
                         "contatar por e-mail e portal do cliente."),
    ("2026-11-28 03:00", "Your Standard support package does not include phone support. You can reach us by "
                         "e-mail and the customer portal."),
])
def test_a_customer_without_the_phone_channel_hears_the_channels_they_have(at, text):
    decision = step("incoming", facts(at, customer=NO_PHONE))
    assert text in spoken(decision)
    assert isinstance(decision.action, Hangup) and "has no phone channel" in decision.note


@pytest.mark.parametrize(("customer", "offered"), [(WITH_TAM, True), (ACME, False)])
def test_the_tam_option_is_offered_only_when_the_package_includes_one_and_one_is_assigned(customer, offered):
    decision = step("incoming", facts(customer=customer))
    assert ("tecle 3" in spoken(decision)) is offered
    pressed = step("menu", facts(customer=customer, state=FlowState("open", customer.id)), digits="3")
    assert (pressed == OpenCase("normal", tier=2)) is offered


def test_the_tam_option_dials_the_tam_then_the_tier_2_group_without_the_tam_then_voicemail():
    call = facts(customer=WITH_TAM, state=FlowState("open", "acme"), case=CASE, line=TIERED)
    decision = step("menu", call, digits="3")
    assert decision.action == Dial((TAM_PHONE,), "tam_result", FlowState("open", "acme"), 25)
    after = step("tam_result", call, dial_status="no-answer")
    assert after.action.numbers == ("+5511970000007",) and after.action.step == "ring_result"
    assert isinstance(step("ring_result", call, dial_status="busy").action, Record)
    assert step("tam_result", call, dial_status="completed").effects == (MarkAnswered(),)


# (the case found, digits keyed, the numbers rung; None: asked again)
EXISTING = [
    (replace(CASE, tier=1, customer="acme"), "1042", LINE.ring_group),           # tier 1 owns it
    (replace(CASE, tier=3, customer="acme"), "1042", ("+5511970000006",)),       # tier 3 owns it
    (replace(CASE, tier=2, customer="acme"), "1042", (TAM_PHONE,)),              # tier 2, the TAM first
    (replace(CASE, tier=1, customer="someone-else"), "1042", None),              # another customer's case
    (None, "9999", None),                                                        # no such case
]


@pytest.mark.parametrize(("case", "keyed", "rung"), EXISTING)
def test_an_existing_case_routes_to_the_tier_that_owns_it(case, keyed, rung):
    call = replace(facts(customer=WITH_TAM, state=FlowState("open", "acme"), line=TIERED),
                   find_case=lambda number: case if case and number == case.number else None)
    decision = step("existing_case", call, digits=keyed)
    if rung is None:
        assert decision.action.step == "existing_case" and "não encontramos esse chamado" in spoken(decision)
    else:
        assert decision.action.numbers == rung
        assert decision.effects == (JoinCase(1042),)


def test_a_repeat_call_that_joined_the_open_case_is_told_so():
    joined = CaseFacts(1042, sp("2026-11-24 10:00"), "normal", joined=True)
    decision = step("menu", facts(state=FlowState("open", "acme"), case=joined), digits="1")
    assert "Esta ligação foi adicionada ao seu chamado aberto, número 1, 0, 4, 2." in spoken(decision)
