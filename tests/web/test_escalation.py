"""The paging engine driven with a clock the test moves: steps at their deadlines, repeats, fallback, ack."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from router import db
from router.models import Notification, Page
from router.paging.worker import run_pass
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, sao_paulo

SATURDAY_NIGHT = sao_paulo("2026-11-28 03:00")
MINUTE = dt.timedelta(minutes=1)


def _page(app) -> Page:
    with db.sessions(app)() as session:
        return session.scalars(select(Page).options(selectinload(Page.notifications),
                                                    selectinload(Page.events))).one()


def _critical_call(twilio, clock):
    """A critical case on Saturday night; returns once the web process has sent what it sends at once."""
    clock.at = SATURDAY_NIGHT
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(15)
    # The test moves the clock by minutes at a time: let the immediate sends finish first, as they would.
    runtime(twilio.client.application).dispatcher.shutdown()


def _reached(page: Page) -> list[tuple[int, int, str, str, dt.datetime]]:
    """(round, step, person, channel, due) of every notification, in order."""
    return [(n.round, n.step, n.person_id, n.channel, n.due_at) for n in page.notifications]


def _at(minutes: float) -> dt.datetime:
    return (SATURDAY_NIGHT + dt.timedelta(minutes=minutes)).astimezone(dt.timezone.utc)


def test_each_step_fires_at_its_deadline_then_the_repeat_then_the_fallback(app, twilio, clock):
    _critical_call(twilio, clock)
    for minutes in (0, 4.99, 5, 6, 14.99, 15, 20, 30, 40, 60):
        clock.at = SATURDAY_NIGHT + dt.timedelta(minutes=minutes)
        with app.app_context():
            run_pass(runtime(app).services)
    page = _page(app)
    assert _reached(page) == [
        (0, 0, "carla", "sms", _at(0)), (0, 0, "carla", "voice", _at(0)),       # step 1: the primary
        (0, 1, "diego", "sms", _at(5)), (0, 1, "diego", "voice", _at(6)),       # step 2 at 5 min: the secondary
        (0, 1, "gabriel", "sms", _at(5)), (0, 1, "gabriel", "voice", _at(5)),   # (his call a minute later) and tier 2
        (1, 0, "carla", "sms", _at(15)), (1, 0, "carla", "voice", _at(15)),     # the repeat, 10 min later
        (1, 1, "diego", "sms", _at(20)), (1, 1, "diego", "voice", _at(21)),
        (1, 1, "gabriel", "sms", _at(20)), (1, 1, "gabriel", "voice", _at(20)),
        (2, 0, "marta", "sms", _at(30)), (2, 0, "marta", "voice", _at(30)),     # the fallback: the manager
    ]
    assert [e.kind for e in page.events] == ["opened", "step", "escalated", "step", "escalated", "step",
                                             "escalated", "step", "escalated", "step", "escalated", "exhausted"]
    assert page.status == "exhausted" and page.next_escalation_at is None  # escalation ran out; untaken, it waits
    assert all(n.status != "pending" for n in page.notifications)


def test_an_acknowledgement_stops_everything(app, twilio, clock):
    _critical_call(twilio, clock)
    clock.at = SATURDAY_NIGHT + 5 * MINUTE
    with app.app_context():
        run_pass(runtime(app).services)  # step 2: diego's call is due a minute later
    answer = twilio.post("/sms/incoming", MessageSid="SM" + "7" * 32, From="+5511970000004", To=BRAZIL_LINE,
                         Body="ACK 1001")
    assert "Acknowledged: case 1001 is yours." in answer.get_data(as_text=True)
    for minutes in (6, 15, 30, 90):
        clock.at = SATURDAY_NIGHT + minutes * MINUTE
        with app.app_context():
            run_pass(runtime(app).services)
    page = _page(app)
    assert (page.status, page.acknowledged_by, page.acknowledged_via) == ("acknowledged", "diego", "sms")
    assert max(n.round for n in page.notifications) == 0 and page.next_escalation_at is None
    diego_call = next(n for n in page.notifications if (n.person_id, n.channel) == ("diego", "voice"))
    assert diego_call.status == "canceled"  # not placed once the page was taken
    assert page.events[-1].kind == "acknowledged"
    with db.sessions(app)() as session:
        case = session.get(Page, page.id).cases[0]
        assert (case.acknowledged_by, case.acknowledged_via) == ("diego", "sms")


def test_an_sms_esc_escalates_at_once(app, twilio, clock):
    _critical_call(twilio, clock)
    clock.at = SATURDAY_NIGHT + MINUTE
    answer = twilio.post("/sms/incoming", MessageSid="SM" + "8" * 32, From="+5511970000003", To=BRAZIL_LINE,
                         Body="ESC 1001")
    assert "Escalated: case 1001 goes to the next engineer." in answer.get_data(as_text=True)
    page = _page(app)
    assert (page.round, page.step) == (0, 1)
    assert page.next_escalation_at == _at(1 + 10)


def test_nobody_on_call_goes_to_the_next_step_at_once(make_app, fake_twilio, clock, tmp_path):
    from router.config import load_config
    from tests.conftest import EXAMPLE_CONFIG
    from tests.web.helpers import Twilio

    empty = tmp_path / "empty-rotation.toml"
    empty.write_text(EXAMPLE_CONFIG.read_text().replace('participants = ["carla", "diego"]', "participants = []"))
    app = make_app(twilio_api_base=fake_twilio.url, config=load_config(empty))
    _critical_call(Twilio(app.test_client()), clock)
    page = _page(app)
    assert [e.kind for e in page.events] == ["opened", "nobody", "step"]
    assert {n.person_id for n in page.notifications} == {"diego", "gabriel"}


def _left_sending(app, clock, channel: str) -> int:
    """A notification its sender claimed 31 s ago and never recorded: the sender died in between."""
    with db.sessions(app)() as session, session.begin():
        stuck = session.scalars(select(Notification).where(Notification.channel == channel)).one()
        stuck.status, stuck.twilio_sid, stuck.sent_at = "sending", None, None
        stuck.claimed_at = clock() - dt.timedelta(seconds=31)
        return stuck.id


def test_a_send_its_dead_sender_never_made_goes_again_once(app, twilio, clock, fake_twilio):
    _critical_call(twilio, clock)
    runtime(app).dispatcher.shutdown()
    fake_twilio.reset()  # Twilio never got carla's call: forget that it did
    stuck = _left_sending(app, clock, "voice")
    with app.app_context():
        summary = run_pass(runtime(app).services)
    assert summary["stuck notifications settled"] == 1 and summary["notifications sent"] == 1
    assert [c["to"] for c in fake_twilio.calls()] == ["+5511970000003"]
    page = _page(app)
    assert next(n for n in page.notifications if n.id == stuck).twilio_sid == fake_twilio.calls()[0]["sid"]
    assert "voice to carla: its sender stopped before Twilio took it; sent again" in [e.detail for e in page.events]
    run_pass(runtime(app).services)
    assert len(fake_twilio.calls()) == 1  # and never a second time


def test_a_send_its_dead_sender_made_is_found_at_twilio_and_not_made_again(app, twilio, clock, fake_twilio):
    _critical_call(twilio, clock)
    runtime(app).dispatcher.shutdown()
    [placed] = fake_twilio.calls()
    stuck = _left_sending(app, clock, "voice")  # Twilio placed it; the sender died before writing so
    summary = run_pass(runtime(app).services)
    assert summary["stuck notifications settled"] == 1 and summary["notifications sent"] == 0
    assert [c["sid"] for c in fake_twilio.calls()] == [placed["sid"]]  # the same call (its status moves on)
    page = _page(app)
    assert next(n for n in page.notifications if n.id == stuck).twilio_sid == placed["sid"]
    assert "found" in [e.kind for e in page.events]


def test_an_engineer_is_not_called_again_within_the_quiet_interval(make_app, fake_twilio, clock, tmp_path):
    from router.config import load_config
    from tests.conftest import EXAMPLE_CONFIG
    from tests.web.helpers import Twilio

    quiet = tmp_path / "quiet.toml"
    quiet.write_text(EXAMPLE_CONFIG.read_text().replace("quiet_minutes = 1", "quiet_minutes = 20"))
    app = make_app(twilio_api_base=fake_twilio.url, config=load_config(quiet))
    _critical_call(Twilio(app.test_client()), clock)
    for minutes in (5, 15):
        clock.at = SATURDAY_NIGHT + minutes * MINUTE
        with app.app_context():
            run_pass(runtime(app).services)
    page = _page(app)
    repeat = {n.channel: n for n in page.notifications if (n.round, n.person_id) == (1, "carla")}
    assert repeat["sms"].due_at == _at(15)      # the SMS goes out with the step
    assert repeat["voice"].due_at == _at(20)    # the call waits for 20 minutes after her last one
