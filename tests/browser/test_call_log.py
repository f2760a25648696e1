"""The call log in a real browser: a manager filters it through the form, the URL keeps the filters, the
table shows the calls asked for, and "Export CSV" downloads exactly those."""

from __future__ import annotations

import csv
import struct
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import log_in
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, INITECH_CONTACT, STRANGER, Twilio, sao_paulo

pytestmark = pytest.mark.browser
HOLIDAY = "closed: holiday National Day of Zumbi and Black Awareness"


def _png_size(image: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header (the IHDR chunk comes first)."""
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", image[16:24])


@pytest.fixture
def calls(served_app, clock):
    """Four calls of a week in São Paulo, played through the webhooks."""
    twilio = Twilio(served_app.test_client())

    def ends(call, seconds):
        twilio.post("/voice/status", **{**call.base, "CallStatus": "completed", "CallDuration": str(seconds)})

    clock.at = sao_paulo("2026-11-20 10:00")  # a holiday: ACME Retail hangs up in the after-hours menu
    ends(twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives(), 30)
    clock.at = sao_paulo("2026-11-23 10:00")
    ends(twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("completed"), 200)
    clock.at = sao_paulo("2026-11-23 10:05")
    ends(twilio.call(STRANGER, BRAZIL_LINE).arrives().presses("482910"), 14)  # hangs up in the menu
    clock.at = sao_paulo("2026-11-24 11:00")
    ends(twilio.call(INITECH_CONTACT, BRAZIL_LINE).arrives().presses("1").dial_ends("no-answer").records(), 75)


def test_a_manager_filters_the_call_log_and_exports_what_it_shows(page, calls, tmp_path):
    log_in(page, "marta")
    assert page.url.endswith("/calls")  # a manager's first page
    assert page.locator("tbody tr[data-call]").count() == 4
    page.screenshot(path=tmp_path / "call-log-all.png", full_page=True)

    form = page.locator("form.filters")
    form.locator("select[name=outcome]").select_option("hung up")
    form.locator("input[name=q]").fill("(11) 98888-7777")  # ACME Retail's number, written the Brazilian way
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    assert parse_qs(urlparse(page.url).query) == {"outcome": ["hung up"], "q": ["(11) 98888-7777"]}
    rows = page.locator("tbody tr[data-call]")
    assert rows.count() == 1
    cells = [" ".join(c.split()) for c in rows.first.locator("td").all_inner_texts()]
    assert cells[:6] == ["Fri 20 Nov 2026 10:00 -03", "ACME Suporte Brasil", "ACME Retail +5511988887777",
                         HOLIDAY, "—", "hung up"]
    assert form.locator("select[name=outcome]").input_value() == "hung up"  # the form keeps what was asked
    assert form.locator("input[name=q]").input_value() == "(11) 98888-7777"

    table = page.locator("table.calls")
    shot = table.screenshot(path=tmp_path / "call-log.png")
    box = table.bounding_box()
    width, height = _png_size(shot)
    assert abs(width - box["width"]) < 2 and abs(height - box["height"]) < 2 and height > 50  # header and row
    assert HOLIDAY in table.inner_text()
    page.screenshot(path=tmp_path / "call-log-page.png", full_page=True)

    with page.expect_download() as downloading:
        page.click("text=Export CSV")
    download = downloading.value
    assert download.suggested_filename.startswith("calls-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="", encoding="utf-8") as exported:
        exported_rows = list(csv.DictReader(exported))
    assert [(r["time"], r["caller"], r["hours"], r["outcome"]) for r in exported_rows] == [
        ("2026-11-20T10:00:00-03:00", "ACME Retail", HOLIDAY, "hung up")]

    page.click("th a:has-text('duration')")  # sorting keeps the filters
    page.wait_for_load_state()
    assert parse_qs(urlparse(page.url).query) == {"outcome": ["hung up"], "q": ["(11) 98888-7777"],
                                                  "sort": ["duration"]}
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("duration")
