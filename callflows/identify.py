"""Who is calling: caller ID, an account number with its optional PIN, and what their package allows."""

from __future__ import annotations

from dataclasses import replace

from callflows.common import retry, say, take_message
from callflows.decision import (
    CallerInput,
    CallFacts,
    CallOutcome,
    CustomerFacts,
    Decision,
    FlowState,
    Gather,
    Hangup,
)


def ask_account(call: CallFacts, state: FlowState) -> Gather:
    """Ask for the account number, keyed until the pound key."""
    return Gather("account", state, (say(call, "account"),), num_digits=None, timeout=10)


def account(call: CallFacts, said: CallerInput) -> Decision:
    """The caller keyed an account number: ask its PIN if it has one, else they are identified."""
    customer = call.find_account(said.digits) if said.digits else None
    if customer is None:
        return retry(call, said, lambda state: ask_account(call, state), "account_unknown", unidentified=True)
    if customer.pin:
        ask = _ask_pin(call, replace(call.state, pending=customer.id))
        return Decision(f"account {said.digits} is {customer.name} → PIN", (), ask)
    return identified(call, customer, f"account {said.digits} is {customer.name}")


def pin(call: CallFacts, said: CallerInput) -> Decision:
    """The caller keyed the PIN of the account they gave."""
    customer = call.candidate
    if customer is None:  # the action URL lost its account: start identification over
        return Decision("PIN without an account → ask the account", (), ask_account(call, call.state.fresh()))
    if said.digits and said.digits == customer.pin:
        return identified(call, customer, f"PIN correct for {customer.name}")
    return retry(call, said, lambda state: _ask_pin(call, state), "pin_wrong", unidentified=True)


def _ask_pin(call: CallFacts, state: FlowState) -> Gather:
    return Gather("pin", state, (say(call, "pin"),), num_digits=None, timeout=10)


def identified(call: CallFacts, customer: CustomerFacts, note: str) -> Decision:
    """The caller is known: check the package has phone support, then offer what it includes."""
    state = call.state.fresh(customer=customer.id, pending=None)
    call = replace(call, state=state, customer=customer)
    if not customer.has_phone:
        speech = (say(call, "channels", package=customer.package, channels=_channels(call, customer)),)
        return Decision(f"{note}; package {customer.package} has no phone channel", speech, Hangup(),
                        outcome=CallOutcome.NO_PHONE)
    if state.mode == "closed":
        return critical_for(call, customer, note)
    return Decision(f"{note} → menu", (), menu_gather(call, state))


def menu_gather(call: CallFacts, state: FlowState) -> Gather:
    """The business-hours menu; "your TAM" only where the package includes one and one is assigned."""
    options = [say(call, "menu_new"), say(call, "menu_existing")]
    if call.customer and call.customer.tam:
        options.append(say(call, "menu_tam"))
    return Gather("menu", state, tuple(options))


def critical_for(call: CallFacts, customer: CustomerFacts, note: str) -> Decision:
    """After hours: page only for packages with critical phone support; confirm first."""
    if not customer.may_page:
        return take_message(call, f"{note}; package has no after-hours phone support → message",
                            (say(call, "not_entitled"),))
    state = call.state.fresh(customer=customer.id, pending=None)
    call = replace(call, state=state)
    confirm = Gather("critical_confirm", state, (say(call, "critical_confirm", customer=customer.name),))
    return Decision(f"{note} → confirm", (), confirm)


def _channels(call: CallFacts, customer: CustomerFacts) -> str:
    names = [say(call, f"channel_{channel}").text for channel in customer.channels]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {say(call, 'and').text} " + names[-1]
