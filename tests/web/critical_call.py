"""A critical call on Saturday night, played through the fake Twilio as the call detail tests need it.

ACME Retail calls the Brazilian line, confirms a critical case and records what is wrong; Carla, on call,
gets the SMS and the page call, hears it twice without pressing a key, and takes the page by SMS four and
a half minutes after it opened. Globex then calls the US line with its own critical case, paging Erin:
a page that never reaches Carla.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from router import db
from router.fake_twilio import Script
from router.models import Call, Case, Page
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, US_LINE, sao_paulo

CARLA = "+5511970000003"  # on call for the Brazilian line in the week of 2026-11-23
ERIN, FRANK = "+12125550142", "+12125550143"  # the US rotation
GLOBEX_CONTACT = "+16465550199"
SAYS = "The checkout of our web shop fails for every customer since midnight."
OPENED = sao_paulo("2026-11-28 03:00")
TAKEN_AFTER = dt.timedelta(minutes=4, seconds=30)


@dataclass(frozen=True)
class Played:
    call_id: int  # ACME's call on the Brazilian line
    page_id: int  # its page, which Carla took
    case_number: int
    recording_url: str
    page_call_id: int  # the page's call to Carla
    other_call_id: int  # Globex's call on the US line
    other_page_id: int  # its page, to Erin


def play_critical_calls(app, fake_twilio, clock) -> Played:
    """Play both calls (the app served to the fake Twilio: the `served_app` fixture) and let them settle."""
    url = runtime(app).services.public_url
    clock.at = OPENED
    fake_twilio.add_number(CARLA, answer="human", presses=("3",))  # "hear it again", then silence
    for engineer in (ERIN, FRANK):
        fake_twilio.add_number(engineer, answer="human", presses=("1",))
    fake_twilio.place_inbound_call(ACME_CONTACT, BRAZIL_LINE, Script(presses=["1", "1"], recording_seconds=9,
                                                                    says=SAYS),
                                   status_callback=f"{url}/voice/status")
    page = fake_twilio.wait_until(lambda: _settled(app, BRAZIL_LINE), timeout=20)
    clock.at = OPENED + TAKEN_AFTER
    fake_twilio.send_sms(CARLA, BRAZIL_LINE, "ACK 1001")
    fake_twilio.place_inbound_call(GLOBEX_CONTACT, US_LINE, Script(presses=["1", "1"]),
                                   status_callback=f"{url}/voice/status")
    other = fake_twilio.wait_until(lambda: _settled(app, US_LINE), timeout=20)
    with db.sessions(app)() as session:
        case = session.scalars(select(Case).where(Case.page_id == page.id)).one()
        calls = {(c.direction, c.line_number, c.to_number): c.id for c in session.scalars(select(Call))}
        return Played(call_id=calls["inbound", BRAZIL_LINE, BRAZIL_LINE], page_id=page.id, case_number=case.number,
                      recording_url=case.recording_url, page_call_id=calls["page", BRAZIL_LINE, CARLA],
                      other_call_id=calls["inbound", US_LINE, US_LINE], other_page_id=other.id)


def _settled(app, line: str) -> Page | None:
    """The line's page, once each notification has Twilio's final status and the sender has its SID."""
    final = {"delivered", "undelivered", "failed", "completed", "busy", "no-answer", "canceled"}
    with db.sessions(app)() as session:
        page = session.scalars(select(Page).where(Page.line_number == line)).first()
        if page is None or not page.notifications:
            return None
        done = all(n.status in final and n.twilio_sid for n in page.notifications)
        return page if done else None
