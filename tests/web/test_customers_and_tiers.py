"""Customers, packages, tiers and the TAM, through signed webhooks on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from router import db
from router.models import Call, Case
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, STRANGER, sao_paulo

UMBRELLA = "+5521987651234"   # Standard package: e-mail and portal only
GABRIEL = "+5511970000005"    # ACME Retail's TAM, and tier 2


def _cases(app):
    with db.sessions(app)() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


def test_a_customer_without_phone_support_hears_their_channels_and_the_call_is_logged(app, twilio):
    call = twilio.call(UMBRELLA, BRAZIL_LINE).arrives()
    call.hears("O seu pacote de suporte Standard não inclui atendimento por telefone",
               "por e-mail e portal do cliente")
    assert call.twiml.verbs() == ["Say", "Say", "Hangup"]
    with db.sessions(app)() as session:
        logged = session.scalars(select(Call)).one()
        assert logged.customer_id == "umbrella"
        assert "package Standard has no phone channel" in logged.events[0].note


def test_a_blocked_number_hears_so_and_is_logged(app, twilio):
    call = twilio.call("+19005550123", BRAZIL_LINE).arrives().hears("Este número não pode acessar o suporte.")
    assert call.twiml.verbs() == ["Say", "Hangup"]
    with db.sessions(app)() as session:
        assert "blocked number" in session.scalars(select(Call)).one().events[0].note


def test_the_account_number_and_pin_identify_the_caller(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("551200").hears("digite a sua senha")
    call.presses("0000").hears("essa senha não está correta")
    call.presses("2468").hears("Para abrir um novo chamado, tecle 1")
    call.presses("1")
    assert _cases(app)[0].customer_id == "globex"


def test_the_tam_option_rings_the_tam_opens_a_tier_2_case_and_counts_as_the_first_response(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().hears("Gerente Técnico de Contas, tecle 3")
    call.presses("3").hears("O número do seu chamado é 1, 0, 0, 1.")
    dial = call.twiml.one("Dial")
    assert [n.text for n in dial.findall("Number")] == [GABRIEL]
    assert "/voice/step/tam_result" in dial.get("action")
    call.dial_ends("completed")
    [case] = _cases(app)
    assert (case.tier, case.first_answered_by) == (2, "live call")


def test_an_unanswered_tam_goes_to_voicemail_when_the_tam_is_the_whole_tier_2_group(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("3").dial_ends("no-answer")
    call.hears("todos os nossos atendentes estão ocupados")  # tier 2 is only Gabriel, already rung
    assert call.twiml.verbs()[-2:] == ["Record", "Redirect"]


def test_the_existing_case_option_joins_the_case_and_rings_the_tier_that_owns_it(app, twilio, clock):
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("completed")
    clock.at = sao_paulo("2026-11-24 15:00")  # the next day: no repeat-call window
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("2").hears("digite o número do chamado")
    call.presses("1001").hears("sobre o chamado 1, 0, 0, 1")
    assert [n.text for n in call.twiml.one("Dial").findall("Number")] == ["+5511970000001", "+5511970000002"]
    with db.sessions(app)() as session:
        calls = session.scalars(select(Call).order_by(Call.id)).all()
        assert [c.case_id for c in calls] == [1, 1]
    assert len(_cases(app)) == 1


def test_another_customers_case_number_is_not_found(app, twilio, clock):
    twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("730055").presses("1")  # Initech's case 1001
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("2").presses("1001")
    call.hears("não encontramos esse chamado")


def test_a_second_call_within_the_window_joins_the_open_case_and_both_calls_are_logged(app, twilio, clock):
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer").records()
    clock.at += dt.timedelta(minutes=29)
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1")
    call.hears("Esta ligação foi adicionada ao seu chamado aberto, número 1, 0, 0, 1.")
    clock.at += dt.timedelta(minutes=31)  # an hour after the first: a new problem, a new case
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1")
    assert [c.number for c in _cases(app)] == [1001, 1002]
    with db.sessions(app)() as session:
        assert [c.case.number for c in session.scalars(select(Call).order_by(Call.id))] == [1001, 1001, 1002]


def test_a_repeat_critical_call_joins_and_upgrades_the_open_case_without_a_second_page(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("2").records()
    clock.at += dt.timedelta(minutes=5)
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1")
    call.hears("We have added this call to your open case, number 1, 0, 0, 1.", "critical case number is 1, 0, 0, 1")
    call.records()
    [case] = _cases(app)
    assert case.severity == "critical"
