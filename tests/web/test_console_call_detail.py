"""The call detail and the page log: a critical call told step by step, its recording played through the
console, the page with every attempt to reach the engineer; and who may see which call."""

from __future__ import annotations

import html
import re

import pytest
import requests
from sqlalchemy import select, true

from router import db, recordings
from router.models import Page
from router.page_story import page_log
from router.runtime import runtime
from tests.web.console import add_accounts
from tests.web.console import logged_in as _as
from tests.web.critical_call import SAYS, play_critical_calls
from tests.web.helpers import ACCOUNT_SID, AUTH_TOKEN


@pytest.fixture
def played(served_app, fake_twilio, clock):
    add_accounts(served_app)
    return play_critical_calls(served_app, fake_twilio, clock)


def _text(response) -> str:
    """The page's text as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_a_critical_call_shows_each_step_with_what_the_caller_heard_pressed_and_the_line_decided(
        served_app, played):
    answer = _as(served_app, "marta").get(f"/calls/{played.call_id}")
    assert answer.status_code == 200
    text = _text(answer)
    assert "ACME Retail" in text and "ACME Suporte Brasil" in text
    assert "closed weekend" in text  # open or closed, and why
    assert "Keys pressed 1 1" in text and "Outcome paged" in text
    assert "Started Sat 28 Nov 2026 03:00:00 -03" in text  # in the line's zone
    steps = re.findall(r"<li>(.*?)</li>", answer.get_data(as_text=True), re.S)
    heard = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", step)).split()) for step in steps]
    assert heard[0].startswith("03:00:00 -03 incoming closed: weekend “Thank you for calling ACME Cloud support.”")
    assert "after_hours_menu pressed 1 after hours: 1, critical → confirm" in heard[1]
    assert "“ACME Retail, you are reporting a critical issue" in heard[1]
    assert heard[2].startswith("03:00:00 -03 critical_confirm pressed 1 critical confirmed: case 1001, on-call "
                               "engineer paged → record a description “Your critical case number is 1, 0, 0, 1.")
    assert "The line records up to 60 s, then goes on to critical_recorded." in heard[2]
    assert "description of 9 s; case 1001" in heard[3] and heard[3].endswith("Goodbye.” The line hangs up.")


def test_the_call_shows_its_case_recording_transcript_and_every_attempt_of_its_page(served_app, played):
    answer = _as(served_app, "marta").get(f"/calls/{played.call_id}")
    body, text = answer.get_data(as_text=True), _text(answer)
    assert f'href="/cases/{played.case_number}"' in body
    assert "First response due Mon 30 Nov 2026 18:00 -03 on track" in text  # a business day after Monday 09:00
    assert f'<audio controls preload="metadata" src="/calls/{played.call_id}/recording">' in body
    assert SAYS in text  # the transcript
    rows = re.findall(r"<tr>(.*?)</tr>", body.split('class="notifications"')[1].split("</table>")[0], re.S)
    attempts = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows[1:]]
    sent = " ".join(["03:00:00 -03"] * 3)  # due, sent, last heard of
    assert attempts == [f"Carla Mendes sms 1 · 1 +5511970000003 delivered 1 {sent}",
                        f"Carla Mendes voice 1 · 1 +5511970000003 completed 1 {sent}"]
    assert "Acknowledged by Carla Mendes via sms, Sat 28 Nov 2026 03:04:30 -03" in text
    assert "Time to acknowledge 4 min 30 s" in text
    assert "acknowledged by carla via sms" in text  # the page's history


def test_the_recording_plays_through_the_console_and_twilios_url_never_reaches_the_browser(
        served_app, played, fake_twilio):
    client = _as(served_app, "marta")
    audio = client.get(f"/calls/{played.call_id}/recording")
    assert (audio.status_code, audio.mimetype) == (200, "audio/wav")
    assert audio.data[:4] == b"RIFF" and audio.data[8:12] == b"WAVE"
    at_twilio = requests.get(played.recording_url + ".wav", auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10)
    assert audio.data == at_twilio.content and len(audio.data) > 9 * 8000 * 2  # nine seconds of 8 kHz 16-bit
    part = client.get(f"/calls/{played.call_id}/recording", headers={"Range": "bytes=0-99"})
    assert (part.status_code, len(part.data), part.headers["Content-Range"]) == (
        206, 100, f"bytes 0-99/{len(audio.data)}")
    sid = played.recording_url.rsplit("/", 1)[1]
    for url in (f"/calls/{played.call_id}", f"/pages/{played.page_id}", "/pages"):
        body = client.get(url).get_data(as_text=True)
        assert sid not in body and fake_twilio.url not in body and "Recordings" not in body


def test_a_call_that_left_no_recording_has_no_player(served_app, played):
    client = _as(served_app, "marta")
    page_call = client.get(f"/calls/{played.page_call_id}")
    text = _text(page_call)
    assert "page call to an engineer" in text and "Carla Mendes" in text
    assert "<audio" not in page_call.get_data(as_text=True)
    assert "“Critical production case 1, 0, 0, 1, from ACME Retail" in text
    assert "page_key no input → asked again" in text  # she pressed 3, then nothing
    assert client.get(f"/calls/{played.page_call_id}/recording").status_code == 404


def test_the_page_log_lists_pages_newest_first_and_opens_one(served_app, played):
    client = _as(served_app, "marta")
    log = client.get("/pages")
    rows = re.findall(r"<tr>(.*?)</tr>", log.get_data(as_text=True), re.S)[1:]
    shown = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]
    assert len(shown) == 2 and "ACME Support US" in shown[0]
    assert shown[1] == ("Sat 28 Nov 2026 03:00 -03 ACME Suporte Brasil 1001 acknowledged Carla Mendes via sms, "
                        "03:04 -03 4 min 30 s 0 2")
    one = _text(client.get(f"/pages/{played.page_id}"))
    assert "Carla Mendes voice 1 · 1 +5511970000003 completed" in one and "Time to acknowledge 4 min 30 s" in one


def test_the_page_log_goes_on_where_the_screen_ended(served_app, played):
    with db.sessions(served_app)() as session:
        first = page_log(session, runtime(served_app).support, true(), size=1)
        rest = page_log(session, runtime(served_app).support, true(), older_than=first.older, size=1)
        ids = session.scalars(select(Page.id).order_by(Page.opened_at.desc(), Page.id.desc())).all()
    assert [row.page.id for row in first.rows + rest.rows] == ids and rest.older is None
    older = _as(served_app, "marta").get(f"/pages?older={first.older}").get_data(as_text=True)
    assert f'href="/pages/{played.page_id}"' in older and f'href="/pages/{played.other_page_id}"' not in older


def test_an_engineer_sees_the_calls_of_her_pages_and_not_another_engineers(served_app, played):
    carla = _as(served_app, "carla")
    assert carla.get(f"/calls/{played.call_id}").status_code == 200
    assert carla.get(f"/calls/{played.call_id}/recording").data[:4] == b"RIFF"
    assert carla.get(f"/pages/{played.page_id}").status_code == 200
    for url in (f"/calls/{played.other_call_id}", f"/calls/{played.other_call_id}/recording",
                f"/pages/{played.other_page_id}", "/calls/999999", "/calls/99999999999"):
        assert carla.get(url).status_code == 404, url
    log = carla.get("/pages").get_data(as_text=True)
    assert f'href="/pages/{played.page_id}"' in log and f'href="/pages/{played.other_page_id}"' not in log


def test_an_agent_may_not_open_calls_or_pages_and_nobody_without_a_login(served_app, played):
    paula = _as(served_app, "paula")
    stranger = served_app.test_client()
    for url in (f"/calls/{played.call_id}", f"/calls/{played.call_id}/recording", "/pages",
                f"/pages/{played.page_id}"):
        assert paula.get(url).status_code == 403, url
        answer = stranger.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], url


def test_a_recording_twilio_lost_or_a_twilio_that_hangs_gets_an_answer_not_a_wait(served_app, played, fake_twilio,
                                                                                monkeypatch):
    client = _as(served_app, "marta")
    monkeypatch.setattr(recordings, "TIMEOUT", 0.5)
    fake_twilio.hold()
    try:
        assert client.get(f"/calls/{played.call_id}/recording").status_code == 504
    finally:
        fake_twilio.release()
    fake_twilio.reset()  # Twilio no longer has the recording (deleted, say)
    assert client.get(f"/calls/{played.call_id}/recording").status_code == 404
    assert client.get(f"/calls/{played.call_id}").status_code == 200  # the rest of the call is still told
