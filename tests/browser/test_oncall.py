"""The on-call page in a real browser: an engineer makes an override through the form, sees it in the list
and the calendar, and removes it."""

from __future__ import annotations

import struct

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def _png_size(image: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header (the IHDR chunk comes first)."""
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", image[16:24])


def test_an_engineer_makes_an_override_sees_it_and_removes_it(page, tmp_path):
    log_in(page, "carla")
    assert page.url.endswith("/oncall")  # an engineer's first page
    assert "Carla Mendes" in page.locator("table.oncall-now").inner_text()

    form = page.locator("form.override-form")
    form.locator("select[name=rotation]").select_option("on-call-brazil")
    form.locator("select[name=person]").select_option("diego")
    form.locator("select[name=replaces]").select_option("carla")
    form.locator("input[name=starts]").fill("2026-11-24T09:00")
    form.locator("input[name=ends]").fill("2026-11-25T09:00")
    form.locator("input[name=reason]").fill("dentist")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    assert "Override made: Diego Rocha covers on-call-brazil for Carla Mendes" in page.locator(".flash").inner_text()
    listed = page.locator("table.overrides tr", has_text="dentist")
    assert "console, by carla" in listed.inner_text()
    calendar = page.locator('section.rotation-calendar[data-rotation="on-call-brazil"]')
    tuesday = calendar.locator("td", has_text="Tue 24 Nov")
    assert "Diego Rocha override" in " ".join(tuesday.inner_text().split())
    shot = calendar.screenshot(path=tmp_path / "calendar-with-override.png")
    box = calendar.bounding_box()
    assert _png_size(shot) == (round(box["width"]), round(box["height"])) and box["height"] > 200
    marked = tuesday.locator(".holder.override")
    assert marked.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 241, 220)"  # shaded

    listed.locator("button", has_text="Remove").click()
    page.wait_for_load_state()
    assert "Override removed: Diego Rocha on on-call-brazil." in page.locator(".flash").inner_text()
    assert page.locator("table.overrides tr", has_text="dentist").count() == 0
    assert page.locator('section.rotation-calendar[data-rotation="on-call-brazil"] .holder.override').count() == 0
    page.screenshot(path=tmp_path / "after-removal.png", full_page=True)
