"""The configuration file: the shipped example loads; every mistake names the file, the key and the problem."""

from __future__ import annotations

import pytest

from router.config import ConfigError, Settings, load_config, to_e164
from tests.conftest import EXAMPLE_CONFIG

EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")


def test_the_example_configuration_is_valid_and_normalises_numbers(support):
    line = support.line("+551130000000")
    assert line.name == "ACME Suporte Brasil" and line.place_name == "São Paulo"
    assert support.customer_by_phone("+16465550199").name == "Globex"  # written "+1 (646) 555-0199"
    assert support.customer_by_account("482910").id == "acme-retail"


def test_a_line_without_hours_gets_monday_to_friday_nine_to_six(support):
    weekly = support.line("+551130000000").support_hours.weekly
    assert [len(day) for day in weekly] == [1, 1, 1, 1, 1, 0, 0]
    assert str(weekly[0][0].opens) == "09:00:00" and str(weekly[0][0].closes) == "18:00:00"


@pytest.mark.parametrize(("old", "new", "message"), [
    # an unknown IANA zone
    ('timezone = "America/Sao_Paulo"\nplace', 'timezone = "America/Sao_Pablo"\nplace',
     "lines[0].timezone: unknown time zone 'America/Sao_Pablo'"),
    # a subdivision the holidays package does not know
    ('subdivision = "SP"', 'subdivision = "XX"', "lines[0].holidays: subdivision 'XX' is not one of BR's"),
    # a ring group member who is not a person
    ('ring_group = ["ana", "bruno"]', 'ring_group = ["ana", "zed"]',
     "lines[0].ring_group: 'zed' is not one of the configured people"),
    # a number that is not a phone number
    ('number = "+55 11 3000-0000"', 'number = "call me"', "lines[0].number: 'call me' is not a phone number"),
    # hours written wrongly
    ('monday = "08:00-18:00"', 'monday = "8 to 6"', 'lines[1].hours.monday: \'8 to 6\' is not a span like "09:00-18:00"'),
    # windows that overlap
    ('monday = "08:00-18:00"', 'monday = ["08:00-12:00", "11:00-18:00"]', "lines[1]: hours:"),
    # the support policy: no TAM on an advanced package
    ("tam = false  # the policy", "tam = true  # the policy",
     "packages[1]: package 'advanced' is advanced and includes a TAM; the policy forbids it"),
    # a language without prompts
    ('language = "pt-BR"', 'language = "fr-FR"', "lines[0].language: 'fr-FR' has no prompts"),
    # a typo in a key
    ("ring_seconds = 25", "ring_secs = 25", "lines[0].ring_secs: Extra inputs are not permitted"),
    # a customer on a package that does not exist
    ('package = "business"\ncontacts', 'package = "gold"\ncontacts',
     "customers[2].package: 'gold' is not one of the configured packages"),
])
def test_a_mistake_is_reported_with_file_key_and_problem(tmp_path, old, new, message):
    assert old in EXAMPLE, old
    path = tmp_path / "support.toml"
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: {message}" in str(error.value)


def test_a_file_that_is_not_toml_is_reported(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[service\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{path}: not valid TOML"):
        load_config(path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "nope.toml")


def test_secrets_come_only_from_the_environment_and_missing_ones_are_named():
    with pytest.raises(ConfigError, match="missing ROUTER_CONFIG .*TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SECRET_KEY"):
        Settings.from_env({})
    settings = Settings.from_env({"ROUTER_CONFIG": "x.toml", "TWILIO_ACCOUNT_SID": "AC1",
                                  "TWILIO_AUTH_TOKEN": "t", "SECRET_KEY": "s"})
    assert settings.database_url.startswith("sqlite:///") and settings.twilio_api_base is None


@pytest.mark.parametrize(("written", "e164"), [
    ("+55 11 98888-7777", "+5511988887777"),   # Brazilian mobile with punctuation
    ("+1 (646) 555-0199", "+16465550199"),     # North American notation
    ("(212) 555-0100", "+12125550100"),        # no country code: read as North American
    ("+44 20 7946 0958", "+442079460958"),     # London
])
def test_phone_numbers_in_any_common_notation_become_e164(written, e164):
    assert to_e164(written) == e164


def test_the_example_has_no_warnings(support):
    from router.config.warnings import config_warnings

    assert config_warnings(support) == []


def test_a_contact_that_comes_after_its_step_has_moved_on_is_a_warning(tmp_path):
    from router.config.warnings import config_warnings

    path = tmp_path / "short.toml"
    path.write_text(EXAMPLE.replace("delay_minutes = 5", "delay_minutes = 1", 1)
                    .replace('name = "Gabriel Nunes"', 'name = "Gabriel Nunes"\ncontact = []', 1), encoding="utf-8")
    warnings = config_warnings(load_config(path))
    assert "escalation_policies[0].steps[0]: diego's voice comes 1 min into the step, but the step moves on " \
           "after 1 min: it is never sent" in warnings
    assert any(w.endswith("gabriel has no contact method: a page reaches them by nothing") for w in warnings)


def test_a_policy_without_a_fallback_is_a_warning(tmp_path):
    from router.config.warnings import config_warnings

    path = tmp_path / "no-fallback.toml"
    path.write_text(EXAMPLE.replace('fallback = ["marta"]\n', "", 1), encoding="utf-8")
    assert config_warnings(load_config(path)) == [
        "escalation_policies[0].fallback: none: when its rotations have nobody on call, a page reaches no one"]
