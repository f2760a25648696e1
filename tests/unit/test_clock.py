"""ROUTER_CLOCK: the whole service, and the suite, as if now were another moment."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from freezegun import freeze_time

from router import clock
from router.clock import CLOCK_ENV, ClockSetting, parse_clock_setting, system_clock
from router.config import ConfigError
from tests.wallclock import sp, utc


@pytest.fixture
def fresh_clock(monkeypatch):
    """The clock's setting read again from the environment, and forgotten after the test."""
    clock._setting_from_env.cache_clear()
    yield monkeypatch
    clock._setting_from_env.cache_clear()


@freeze_time("2026-12-01 11:30:00")
def test_a_date_keeps_the_real_time_of_day_on_that_day():
    setting = parse_clock_setting("2026-12-07", time.time())
    assert setting.now() == utc("2026-12-07 11:30")


def test_an_instant_runs_forward_at_its_speed_from_when_it_was_read():
    with freeze_time("2026-12-01 11:30:00") as frozen:
        setting = parse_clock_setting("2026-12-05T03:00-03:00 x60", time.time())
        assert setting.now() == sp("2026-12-05 03:00")
        frozen.tick(10)
        assert setting.now() == sp("2026-12-05 03:10")  # ten seconds at 60 times: ten minutes


def test_the_pinned_text_gives_a_later_process_the_same_clock():
    first = parse_clock_setting("2026-12-05T03:00:00-03:00 x2", 1_000.0)
    later = parse_clock_setting(first.text(), 5_000.0)  # read by a server started an hour later
    assert later == first == ClockSetting(sp("2026-12-05 03:00").astimezone(dt.timezone.utc), 1_000.0, 2.0)


@pytest.mark.parametrize(("text", "problem"), [
    ("next tuesday", "is not a moment like '2026-12-07'"),          # not ISO 8601
    ("2026-12-07T10:00", "needs an offset"),                        # a wall time of which zone?
    ("2026-13-01", "is not a moment like"),                         # no thirteenth month
    ("2026-12-07T10:00-03:00 x0", "the speed must be more than 0"),  # a clock that stands still
])
def test_a_clock_setting_that_cannot_be_read_names_the_variable(text, problem):
    with pytest.raises(ConfigError) as error:
        parse_clock_setting(text, 0.0)
    assert str(error.value).startswith(f"environment: {CLOCK_ENV}: ") and problem in str(error.value)


def test_the_system_clock_follows_router_clock_and_pins_it_for_the_processes_it_starts(fresh_clock):
    fresh_clock.setenv(CLOCK_ENV, "2027-03-14T01:59-05:00")
    assert abs(system_clock() - utc("2027-03-14 06:59")) < dt.timedelta(seconds=5)
    pinned = parse_clock_setting(clock.os.environ[CLOCK_ENV], 0.0)
    assert pinned.start == utc("2027-03-14 06:59") and "@" in clock.os.environ[CLOCK_ENV]


def test_without_router_clock_the_system_clock_is_the_real_time(fresh_clock):
    fresh_clock.delenv(CLOCK_ENV, raising=False)
    assert abs(system_clock() - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=1)
