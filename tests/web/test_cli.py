"""The `router` command: config checks and the call simulator, through click's runner."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from router.cli import cli
from router.clock import clock_starting_at, system_clock
from tests.conftest import EXAMPLE_CONFIG


def test_check_config_summarises_a_valid_file():
    result = CliRunner().invoke(cli, ["--config", str(EXAMPLE_CONFIG), "check-config"])
    assert result.exit_code == 0, result.output
    assert "+551130000000  ACME Suporte Brasil" in result.output


def test_check_config_fails_naming_the_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE_CONFIG.read_text().replace('"America/New_York"\nplace', '"Mars/Olympus"\nplace'))
    result = CliRunner().invoke(cli, ["--config", str(bad), "check-config"])
    assert result.exit_code == 1
    assert f"{bad}: lines[1].timezone: unknown time zone 'Mars/Olympus'" in result.output


def test_router_call_on_a_holiday_plays_the_call_and_prints_the_case(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sim.sqlite3'}")
    monkeypatch.setenv("ROUTER_SPOOL", str(tmp_path / "spool"))
    args = ["--config", str(EXAMPLE_CONFIG), "call", "--from", "+55 11 98888-7777", "--to", "+55 11 3000-0000",
            "--at", "2026-11-20 10:00", "--press", "2", "--record-seconds", "9"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "line decided: closed: holiday National Day of Zumbi and Black Awareness" in result.output
    assert "Support reopens Monday, November 23, at 9 AM, São Paulo time." in result.output
    assert "Caller records 9 s" in result.output
    # Opened on the holiday: due after Monday's nine open hours.
    assert "case 1001: normal, tier 1, ACME Retail; opened Fri 2026-11-20 10:00, " \
           "first response due Mon 2026-11-23 18:00" in result.output


def test_router_call_rejects_a_time_it_cannot_read():
    args = ["--config", str(EXAMPLE_CONFIG), "call", "--from", "+5511988887777", "--to", "+551130000000",
            "--at", "next tuesday"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "is not a time like" in result.output


@freeze_time("2026-11-20 13:00:00")
def test_the_system_clock_is_utc_and_a_started_clock_begins_where_it_is_told(monkeypatch):
    monkeypatch.setattr("router.clock._setting_from_env", lambda: None)  # the real clock, even under ROUTER_CLOCK
    assert system_clock() == dt.datetime(2026, 11, 20, 13, tzinfo=dt.timezone.utc)
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    assert clock_starting_at(start)() == dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone.utc)


def test_a_tam_on_an_advanced_package_stops_the_service_at_start_up_naming_the_package(tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE_CONFIG.read_text().replace("tam = false  # the policy", "tam = true  # the policy"))
    for name, value in {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "SECRET_KEY": "s"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["--config", str(bad), "serve"])
    assert result.exit_code == 1
    assert f"{bad}: packages[1]: package 'advanced' is advanced and includes a TAM; the policy forbids it" \
        in result.output


# (what the caller does, what the simulator must show): the paths of issue 4, through `router call`.
SIMULATED_PATHS = [
    (["--from", "+55 11 98888-7777", "--press", "3"],        # ACME Retail: the TAM is offered and rung
     ["tecle 3", "Dial Gabriel Nunes (+55 11 97000-0005) → answered by Gabriel Nunes", "tier 2, ACME Retail"]),
    (["--from", "+55 31 98765-4321", "--press", "1"],        # Initech: no TAM in its package, none offered
     ["tecle 2.", "Dial Ana Souza (+55 11 97000-0001), Bruno Lima (+55 11 97000-0002) → answered by Ana Souza",
      "tier 1, Initech"]),
    (["--from", "+55 21 98765-1234"],                        # Umbrella Labs: no phone channel
     ["não inclui atendimento por telefone", "no case opened"]),
    (["--from", "+55 11 91234-5678", "--press", "1,2,3"],   # unknown caller, three wrong accounts
     ["Não conseguimos identificar a sua conta", "unidentified (flagged for review)"]),
]


@pytest.mark.parametrize(("args", "shown"), SIMULATED_PATHS)
def test_router_call_shows_each_customer_path(tmp_path, monkeypatch, args, shown):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sim.sqlite3'}")
    base = ["--config", str(EXAMPLE_CONFIG), "call", "--to", "+55 11 3000-0000", "--at", "2026-11-23 10:00"]
    result = CliRunner().invoke(cli, base + args)
    assert result.exit_code == 0, result.output
    for text in shown:
        assert text in result.output


def test_router_call_shows_an_existing_case_and_a_repeat_caller_joining_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sim.sqlite3'}")
    base = ["--config", str(EXAMPLE_CONFIG), "call", "--to", "+55 11 3000-0000", "--from", "+55 11 98888-7777",
            "--keep-database"]
    runner = CliRunner()
    first = runner.invoke(cli, base + ["--at", "2026-11-23 10:00", "--press", "1"])
    assert "case 1001: normal, tier 1" in first.output
    repeat = runner.invoke(cli, base + ["--at", "2026-11-23 10:20", "--press", "1"])
    assert "Esta ligação foi adicionada ao seu chamado aberto, número 1, 0, 0, 1." in repeat.output
    assert "this call joined the open case, which now has 2 calls" in repeat.output
    existing = runner.invoke(cli, base + ["--at", "2026-11-24 15:00", "--press", "2,1001"])
    assert "sobre o chamado 1, 0, 0, 1" in existing.output
    assert "which now has 3 calls" in existing.output


def test_check_config_warns_of_a_contact_its_step_never_reaches(tmp_path):
    short = tmp_path / "short.toml"
    short.write_text(EXAMPLE_CONFIG.read_text().replace("delay_minutes = 5", "delay_minutes = 1", 1))
    result = CliRunner().invoke(cli, ["--config", str(short), "check-config"])
    assert result.exit_code == 0, result.output
    assert ("warning: escalation_policies[0].steps[0]: diego's voice comes 1 min into the step, "
            "but the step moves on after 1 min: it is never sent") in result.stderr
    assert "configuration is valid" in result.stdout


@pytest.fixture
def simulator_db(tmp_path, monkeypatch):
    """`router call` and `router case` on a database of the test's own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sim.sqlite3'}")
    monkeypatch.setenv("ROUTER_SPOOL", str(tmp_path / "spool"))
    return ["--config", str(EXAMPLE_CONFIG)]


CRITICAL = ["call", "--from", "+55 11 98888-7777", "--to", "+55 11 3000-0000", "--press", "1,1"]


def test_a_page_call_later_than_the_simulator_waits_is_listed_with_how_to_see_it(simulator_db):
    # Saturday 5 December: Diego's week, whose call comes a minute after his SMS.
    result = CliRunner().invoke(cli, simulator_db + CRITICAL + ["--at", "2026-12-05 03:00", "--wait", "2"])
    assert result.exit_code == 0, result.output
    assert "Diego Rocha: sms to +55 11 97000-0004 → delivered" in result.output
    assert "still due when the simulator stopped waiting:" in result.output
    assert "Sat 2026-12-05 03:01:00 -03  a call to Diego Rocha" in result.output
    assert "play the call again with --speed 60 (a minute in 1 s), or --whole-escalation --speed 60" in result.output


def test_a_faster_clock_shows_the_engineers_call_by_name_with_dated_events(simulator_db):
    result = CliRunner().invoke(cli, simulator_db + CRITICAL + ["--at", "2026-12-05 03:00", "--speed", "60",
                                                               "--whole-escalation"])
    assert result.exit_code == 0, result.output
    assert "Diego Rocha's call (+55 11 97000-0004):" in result.output
    assert "Diego presses 1" in result.output
    assert "acknowledged by Diego Rocha via voice" in result.output
    assert "Sat 2026-12-05 03:0" in result.output.split("page (policy critical-brazil)")[1]  # dated, zoned events
    assert "still due" not in result.output


def test_the_engineers_phone_behaviour_applies_to_everyone_paged_also_agents(simulator_db):
    # Saturday 28 November, Carla's week: nobody answers, so step 2 reaches Diego and Gabriel, the TAM.
    result = CliRunner().invoke(cli, simulator_db + CRITICAL + ["--at", "2026-11-28 03:00", "--speed", "240",
                                                               "--whole-escalation", "--engineer", "no-answer"])
    assert result.exit_code == 0, result.output
    assert "Gabriel Nunes: voice to +55 11 97000-0005 → no-answer" in result.output
    assert "exhausted: escalation ran out" in result.output


def test_each_call_starts_from_a_clean_database_unless_told_to_keep_it(simulator_db):
    runner = CliRunner()
    message = ["call", "--from", "+55 11 98888-7777", "--to", "+55 11 3000-0000", "--at", "2026-11-27 20:00",
               "--press", "2"]
    assert "case 1001" in runner.invoke(cli, simulator_db + message).output
    assert "case 1001" in runner.invoke(cli, simulator_db + message).output
    assert "case 1002" in runner.invoke(cli, simulator_db + message + ["--keep-database"]).output


def test_a_call_to_a_number_that_is_no_line_lists_the_lines(simulator_db):
    result = CliRunner().invoke(cli, simulator_db + ["call", "--from", "+5511988887777", "--to", "+55 11 3000-0001"])
    assert result.exit_code == 2
    assert ("+55 11 3000-0001 is not one of the configured lines: +551130000000 (ACME Suporte Brasil); "
            "+12125550100 (ACME Support US)") in result.output


def test_case_show_reads_like_a_summary_and_json_on_request(simulator_db):
    runner = CliRunner()
    runner.invoke(cli, simulator_db + CRITICAL + ["--at", "2026-12-05 03:00", "--speed", "60",
                                                 "--whole-escalation"])
    shown = runner.invoke(cli, simulator_db + ["case", "show", "1001"])
    assert shown.exit_code == 0, shown.output
    assert "Case 1001: critical, open, tier 1 (Customer Service), ACME Retail" in shown.output
    assert "times in America/Sao_Paulo" in shown.output
    assert "opened      Sat 2026-12-05 03:00" in shown.output
    assert "due         Mon 2026-12-07 18:00:00 -03: " in shown.output
    assert "taken by    Diego Rocha (voice)" in shown.output
    assert "Diego Rocha: voice (round 1, step 1)" in shown.output
    as_json = json.loads(runner.invoke(cli, simulator_db + ["case", "show", "1001", "--json"]).output)
    assert as_json["number"] == 1001 and as_json["acknowledged"]["by"] == "Diego Rocha"


def test_responding_to_a_case_already_answered_says_so(simulator_db):
    runner = CliRunner()
    runner.invoke(cli, simulator_db + ["call", "--from", "+55 11 98888-7777", "--to", "+55 11 3000-0000",
                                       "--at", "2026-11-27 20:00", "--press", "2"])
    first = runner.invoke(cli, simulator_db + ["case", "respond", "1001", "--by", "ana"])
    assert first.exit_code == 0 and "answered    " in first.output and "by Ana Souza" in first.output
    again = runner.invoke(cli, simulator_db + ["case", "respond", "1001", "--by", "bruno"])
    assert again.exit_code == 0 and "case 1001 already had its first response" in again.stderr
    assert "by Ana Souza: nothing changed" in again.stderr
