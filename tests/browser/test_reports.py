"""A manager opens the reports in a real browser: Chart.js, served by the console, draws every figure, and
the numbers stand beside the charts."""

from __future__ import annotations

import struct

import pytest

from router import db
from tests.browser.conftest import log_in
from tests.web.test_console_reports import four_weeks_of_a_line

pytestmark = pytest.mark.browser

# Every figure's canvas holds a Chart.js chart and differs from a blank canvas of its size.
ALL_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-figure]")];
  return canvases.length > 0 && canvases.every(canvas => {
    const blank = document.createElement("canvas");
    blank.width = canvas.width; blank.height = canvas.height;
    return window.Chart && Chart.getChart(canvas) && canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL();
  });
}"""


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])  # the IHDR chunk: width, height


def test_a_manager_sees_every_figure_drawn_with_its_numbers(page, served_app, tmp_path):
    with served_app.app_context(), db.sessions(served_app).begin() as session:
        four_weeks_of_a_line(session)
    log_in(page, "marta")
    page.goto("/reports")
    assert page.locator("header nav a[aria-current=page]").inner_text() == "Reports"
    assert page.locator("h1").inner_text() == "Reports: ACME Suporte Brasil"
    page.wait_for_function(ALL_DRAWN)
    kinds = page.evaluate("""() => [...document.querySelectorAll("canvas[data-figure]")]
                                     .map(c => [c.dataset.figure, Chart.getChart(c).config.type])""")
    assert kinds == [["calls", "bar"], ["after-hours", "bar"], ["pages", "bar"], ["acknowledge", "bar"],
                     ["escalations", "bar"], ["first-response", "doughnut"], ["interruptions", "bar"]]
    drawn = page.evaluate("""() => Chart.getChart(document.querySelector('canvas[data-figure="interruptions"]'))
                                  .data.datasets.map(d => [d.label, d.data])""")
    assert drawn == [["business hours", [0, 1]], ["off hours", [1, 2]], ["sleep hours", [3, 0]]]

    rows = page.locator('table[data-figure="interruptions"] tbody tr').all_inner_texts()
    assert [row.split("\t") for row in rows] == [["Carla Mendes", "0", "1", "3"], ["Diego Rocha", "1", "2", "0"]]
    holiday = page.locator('table[data-figure="calls"] tbody tr').nth(3).inner_text()
    assert holiday.split("\t") == ["closed: holiday All Souls' Day", "1"]
    assert page.locator('[data-fact="within one business day"]').inner_text() == "25.0 %"

    figure = page.locator("#figure-interruptions")
    shot = figure.screenshot(path=tmp_path / "interruptions.png")
    box = figure.bounding_box()
    width, height = _png_size(shot)
    assert abs(width - box["width"]) <= 1 and abs(height - box["height"]) <= 1  # the figure, whole
    chart, table = page.locator("#figure-interruptions canvas").bounding_box(), \
        page.locator('table[data-figure="interruptions"]').bounding_box()
    assert chart["width"] > 200 and chart["height"] > 150
    assert table["x"] >= chart["x"] + chart["width"]  # the numbers beside the chart
    page.screenshot(path=tmp_path / "reports.png", full_page=True)


def test_the_report_csv_downloads_from_the_page(page, served_app, tmp_path):
    with served_app.app_context(), db.sessions(served_app).begin() as session:
        four_weeks_of_a_line(session)
    log_in(page, "marta")
    page.goto("/reports?from=2026-11-16&to=2026-11-22")
    page.wait_for_function(ALL_DRAWN)
    with page.expect_download() as download:
        page.click("text=CSV")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "report-551130000000-2026-11-16-2026-11-22.csv"
    text = saved.read_text()
    assert "+551130000000,2026-11-16,2026-11-22,interruptions,Carla Mendes,sleep hours,3" in text
