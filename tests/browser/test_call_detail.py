"""A manager opens a critical call in a real browser: its timeline, and its recording playing in the page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.web.critical_call import play_critical_calls

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_timeline_and_plays_the_recording(page, console, served_app, fake_twilio, clock,
                                                              tmp_path):
    played = play_critical_calls(served_app, fake_twilio, clock)
    log_in(page, "marta")
    page.goto(f"/calls/{played.call_id}")
    assert page.locator("h1").inner_text() == f"Call {played.call_id} · ACME Retail"
    steps = page.locator("ol.call-timeline > li")
    assert [steps.nth(i).locator("strong.step").inner_text() for i in range(steps.count())] == [
        "incoming", "after_hours_menu", "critical_confirm", "critical_recorded"]
    assert "Your critical case number is 1, 0, 0, 1." in steps.nth(2).inner_text()
    assert steps.nth(2).locator("kbd").inner_text() == "1"

    audio = page.locator("audio")
    audio.scroll_into_view_if_needed()
    # Muted, a page may start playing without a click (Chromium's autoplay rule); the audio is the same.
    played_state = page.evaluate("""async () => {
        const audio = document.querySelector('audio');
        audio.muted = true;
        await audio.play();
        await new Promise(resolve => setTimeout(resolve, 600));
        return {time: audio.currentTime, ready: audio.readyState, duration: audio.duration, error: audio.error};
    }""")
    assert played_state["error"] is None
    assert played_state["ready"] >= 2 and played_state["time"] > 0
    assert played_state["duration"] == pytest.approx(9, abs=0.1)  # the nine seconds the caller spoke

    shot = tmp_path / "call.png"
    png = page.screenshot(path=shot, full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    box = audio.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 20  # the player is drawn, with its controls
    timeline = page.locator("ol.call-timeline").bounding_box()
    assert timeline and timeline["height"] > 200  # four steps, each with what the caller heard
    assert "Carla Mendes" in page.locator("table.notifications").inner_text()
    assert page.locator("dd.time-to-acknowledge").inner_text() == "4 min 30 s"
