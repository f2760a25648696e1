"""The `router` command: config checks and the call simulator, through click's runner."""

import datetime as dt

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
def test_the_system_clock_is_utc_and_a_started_clock_begins_where_it_is_told():
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
     ["tecle 3", "Dial +5511970000005 → completed", "tier 2, ACME Retail"]),
    (["--from", "+55 31 98765-4321", "--press", "1"],        # Initech: no TAM in its package, none offered
     ["tecle 2.", "Dial +5511970000001, +5511970000002", "tier 1, Initech"]),
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
    base = ["--config", str(EXAMPLE_CONFIG), "call", "--to", "+55 11 3000-0000", "--from", "+55 11 98888-7777"]
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
