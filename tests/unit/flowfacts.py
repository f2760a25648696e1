"""Plain facts for call-flow tests: the Brazilian line, its customers, and how to play a step."""

from __future__ import annotations

from callflows.decision import (
    CallerInput,
    CallFacts,
    CaseFacts,
    CustomerFacts,
    Decision,
    FlowState,
    Gather,
    LineFacts,
    OpenCase,
)
from callflows.inbound import STEPS
from schedules import HolidayRules, SupportHours
from tests.wallclock import SAO_PAULO, sp

LINE = LineFacts(
    number="+551130000000", name="ACME Suporte Brasil", company="ACME Cloud", language="pt-BR",
    voice="Polly.Camila", english_voice="Polly.Joanna", place="São Paulo",
    hours=SupportHours.standard(SAO_PAULO, HolidayRules("BR", "SP")),
    ring_group=("+5511970000001", "+5511970000002"),
)
ACME = CustomerFacts("acme", "ACME Retail", may_page=True)
BASIC = CustomerFacts("basic", "Basic Co", may_page=False)
ACCOUNTS = {"482910": ACME, "111111": BASIC}


def facts(at="2026-11-23 10:00", customer=ACME, state=None, case=None, line=LINE) -> CallFacts:
    """A call on the line at a São Paulo wall-clock time."""
    return CallFacts(line=line, at=sp(at), caller="+5511988887777", customer=customer, state=state or FlowState(),
                     find_account=ACCOUNTS.get, case=case)


def step(name: str, call: CallFacts, **said) -> Decision | OpenCase:
    """Play one step with what the caller did."""
    return STEPS[name](call, CallerInput(**said))


def spoken(decision: Decision) -> str:
    """Everything the caller hears of a decision, prompts included."""
    prompt = decision.action.prompt if isinstance(decision.action, Gather) else ()
    return " ".join(s.text for s in decision.speech + prompt)



CLOSED = FlowState("closed", "acme")
CASE = CaseFacts(1042, sp("2026-11-30 18:00"), "normal")
