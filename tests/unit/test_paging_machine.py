"""The page's state machine, pure: every event against a page in every state, as tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from router.paging.machine import decide
from router.paging.page import (
    Acknowledge,
    Cancel,
    Contact,
    Escalate,
    Exhaust,
    Fail,
    Join,
    Move,
    Notify,
    Open,
    PageState,
    Record,
    Recovered,
    Requeue,
    Retry,
    Rules,
    SendFailed,
    SetStatus,
    Status,
    Taken,
    TimedOut,
)
from router.paging.statuses import Channel, Delivery, Kind, PageStatus, Via
from schedules import ContactMethod, EscalationPolicy, EscalationStep, Position, Target
from tests.wallclock import sp

NOW = sp("2026-11-28 03:00")
MIN = dt.timedelta(minutes=1)
POLICY = EscalationPolicy("night", (
    EscalationStep((Target("rotation", "primary"),), 5 * MIN),
    EscalationStep((Target("rotation", "secondary"), Target("person", "gabriel")), 10 * MIN),
), repeat=1, fallback=("marta",))
ON_CALL = {"primary": "carla", "secondary": "diego"}
METHODS = {"carla": (ContactMethod("sms"), ContactMethod("voice")),
           "diego": (ContactMethod("sms"), ContactMethod("voice", MIN)),
           "gabriel": (ContactMethod("sms"), ContactMethod("voice")),
           "marta": (ContactMethod("sms"), ContactMethod("voice"))}
STEP_1, STEP_2 = Position(0, 0), Position(0, 1)


def _reaches(step: EscalationStep, at: dt.datetime, on_call=ON_CALL) -> tuple[str, ...]:
    people = [t.id if t.kind == "person" else on_call.get(t.id) for t in step.targets]
    return tuple(p for p in people if p)


RULES = Rules(POLICY, _reaches, METHODS)


def _contact(id_: int, person: str, channel: Channel, status: Delivery = Delivery.PENDING,
             position: Position = STEP_1, **extra) -> Contact:
    return Contact(id_, person, channel, extra.pop("kind", Kind.PAGE), position, status,
                   extra.pop("due_at", NOW), **extra)


AT_STEP_1 = PageState(PageStatus.OPEN, NOW, STEP_1, NOW + 5 * MIN, (
    _contact(1, "carla", Channel.SMS, Delivery.DELIVERED, sent_at=NOW),
    _contact(2, "carla", Channel.VOICE, Delivery.RINGING, sent_at=NOW),
))


def _kinds(commands) -> list[str]:
    return [type(c).__name__ for c in commands]


def test_opening_a_page_moves_it_to_step_1_and_notifies_whoever_is_on_call():
    commands = decide(PageState(PageStatus.OPEN, NOW), Open(1001), RULES, NOW)
    assert commands == (
        Record("opened", "for case 1001"),
        Move(STEP_1, NOW + 5 * MIN),
        Record("step", "step 1 (round 1) → carla"),
        Notify("carla", Channel.SMS, Kind.PAGE, STEP_1, NOW),
        Notify("carla", Channel.VOICE, Kind.PAGE, STEP_1, NOW),
    )


def test_a_caller_put_through_live_holds_the_steps_calls_and_deadline():
    commands = decide(PageState(PageStatus.OPEN, NOW), Open(1001, hold_calls=2 * MIN), RULES, NOW)
    assert Move(STEP_1, NOW + 7 * MIN) in commands
    assert Notify("carla", Channel.VOICE, Kind.PAGE, STEP_1, NOW + 2 * MIN) in commands


def test_a_step_that_reaches_nobody_is_passed_at_once():
    rules = replace(RULES, reaches=lambda step, at: _reaches(step, at, {"secondary": "diego"}))
    commands = decide(PageState(PageStatus.OPEN, NOW), Open(1001), rules, NOW)
    assert Record("nobody", "step 1 (round 1) reaches nobody: next step at once") in commands
    assert Move(STEP_2, NOW + 10 * MIN) in commands
    assert [c.person for c in commands if isinstance(c, Notify)] == ["diego", "diego", "gabriel", "gabriel"]


def test_a_policy_that_reaches_nobody_at_all_is_exhausted_at_once():
    nobody = replace(RULES, policy=replace(POLICY, fallback=()), reaches=lambda step, at: ())
    commands = decide(PageState(PageStatus.OPEN, NOW), Open(1001), nobody, NOW)
    assert _kinds(commands)[-2:] == ["Record", "Exhaust"] and not any(isinstance(c, Notify) for c in commands)


def test_a_line_without_a_policy_is_recorded_and_exhausted():
    commands = decide(PageState(PageStatus.OPEN, NOW), Open(1001), replace(RULES, policy=None), NOW)
    assert commands == (Record("opened", "for case 1001"),
                        Record("no policy", "the line names no escalation policy"), Exhaust())


def test_a_delayed_contact_and_the_quiet_interval_put_a_call_later():
    rules = replace(RULES, last_call=lambda person: NOW - 30 * dt.timedelta(seconds=1))  # called 30 s ago
    commands = decide(replace(AT_STEP_1, next_escalation_at=NOW), TimedOut(), rules, NOW)
    calls = {c.person: c.due_at for c in commands if isinstance(c, Notify) and c.channel is Channel.VOICE}
    assert calls == {"diego": NOW + MIN, "gabriel": NOW + 30 * dt.timedelta(seconds=1)}


# (the page, the moment the worker looks, what happens)
TIMEOUTS = [
    (AT_STEP_1, NOW + 4 * MIN, []),                                      # before the deadline: nothing
    (AT_STEP_1, NOW + 5 * MIN, ["Record", "Move", "Record", "Notify", "Notify", "Notify", "Notify"]),
    (replace(AT_STEP_1, status=PageStatus.ACKNOWLEDGED), NOW + 9 * MIN, []),  # taken: it never moves
    (replace(AT_STEP_1, status=PageStatus.EXHAUSTED, next_escalation_at=None), NOW + 9 * MIN, []),
]


@pytest.mark.parametrize(("state", "at", "kinds"), TIMEOUTS)
def test_a_step_times_out_only_at_its_deadline_and_only_while_escalating(state, at, kinds):
    assert _kinds(decide(state, TimedOut(), RULES, at)) == kinds


def test_escalating_cancels_what_the_step_has_not_sent():
    waiting = replace(AT_STEP_1, contacts=AT_STEP_1.contacts + (_contact(3, "carla", Channel.SMS, kind=Kind.JOINED),))
    commands = decide(waiting, TimedOut(), RULES, NOW + 5 * MIN)
    assert commands[:2] == (Record("escalated", "no acknowledgement by 03:05:00 -03"), Cancel((3,)))


def test_the_last_rounds_step_is_followed_by_the_fallback_then_nothing():
    last = replace(AT_STEP_1, position=Position(1, 1), next_escalation_at=NOW)
    fallback = decide(last, TimedOut(), RULES, NOW)
    assert Move(Position(2, 0, fallback=True), NOW + 10 * MIN) in fallback
    assert [c.person for c in fallback if isinstance(c, Notify)] == ["marta", "marta"]
    after = decide(replace(last, position=Position(2, 0, fallback=True)), TimedOut(), RULES, NOW)
    assert _kinds(after) == ["Record", "Record", "Exhaust"]


# (who asks, from which step, the page's status, whether it escalates)
ESCALATIONS = [
    (STEP_1, PageStatus.OPEN, True),            # from the step the page is at
    (None, PageStatus.OPEN, True),              # from wherever it is (the page was named, not paged to them)
    (Position(1, 0), PageStatus.OPEN, False),   # a step the page is not at: it has moved on already
    (STEP_1, PageStatus.EXHAUSTED, False),      # nobody is left
    (STEP_1, PageStatus.ACKNOWLEDGED, False),   # taken
]


@pytest.mark.parametrize(("asked_at", "status", "escalates"), ESCALATIONS)
def test_escalate_now_moves_the_page_once_from_the_askers_step(asked_at, status, escalates):
    commands = decide(replace(AT_STEP_1, status=status), Escalate("carla", asked_at, "pressed 2"), RULES, NOW)
    assert (Record("escalated", "carla pressed 2") in commands) is escalates


# (the page's status, what an acknowledgement does)
ACKNOWLEDGEMENTS = [
    (PageStatus.OPEN, ["Taken", "Record"]),
    (PageStatus.EXHAUSTED, ["Taken", "Record"]),   # out of steps, still waiting to be taken
    (PageStatus.ACKNOWLEDGED, []),                 # the first one counts
]


@pytest.mark.parametrize(("status", "kinds"), ACKNOWLEDGEMENTS)
def test_an_acknowledgement_takes_a_page_not_yet_taken(status, kinds):
    assert _kinds(decide(replace(AT_STEP_1, status=status), Acknowledge("carla", Via.SMS), RULES, NOW)) == kinds


def test_an_acknowledgement_cancels_everything_still_waiting():
    waiting = replace(AT_STEP_1, contacts=(_contact(1, "carla", Channel.SMS, Delivery.DELIVERED),
                                           _contact(2, "diego", Channel.VOICE)))
    assert decide(waiting, Acknowledge("carla", Via.VOICE), RULES, NOW) == (
        Taken("carla", Via.VOICE), Cancel((2,)), Record("acknowledged", "by carla via voice"))


# (the call's status now, the status Twilio tells, what happens)
STATUSES = [
    (Delivery.RINGING, Delivery.IN_PROGRESS, ["SetStatus"]),
    (Delivery.COMPLETED, Delivery.RINGING, []),                  # late callback: never backwards
    (Delivery.RINGING, Delivery.RINGING, []),                    # the same again
    (Delivery.RINGING, Delivery.NO_ANSWER, ["SetStatus", "Record", "Move", "Record", "Notify", "Notify",
                                            "Notify", "Notify"]),  # the step's only call reached nobody
    (Delivery.SENDING, Delivery.DELIVERED, ["SetStatus"]),       # a callback before the sender recorded the SID
]


@pytest.mark.parametrize(("before", "told", "kinds"), STATUSES)
def test_twilio_statuses_move_forward_and_a_call_reaching_nobody_moves_the_page_on(before, told, kinds):
    state = replace(AT_STEP_1, contacts=(AT_STEP_1.contacts[0], replace(AT_STEP_1.contacts[1], status=before)))
    assert _kinds(decide(state, Status(2, told), RULES, NOW)) == kinds


def test_a_call_of_an_earlier_step_reaching_nobody_moves_nothing():
    state = replace(AT_STEP_1, position=STEP_2, contacts=(_contact(2, "carla", Channel.VOICE, Delivery.RINGING),
                                                          _contact(3, "diego", Channel.VOICE, Delivery.RINGING,
                                                                   STEP_2)))
    assert decide(state, Status(2, Delivery.BUSY), RULES, NOW) == (SetStatus(2, Delivery.BUSY),)


def test_one_call_unanswered_while_another_rings_waits_for_the_other():
    state = replace(AT_STEP_1, position=STEP_2, contacts=(
        _contact(3, "diego", Channel.VOICE, Delivery.RINGING, STEP_2),
        _contact(4, "gabriel", Channel.VOICE, Delivery.RINGING, STEP_2)))
    assert decide(state, Status(3, Delivery.MACHINE), RULES, NOW) == (SetStatus(3, Delivery.MACHINE),)


# (attempts so far, temporary refusal, channel, what happens)
REFUSALS = [
    (0, True, Channel.SMS, [Retry]),             # Twilio down a moment: again in 15 s
    (2, True, Channel.SMS, [Fail]),              # the third attempt: given up
    (0, False, Channel.SMS, [Fail]),             # refused for good (an invalid number)
    (0, False, Channel.VOICE, [Fail, Record]),   # a call that cannot be placed reached nobody: on at once
]


@pytest.mark.parametrize(("attempts", "temporary", "channel", "first"), REFUSALS)
def test_a_refused_send_is_retried_then_failed(attempts, temporary, channel, first):
    state = replace(AT_STEP_1, contacts=(_contact(5, "carla", channel, Delivery.SENDING, attempts=attempts),))
    commands = decide(state, SendFailed(5, temporary, "503"), RULES, NOW)
    assert [type(c) for c in commands][:len(first)] == first
    if first == [Retry]:
        assert commands == (Retry(5, NOW + 15 * dt.timedelta(seconds=1), "503"),)


# (the person's SMS about the page so far, when the joined case's SMS goes)
JOINS = [
    ((), NOW),                                                                         # none yet: at once
    ((_contact(7, "carla", Channel.SMS, Delivery.DELIVERED, sent_at=NOW - 30 * dt.timedelta(seconds=1)),),
     NOW + 30 * dt.timedelta(seconds=1)),                                              # one a moment ago: bundled
    ((_contact(7, "carla", Channel.SMS, Delivery.PENDING),), None),                   # one waiting: it names this too
]


@pytest.mark.parametrize(("sms", "due"), JOINS)
def test_a_joining_case_reaches_the_current_steps_people_in_one_sms_a_minute(sms, due):
    state = replace(AT_STEP_1, contacts=(_contact(2, "carla", Channel.VOICE, Delivery.COMPLETED),) + sms)
    commands = decide(state, Join(1002), RULES, NOW)
    assert commands[0] == Record("case joined", "case 1002 joined the open page")
    assert [c.due_at for c in commands if isinstance(c, Notify)] == ([due] if due else [])


# (what Twilio has of a dead sender's notification, what happens)
RECOVERIES = [
    (None, [Record, Requeue]),                         # nothing: sent again
    (Delivery.QUEUED, [Record, SetStatus]),            # it has it: followed from there
]


@pytest.mark.parametrize(("found", "kinds"), RECOVERIES)
def test_a_dead_senders_notification_is_sent_again_only_if_twilio_never_had_it(found, kinds):
    state = replace(AT_STEP_1, contacts=(_contact(6, "carla", Channel.SMS, Delivery.SENDING),))
    assert [type(c) for c in decide(state, Recovered(6, found), RULES, NOW)] == kinds
    settled = replace(state, contacts=(_contact(6, "carla", Channel.SMS, Delivery.QUEUED),))
    assert decide(settled, Recovered(6, found), RULES, NOW) == ()  # another worker settled it first
