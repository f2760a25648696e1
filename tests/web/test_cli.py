"""The `router` command: config checks and the call simulator, through click's runner."""

import datetime as dt

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
