"""How incidents and maintenance move (statuspage/lifecycle.py): which status follows which, the milestones
an update sets, where a maintenance stands in its window, what resolving gives back, when owners are reminded."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statuspage.lifecycle import (
    Stamps,
    automatic_move,
    given_back,
    incident_follows,
    maintenance_follows,
    maintenance_status_at,
    reminder_due,
    reminder_text,
    stamped,
    window_problem,
)
from statuspage.vocabulary import ComponentStatus as C
from statuspage.vocabulary import Impact
from statuspage.vocabulary import IncidentStatus as I
from statuspage.vocabulary import MaintenanceStatus as M

T0 = dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.timezone.utc)
MINUTE = dt.timedelta(minutes=1)


@pytest.mark.parametrize(("current", "new"), [
    (I.INVESTIGATING, I.IDENTIFIED), (I.IDENTIFIED, I.MONITORING), (I.MONITORING, I.INVESTIGATING),
    (I.INVESTIGATING, I.RESOLVED), (I.MONITORING, I.MONITORING), (I.RESOLVED, I.POSTMORTEM),
    (I.POSTMORTEM, I.POSTMORTEM)])
def test_incident_statuses_that_may_follow(current, new):
    incident_follows(current, new)


@pytest.mark.parametrize(("current", "new", "reason"), [
    (I.RESOLVED, I.INVESTIGATING, "the incident is resolved: only a postmortem may follow, not investigating"),
    (I.RESOLVED, I.RESOLVED, "only a postmortem may follow"),
    (I.POSTMORTEM, I.MONITORING, "the incident is postmortem"),
    (I.INVESTIGATING, I.POSTMORTEM, "an incident investigating cannot become postmortem")])
def test_incident_statuses_that_may_not(current, new, reason):
    with pytest.raises(ValueError, match=reason):
        incident_follows(current, new)


def test_maintenance_runs_forward_and_verifying_may_go_back_to_work():
    for current, new in [(M.SCHEDULED, M.SCHEDULED), (M.SCHEDULED, M.IN_PROGRESS), (M.SCHEDULED, M.COMPLETED),
                         (M.IN_PROGRESS, M.VERIFYING), (M.VERIFYING, M.IN_PROGRESS), (M.VERIFYING, M.COMPLETED)]:
        maintenance_follows(current, new)
    with pytest.raises(ValueError, match="a maintenance in progress cannot go back to scheduled"):
        maintenance_follows(M.IN_PROGRESS, M.SCHEDULED)
    with pytest.raises(ValueError, match="the maintenance is completed"):
        maintenance_follows(M.COMPLETED, M.COMPLETED)


def test_the_milestones_are_the_first_times_reached():
    none = Stamps(None, None)
    assert stamped(I.INVESTIGATING, none, T0) == none
    monitoring = stamped(I.MONITORING, none, T0)
    assert monitoring == Stamps(T0, None)
    assert stamped(I.INVESTIGATING, monitoring, T0 + MINUTE) == monitoring  # going back keeps the first
    assert stamped(I.MONITORING, monitoring, T0 + 2 * MINUTE) == monitoring
    resolved = stamped(I.RESOLVED, monitoring, T0 + 3 * MINUTE)
    assert resolved == Stamps(T0, T0 + 3 * MINUTE)
    assert stamped(I.POSTMORTEM, resolved, T0 + 60 * MINUTE) == resolved
    assert stamped(I.RESOLVED, none, T0) == Stamps(None, T0)


def test_a_window_must_end_after_it_starts_and_not_be_over():
    assert window_problem(T0, T0 + MINUTE, T0 - MINUTE) is None
    assert window_problem(T0 - MINUTE, T0 + MINUTE, T0) is None  # under way already: the engine starts it
    assert window_problem(T0, T0, T0 - MINUTE) == "the maintenance window must end after it starts"
    assert window_problem(T0 - 2 * MINUTE, T0 - MINUTE, T0) == "the maintenance window has already ended"


def test_where_a_maintenance_stands_at_its_window_edges():
    until = T0 + 60 * MINUTE
    assert maintenance_status_at(T0, until, T0 - dt.timedelta(seconds=1)) is M.SCHEDULED
    assert maintenance_status_at(T0, until, T0) is M.IN_PROGRESS
    assert maintenance_status_at(T0, until, until - dt.timedelta(seconds=1)) is M.IN_PROGRESS
    assert maintenance_status_at(T0, until, until) is M.COMPLETED


def test_the_engines_moves():
    until = T0 + 60 * MINUTE
    assert automatic_move(M.SCHEDULED, T0, until, T0 - MINUTE) is None
    assert automatic_move(M.SCHEDULED, T0, until, T0) is M.IN_PROGRESS
    assert automatic_move(M.IN_PROGRESS, T0, until, T0 + MINUTE) is None
    assert automatic_move(M.VERIFYING, T0, until, T0 + MINUTE) is None  # moved on by hand: left alone
    assert automatic_move(M.IN_PROGRESS, T0, until, until) is M.COMPLETED
    assert automatic_move(M.VERIFYING, T0, until, until) is M.COMPLETED
    assert automatic_move(M.SCHEDULED, T0, until, until + MINUTE) is M.COMPLETED  # the window passed unseen
    assert automatic_move(M.COMPLETED, T0, until, until) is None


@given(st.integers(-600, 600), st.integers(1, 300), st.sampled_from(list(M)))
def test_a_move_is_made_once(offset, length, current):
    """Whatever the moment, moving to what the engine says and asking again moves nothing more."""
    now, until = T0 + offset * MINUTE, T0 + length * MINUTE
    moved = automatic_move(current, T0, until, now)
    if moved is not None:
        maintenance_follows(current, moved)
        assert automatic_move(moved, T0, until, now) is None


def test_resolving_gives_back_what_nothing_else_holds():
    assert given_back(["api", "database", "dashboard"], {"api": C.DEGRADED_PERFORMANCE}, ["dashboard"]) == {
        "api": C.DEGRADED_PERFORMANCE, "database": C.OPERATIONAL}
    assert given_back([], {}, []) == {}


def test_an_owner_is_reminded_of_a_quiet_major_incident_once_per_interval():
    interval = 30 * MINUTE
    assert not reminder_due(Impact.MAJOR, I.INVESTIGATING, T0, None, T0 + 29 * MINUTE, interval)
    assert reminder_due(Impact.MAJOR, I.INVESTIGATING, T0, None, T0 + 30 * MINUTE, interval)
    assert reminder_due(Impact.CRITICAL, I.MONITORING, T0, None, T0 + 30 * MINUTE, interval)
    assert not reminder_due(Impact.MAJOR, I.INVESTIGATING, T0, T0 + 30 * MINUTE, T0 + 59 * MINUTE, interval)
    assert reminder_due(Impact.MAJOR, I.INVESTIGATING, T0, T0 + 30 * MINUTE, T0 + 60 * MINUTE, interval)
    assert not reminder_due(Impact.MAJOR, I.INVESTIGATING, T0 + 40 * MINUTE, T0 + 30 * MINUTE, T0 + 60 * MINUTE,
                            interval)  # an update since the reminder: the interval counts from it
    assert not reminder_due(Impact.MINOR, I.INVESTIGATING, T0, None, T0 + 600 * MINUTE, interval)
    assert not reminder_due(Impact.NONE, I.INVESTIGATING, T0, None, T0 + 600 * MINUTE, interval)
    assert not reminder_due(Impact.CRITICAL, I.RESOLVED, T0, None, T0 + 600 * MINUTE, interval)


def test_the_reminder_says_which_incident_and_how_long():
    assert reminder_text("ACME Cloud Status", "API errors", Impact.CRITICAL, T0, T0 + 45 * MINUTE) == (
        'ACME Cloud Status: the critical incident "API errors" has had no update for 45 min. '
        "Post an update on the status page.")
