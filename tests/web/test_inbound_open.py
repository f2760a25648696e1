"""Business hours on the Brazilian line: Portuguese, identification, tier 1, voicemail."""

from sqlalchemy import select

from router import db
from router.models import Call, Case
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, STRANGER


def _cases(app):
    with db.sessions(app)() as session:
        return list(session.scalars(select(Case)))


def test_known_caller_on_a_monday_morning_reaches_the_tier_1_ring_group(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    call.hears("Obrigado por ligar para o suporte da ACME Cloud", "Para abrir um novo chamado, tecle 1")
    gather = call.twiml.one("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.find("Say").get("language") == "pt-BR"
    assert gather.find("Say").get("voice") == "Polly.Camila"

    call.presses("1").hears("O número do seu chamado é 1, 0, 0, 1")
    dial = call.twiml.one("Dial")
    assert [n.text for n in dial.findall("Number")] == ["+5511970000001", "+5511970000002"]
    assert dial.get("timeout") == "25"
    assert dial.get("action").startswith("http://localhost/voice/step/ring_result")

    call.dial_ends("completed")
    assert call.twiml.verbs() == ["Hangup"]
    [case] = _cases(app)
    assert (case.number, case.customer_id, case.tier, case.severity) == (1001, "acme-retail", 1, "normal")
    assert case.first_answered_at is not None


def test_nobody_in_tier_1_answers_so_the_caller_leaves_a_voicemail_on_the_same_case(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer")
    call.hears("todos os nossos atendentes estão ocupados", "Após o sinal")
    record = call.twiml.one("Record")
    assert record.get("maxLength") == "119"  # the longest Twilio still transcribes
    assert call.twiml.verbs() == ["Say", "Say", "Record", "Redirect"]

    call.records(12).hears("O número do seu chamado é 1, 0, 0, 1", "terça-feira, 24 de novembro, às 10h")
    [case] = _cases(app)
    assert case.recording_seconds == 12
    assert case.first_answered_at is None


def test_unknown_caller_is_asked_for_the_account_number_and_then_gets_the_menu(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives().hears("digite o número da sua conta")
    gather = call.twiml.one("Gather")
    assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
    call.presses("482910").hears("Para abrir um novo chamado, tecle 1")
    call.presses("1")
    [case] = _cases(app)
    assert case.customer_id == "acme-retail"


def test_a_wrong_account_three_times_leads_to_a_message_flagged_for_review(app, twilio):
    call = twilio.call(STRANGER, BRAZIL_LINE).arrives()
    call.presses("1111").hears("não encontramos esse número de conta")
    call.presses("2222").hears("não encontramos esse número de conta")
    call.presses("3333").hears("Não conseguimos identificar a sua conta", "Após o sinal")
    call.records()
    [case] = _cases(app)
    assert case.needs_review and case.customer_id is None


def test_silence_and_a_key_not_offered_reprompt_twice_then_take_a_message(app, twilio):
    call = twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives()
    call.stays_silent().hears("Desculpe, não entendi.", "tecle 1")
    call.presses("7").hears("Desculpe, essa opção não é válida.", "tecle 1")
    call.presses("9").hears("Após o sinal")
    assert call.twiml.verbs()[-2:] == ["Record", "Redirect"]
    with db.sessions(app)() as session:
        notes = [event.note for event in session.scalars(select(Call)).one().events]
    assert notes[1:] == ["no input, try 1 of 3 → ask again", "'7' not offered, try 2 of 3 → ask again",
                         "'9' not offered, try 3 of 3 → message"]


def test_every_step_of_the_call_is_in_the_log_with_its_decision(app, twilio):
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer").records(5)
    with db.sessions(app)() as session:
        call = session.scalars(select(Call)).one()
        assert call.decision == "open"
        assert call.customer_id == "acme-retail"
        assert [(e.step, e.digits, e.note) for e in call.events] == [
            ("incoming", None, "open; caller ID is ACME Retail → menu"),
            ("menu", "1", "menu: 1, new problem → tier 1, case 1001"),
            ("ring_result", None, "ring group no-answer → voicemail"),
            ("message_recorded", None, f"message of 5 s; case 1001 due {call.case.first_response_due.isoformat()}")]
        assert call.case.number == 1001
