"""The public status page on a phone (390×844) with an incident in progress and a maintenance: nothing
wider than the screen, the incident's name and latest update in view, the banner in the incident's colour,
the healthy group folded; the screenshot is saved and checked."""

from __future__ import annotations

import struct

import pytest

from router.runtime import runtime
from tests.web.status_data import INCIDENT, LATEST, MAINTENANCE, add_morning

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _png_size(image: bytes) -> tuple[int, int]:
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", image[16:24])


def test_the_status_page_reads_on_a_phone(page, served_app, tmp_path):
    add_morning(served_app)
    page.set_viewport_size(PHONE)
    page.goto("/status")  # no log-in
    assert page.url == f"{runtime(served_app).services.public_url}/status"

    banner = page.locator("p.banner")
    assert banner.inner_text() == "Partial System Outage"
    assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(230, 126, 34)"  # Statuspage's orange

    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == PHONE["width"], f"the page scrolls sideways: {widths}"
    for selector in ("p.banner", "article.item", "div.component", "details.group", "svg.uptime", "footer"):
        for box in (e.bounding_box() for e in page.locator(selector).all() if e.is_visible()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)

    incident = page.locator("section.incidents article.item").first
    name, latest = incident.locator(".item-name"), incident.locator("li.update").first
    assert name.inner_text() == INCIDENT and LATEST in latest.inner_text()
    for shown in (banner, name, latest):
        box = shown.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], "not on the first screen"
    assert MAINTENANCE in page.locator("section.maintenance.active").inner_text()
    shot = page.screenshot(path=tmp_path / "status-phone.png")  # the first screen: banner and incident
    assert _png_size(shot) == (PHONE["width"], PHONE["height"])

    assert page.locator('details[data-group="platform"]').get_attribute("open") is not None
    folded = page.locator('details[data-group="messaging"]')
    assert folded.get_attribute("open") is None and not folded.locator(".component").is_visible()
    folded.locator("summary").click()  # no script: the browser unfolds it
    assert folded.locator(".component").is_visible()

    full = page.screenshot(path=tmp_path / "status-phone-full.png", full_page=True)
    width, height = _png_size(full)
    assert width == PHONE["width"] and height > PHONE["height"]  # the components and history below the fold
    bars = page.locator('div.component[data-component="api"] svg.uptime rect')
    assert bars.count() == 90
    assert bars.nth(89).evaluate("e => getComputedStyle(e).fill") == "rgb(230, 126, 34)"  # today's partial outage
