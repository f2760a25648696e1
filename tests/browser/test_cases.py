"""Cases in a real browser: an agent finds a case in the list, opens it, moves it to tier 2 with a reason
through the form, and sees the move in its tier history."""

from __future__ import annotations

import struct

import pytest

from tests.browser.conftest import log_in
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, Twilio

pytestmark = pytest.mark.browser


def _png_size(image: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header (the IHDR chunk comes first)."""
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", image[16:24])


@pytest.fixture
def case_1001(served_app):
    """ACME Retail called on Monday at 10:00 in São Paulo and nobody in tier 1 answered: case 1001."""
    Twilio(served_app.test_client()).call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer")
    return 1001


def test_an_agent_moves_a_case_to_tier_2_and_sees_it_in_the_history(page, case_1001, tmp_path):
    log_in(page, "paula")
    assert page.url.endswith("/cases")  # an agent's first page
    row = page.locator('tr[data-case="1001"]')
    assert "ACME Retail" in row.inner_text() and "on track" in row.locator(".badge").inner_text()
    listed = page.locator("table.cases").screenshot(path=tmp_path / "cases.png")
    assert _png_size(listed)[1] > 40

    row.locator("a", has_text="1001").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Case 1001")
    assert "Opened at tier 1; never moved." in page.locator("table.tier-history").inner_text()
    assert page.locator("a[href^='/calls/']").count() == 0  # agents work cases, not the call log

    form = page.locator("form.move")
    form.locator("select[name=tier]").select_option("2")
    form.locator("textarea[name=reason]").fill("the checkout API needs the TAM")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url.endswith("/cases/1001")  # back on the case after the post
    flash = page.locator(".flash.success")
    assert flash.inner_text() == "Case 1001 moved from tier 1 to tier 2 (Technical Solutions / TAM)."
    assert page.locator("[data-fact=tier]").inner_text() == "2 · Technical Solutions / TAM"
    history = page.locator("table.tier-history tbody tr")
    assert history.count() == 1
    cells = [" ".join(c.split()) for c in history.first.locator("td").all_inner_texts()]
    assert cells == ["Mon 23 Nov 2026 10:00 -03", "paula", "1 Customer Service → 2 Technical Solutions / TAM",
                     "the checkout API needs the TAM"]

    table = page.locator("table.tier-history")
    shot = table.screenshot(path=tmp_path / "tier-history.png")
    box = table.bounding_box()
    width, height = _png_size(shot)
    assert abs(width - box["width"]) < 2 and abs(height - box["height"]) < 2 and height > 50  # the row shows
    assert flash.evaluate("e => getComputedStyle(e).color") == "rgb(29, 122, 70)"  # the success green
    page.screenshot(path=tmp_path / "case-moved.png", full_page=True)
