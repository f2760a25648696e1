"""What callers hear first: the choice among a line's incidents and maintenance, and how the flow says it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from callflows.decision import FlowState
from statuspage.announce import Announcement, IncidentFacts, choose, fresh, spoken_update
from tests.unit.flowfacts import facts, spoken, step
from tests.wallclock import sp

T0 = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


def _incident(name="API errors", impact="major", status="investigating", minutes=0, **more) -> IncidentFacts:
    return IncidentFacts("incident", name, status, impact, more.pop("update", "We are investigating."),
                         more.pop("until", None), more.pop("components", ("Public API",)),
                         T0 + dt.timedelta(minutes=minutes))


def _maintenance(name="Database upgrade", status="in_progress", minutes=0) -> IncidentFacts:
    return IncidentFacts("maintenance", name, status, "maintenance", "Under way.", T0 + dt.timedelta(hours=2),
                         ("Managed databases",), T0 + dt.timedelta(minutes=minutes))


def test_nothing_to_tell_is_none():
    assert choose([], "major") is None


def test_the_most_severe_unresolved_incident_at_or_above_the_threshold_is_told():
    happenings = [_incident("Minor blip", "minor"), _incident("Dashboard down", "major", minutes=5),
                  _incident("Everything down", "critical"), _incident("Old outage", "critical", "resolved", 9),
                  _maintenance()]
    assert choose(happenings, "major").name == "Everything down"
    assert choose(happenings[:2], "major").name == "Dashboard down"
    assert choose(happenings[:1] + happenings[3:], "major").kind == "maintenance"  # below it: the maintenance


def test_between_incidents_of_one_impact_the_latest_updated_is_told():
    assert choose([_incident("First", minutes=1), _incident("Second", minutes=7)], "major").name == "Second"


@pytest.mark.parametrize(("threshold", "told"), [("none", {"Cosmetic", "Slow", "Down"}),
                                                 ("minor", {"Slow", "Down"}), ("major", {"Down"}),
                                                 ("critical", set())])
def test_the_threshold_is_the_least_impact_told(threshold, told):
    alone = [_incident("Cosmetic", "none"), _incident("Slow", "minor"), _incident("Down", "major")]
    assert {i.name for i in alone if choose([i], threshold)} == told


@pytest.mark.parametrize("status", ["resolved", "postmortem"])
def test_a_resolved_incident_is_not_told(status):
    assert choose([_incident(impact="critical", status=status)], "none") is None


@pytest.mark.parametrize(("status", "told"), [("scheduled", False), ("in_progress", True), ("verifying", True),
                                              ("completed", False)])
def test_only_maintenance_under_way_is_told(status, told):
    assert (choose([_maintenance(status=status)], "critical") is not None) is told


def test_the_announcement_carries_the_name_update_end_and_components():
    until = T0 + dt.timedelta(hours=1)
    told = choose([_incident("  Elevated   API errors. ", update="  We are\n investigating ", until=until)], "major")
    assert told == Announcement("incident", "Elevated API errors", "We are investigating.", until, ("Public API",))


def test_a_long_update_is_cut_at_a_sentence():
    body = "First sentence here. " + "Second sentence is long " * 20 + "and ends."
    assert spoken_update(body, limit=100) == "First sentence here."
    assert spoken_update("word " * 100, limit=30).endswith("…")
    assert spoken_update("   ") is None
    assert spoken_update("Done!") == "Done!"


def test_an_external_read_is_fresh_for_ten_polls():
    assert fresh(T0, T0 + dt.timedelta(seconds=600), 60)
    assert not fresh(T0, T0 + dt.timedelta(seconds=601), 60)
    assert not fresh(None, T0, 60)


OUTAGE = Announcement("incident", "Elevated API errors", "We are investigating.", sp("2026-11-23 11:30"),
                      ("Public API", "Dashboard"))


def test_business_hours_in_portuguese_right_after_the_greeting():
    call = replace(facts("2026-11-23 10:00", customer=None), announcement=OUTAGE)
    decision = step("incoming", call)
    first, second = decision.speech[0], decision.speech[1]
    assert first.text == "Obrigado por ligar para o suporte da ACME Cloud."
    assert second.text == ("Estamos cientes de um problema que afeta Public API e Dashboard: Elevated API errors. "
                           "We are investigating. Esperamos resolvê-lo até segunda-feira, 23 de novembro, às 11h30, "
                           "horário de São Paulo.")
    assert (second.language, second.voice) == ("pt-BR", "Polly.Camila")
    assert "digite o número da sua conta" in spoken(decision)  # then the call goes on as usual
    assert decision.announced == "Elevated API errors"
    assert decision.note == 'open; caller not recognised; announced incident "Elevated API errors"'


def test_after_hours_in_english_before_the_closed_intro():
    call = replace(facts("2026-11-23 20:00", state=FlowState()), announcement=replace(
        OUTAGE, until=sp("2026-11-24 02:00")))
    decision = step("incoming", call)
    texts = [s.text for s in decision.speech]
    assert texts[1] == ("We are aware of an issue affecting Public API and Dashboard: Elevated API errors. "
                        "We are investigating. We expect it to be resolved by Tuesday, November 24, at 2 AM, "
                        "São Paulo time.")
    assert decision.speech[1].language == "en-US"
    assert texts[2].startswith("You have reached us outside our support hours")
    assert "press 1" in spoken(decision)
    assert decision.announced == "Elevated API errors"


def test_a_known_caller_hears_it_before_the_menu():
    decision = step("incoming", replace(facts("2026-11-23 10:00"), announcement=OUTAGE))
    assert "Elevated API errors" in decision.speech[1].text
    assert "tecle 1" in spoken(decision) and decision.announced == "Elevated API errors"


def test_an_estimate_already_past_is_not_promised():
    call = replace(facts("2026-11-23 12:00", customer=None), announcement=OUTAGE)  # 11:30 has gone by
    text = step("incoming", call).speech[1].text
    assert text.endswith("We are investigating.") and "Esperamos" not in text


def test_maintenance_without_named_components_or_update():
    told = Announcement("maintenance", "Web tier recycle", None, sp("2026-11-23 23:00"))
    text = step("incoming", replace(facts("2026-11-23 20:00"), announcement=told)).speech[1].text
    assert text == ("Scheduled maintenance is in progress: Web tier recycle. We expect it to be completed by "
                    "Monday, November 23, at 11 PM, São Paulo time.")


def test_without_an_announcement_nothing_changes():
    decision = step("incoming", facts("2026-11-23 10:00", customer=None))
    assert decision.announced is None and "announced" not in decision.note
    assert len(decision.speech) == 1


def test_a_blocked_caller_hears_no_announcement():
    decision = step("incoming", replace(facts(), blocked=True, announcement=OUTAGE))
    assert decision.announced is None and "Elevated" not in spoken(decision)
