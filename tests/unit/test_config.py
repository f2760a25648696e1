"""The configuration file: the shipped example loads; every mistake names the file, the key and the problem."""

from __future__ import annotations

import re

import pytest

from router.config import ConfigError, Settings, load_config, to_e164
from schedules import status
from tests.conftest import EXAMPLE_CONFIG
from tests.wallclock import sp

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


# (São Paulo moment, expected status) on the example's São Paulo line: the city's own calendar.
CITY_CALENDAR = [
    ("2026-01-25 10:00", "closed: holiday São Paulo City Anniversary"),  # a city holiday (on a Sunday)
    ("2026-06-04 10:00", "closed: holiday Corpus Christi"),  # a city holiday on a Thursday
    ("2026-07-09 10:00", "closed: holiday Constitutionalist Revolution"),  # the state's holiday still counts
    ("2026-12-24 10:00", "closed: holiday Christmas Eve"),  # the company's closure
]


@pytest.mark.parametrize(("at", "expected"), CITY_CALENDAR)
def test_the_example_sao_paulo_line_keeps_the_citys_holidays(support, at, expected):
    hours = support.line("+551130000000").support_hours
    assert status(hours, sp(at)).describe() == expected


@pytest.mark.parametrize(("old", "new", "message"), [
    # an unknown IANA zone
    ('timezone = "America/Sao_Paulo"\nplace', 'timezone = "America/Sao_Pablo"\nplace',
     "lines[0].timezone: unknown time zone 'America/Sao_Pablo'"),
    # a subdivision the holidays package does not know
    ('subdivision = "São Paulo Capital"', 'subdivision = "XX"',
     "lines[0].holidays: subdivision 'XX' is not one of BR's"),
    # a ring group member who is not a person
    ('ring_group = ["ana", "bruno"]', 'ring_group = ["ana", "zed"]',
     "lines[0].ring_group: 'zed' is not one of the configured people"),
    # a number that is not a phone number
    ('number = "+55 11 3000-0000"', 'number = "call me"', "lines[0].number: 'call me' is not a phone number"),
    # hours written wrongly
    ('monday = "08:00-18:00"', 'monday = "8 to 6"',
     'lines[1].hours.monday: \'8 to 6\' is not a span like "09:00-18:00"'),
    # windows that overlap
    ('monday = "08:00-18:00"', 'monday = ["08:00-12:00", "11:00-18:00"]', "lines[1]: hours:"),
    # the support policy: no TAM on an advanced package
    ("tam = false  # the policy", "tam = true  # the policy",
     "packages[1]: package 'advanced' is advanced and includes a TAM; the policy forbids it"),
    # a language without prompts
    ('language = "pt-BR"', 'language = "fr-FR"', "lines[0].language: 'fr-FR' has no prompts"),
    # a typo in a key: the key probably meant is named
    ("ring_seconds = 25", "ring_secs = 25", "lines[0].ring_secs: unknown key; did you mean 'ring_seconds'?"),
    # a customer on a package that does not exist
    ('package = "business"\ncontacts', 'package = "gold"\ncontacts',
     "customers[2].package: 'gold' is not one of the configured packages"),
    # a number without a country code that is not valid in the default region (US)
    ('phone = "+55 11 97000-0001"', 'phone = "(11) 97000-0001"',
     "people[0].phone: '(11) 97000-0001' is not a valid number in US; write it with its country code "
     "(+55 ... or +381 ...) or set region"),
    ('contacts = ["+55 31 98765-4321"]', 'contacts = ["(31) 98765-4321"]',
     "customers[2].contacts[0]: '(31) 98765-4321' is not a valid number in US; write it with its country code"),
    # the New York line's number is read in its holidays' country, US
    ('number = "+1 212 555 0100"', 'number = "(11) 3000-0000"',
     "lines[1].number: '(11) 3000-0000' is not a valid number in US; write it with its country code"),
    # a number with its country code but too few digits
    ('phone = "+55 11 97000-0001"', 'phone = "+55 11 9700"',
     "people[0].phone: '+55 11 9700' is not a valid number in BR (+55); check its digits"),
    ('public_url = "http://127.0.0.1:5000"', 'public_url = "http://127.0.0.1:5000"\ndefault_region = "Brazil"',
     "service.default_region: 'Brazil' is not a region code (ISO 3166"),
    ('name = "Ana Souza"', 'name = "Ana Souza"\nregion = "br"', "people[0].region: 'br' is not a region code"),
    # strict types: each value as TOML writes its type
    ("ring_seconds = 25", 'ring_seconds = "25"', "lines[0].ring_seconds: should be an integer, not the string '25'"),
    ("advanced = true", 'advanced = "yes"', "packages[1].advanced: should be true or false, not the string 'yes'"),
    ('ring_group = ["erin"]', 'ring_group = "erin"', "lines[1].ring_group: should be an array, not the string 'erin'"),
    ('account = "482910"', "account = 482910", "customers[0].account: should be a string, in quotes, not the integer"),
    ("start = 2026-01-05T09:00:00  #", "start = 2026-01-05  #",
     "rotations[0].start: should be a local date-time such as 2026-12-24T18:00:00, not the date 2026-01-05"),
    # what pydantic words for programmers, worded for the file's author
    ('timezone = "America/Sao_Paulo"\nplace', 'timezon = "America/Sao_Paulo"\nplace',
     "lines[0].timezon: unknown key; did you mean 'timezone'?"),
    ('timezone = "America/Sao_Paulo"\nplace', 'timezon = "America/Sao_Paulo"\nplace',
     "lines[0].timezone: this key is required"),
    ("ring_seconds = 25", "xyzzy = 25", "lines[0].xyzzy: unknown key; the keys of this table are after_hours, "
     "announce_impact, components, escalation_policy, holidays, hours, language, name, number, place, region, "
     "ring_group, ring_seconds,"),
    ("[paging]", "[pagin]", "pagin: unknown key; did you mean 'paging'?"),
    ('ring_group = ["erin"]', 'ring_group = ["Erin"]',
     "lines[1].ring_group[0]: 'Erin' is not an id (lower-case letters, digits, '-' and '_', first a letter or digit)"),
    ('account = "482910"', 'account = "48-2910"',
     "customers[0].account: '48-2910' is not an account number (4 to 12 digits)"),
    ('public_url = "http://127.0.0.1:5000"', 'public_url = "127.0.0.1:5000"',
     "service.public_url: '127.0.0.1:5000' is not a URL starting http:// or https://"),
    ("ring_seconds = 25\nescalation", "ring_seconds = 3\nescalation", "lines[0].ring_seconds: 3 should be at least 5"),
    ("at_risk_share = 0.25", "at_risk_share = 1", "service.at_risk_share: 1 should be less than 1"),
    ('after_hours = "callback"  #', 'after_hours = "conect"  #',
     "lines[0].after_hours: 'conect' should be 'callback' or 'connect'"),
    ('name = "Ana Souza"', 'name = ""', "people[0].name: should not be empty"),
    # rotation and override times are local: the rotation's zone applies, an offset is a mistake
    ("start = 2026-01-05T09:00:00  #", "start = 2026-01-05T09:00:00-03:00  #",
     "rotations[0].start: 2026-01-05T09:00:00-03:00 has an offset; write the local time without one "
     "(the rotation's time zone, America/Sao_Paulo, applies)"),
    ("starts = 2026-12-24T18:00:00", "starts = 2026-12-24T18:00:00-03:00",
     "overrides[0].starts: 2026-12-24T18:00:00-03:00 has an offset; write the local time without one "
     "(the rotation's time zone, America/Sao_Paulo, applies)"),
    # one end with an offset, the other without: once a TypeError comparing them
    ("ends = 2026-12-26T09:00:00", "ends = 2026-12-26T12:00:00Z",
     "overrides[0].ends: 2026-12-26T12:00:00+00:00 has an offset; write the local time without one "
     "(the rotation's time zone, America/Sao_Paulo, applies)"),
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


def test_a_file_that_is_not_utf8_is_reported_with_its_name_and_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(EXAMPLE.replace("São Paulo", "S\u00e3o Paulo", 1).encode("latin-1", errors="replace"))
    line = EXAMPLE[:EXAMPLE.index("São Paulo")].count("\n") + 1
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: line {line} is not UTF-8 (byte 0xe3); save the file as UTF-8"


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


def test_a_callers_number_need_only_be_possible_and_may_be_read_in_a_region():
    assert to_e164("+1 200 555 0100") == "+12005550100"  # no such area code, but a caller is who they are
    assert to_e164("(11) 98888-7777", "BR") == "+5511988887777"


def _edited_example(tmp_path, *edits: tuple[str, str]):
    """The example with each (old, new) edit made once, loaded."""
    text = EXAMPLE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "support.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_a_number_without_country_code_is_read_in_its_line_person_or_customer_region(tmp_path):
    support = _edited_example(
        tmp_path,
        ('number = "+55 11 3000-0000"', 'number = "(11) 3000-0000"'),  # the line's holidays: BR
        ('number = "+1 212 555 0100"', 'region = "BR"\nnumber = "(11) 3000-0001"'),  # region wins over US holidays
        ('phone = "+55 11 97000-0001"', 'region = "BR"\nphone = "(11) 97000-0001"'),
        ('contacts = ["+55 31 98765-4321"]', 'region = "BR"\ncontacts = ["(31) 98765-4321"]'))
    assert support.line("+551130000000").name == "ACME Suporte Brasil"
    assert support.line("+551130000001").name == "ACME Support US"
    assert support.person("ana").phone == "+5511970000001"
    assert support.customer_by_phone("+5531987654321").id == "initech"


def test_default_region_reads_the_other_numbers_and_a_country_code_is_read_as_written(tmp_path):
    support = _edited_example(
        tmp_path,
        ('public_url = "http://127.0.0.1:5000"', 'public_url = "http://127.0.0.1:5000"\ndefault_region = "BR"'),
        ('phone = "+55 11 97000-0001"', 'phone = "(11) 97000-0001"'),
        ('contacts = ["+55 31 98765-4321"]', 'region = "US"\ncontacts = ["(646) 555-0198"]'))
    assert support.person("ana").phone == "+5511970000001"
    assert support.person("erin").phone == "+12125550142"  # written "+1 212 555 0142"
    assert support.customer_by_phone("+16465550198").id == "initech"


def test_strict_types_still_take_toml_arrays_for_tuples_and_integers_for_numbers(support):
    assert support.line("+551130000000").ring_group == ("ana", "bruno")
    assert support.paging.quiet_minutes == 1.0  # written quiet_minutes = 1
    assert support.policy("critical-us").steps[0].delay.total_seconds() == 300  # delay_minutes = 5


@pytest.mark.parametrize("lines", ["", "lines = []\n"])
def test_a_file_without_lines_says_one_is_needed(tmp_path, lines):
    without = re.sub(r"\[\[lines\]\].*?(?=\[\[people\]\])", "", EXAMPLE, flags=re.DOTALL)
    path = tmp_path / "support.toml"
    path.write_text(lines + without, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: lines: at least one line is needed"


def test_an_array_of_invalid_entries_is_not_also_called_too_short(tmp_path):
    with pytest.raises(ConfigError) as error:
        _edited_example(tmp_path, ('targets = ["rotation:on-call-us"]', "targets = []"))
    assert str(error.value) == (f"{tmp_path / 'support.toml'}: escalation_policies[1].steps[0].targets: "
                                "should have at least 1 entry, not 0")


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


@pytest.mark.parametrize(("old", "new", "message"), [
    ('components = ["api", "database", "dashboard"]', 'components = ["api", "billing"]',
     "lines[1].components: 'billing' is not one of the configured components"),
    ('group = "messaging"', 'group = "mesaging"',
     "components[3].group: 'mesaging' is not one of the configured component_groups"),
    ('announce_impact = "major"  #', 'announce_impact = "severe"  #', "status_page.announce_impact"),
])
def test_a_status_page_mistake_names_its_key(tmp_path, old, new, message):
    path = tmp_path / "support.toml"
    assert old in EXAMPLE, old
    path.write_text(EXAMPLE.replace(old, new, 1))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: {message}" in str(error.value)
