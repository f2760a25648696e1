"""Log lines: masked phone numbers, no secrets, the call and case named, text or JSON."""

from __future__ import annotations

import io
import json
import logging

import pytest

from router import logs


@pytest.mark.parametrize(("text", "expected"), [
    ("notification 7 failed: The 'To' number +5511970000003 is not valid", "…0003 is not valid"),
    ("caller 5511988887777 again", "caller …7777 again"),
    ("call CA00000000000000000000000000000001 ended", "call CA00000000000000000000000000000001 ended"),
    ("case 1042 at 2026-12-01 10:00, 20261201", "case 1042 at 2026-12-01 10:00, 20261201"),
    ("GET /calendar/people/carla.ics?token=0123456789abcdef", "GET /calendar/people/carla.ics?token=…"),
])
def test_numbers_are_cut_to_their_last_four_digits_and_tokens_hidden(text, expected):
    assert expected in logs.mask(text)
    assert "5511970000003" not in logs.mask(text) and "0123456789abcdef" not in logs.mask(text)


def _line(monkeypatch, log_format: str, write) -> str:
    monkeypatch.setenv(logs.FORMAT_ENV, log_format)
    out = logs.handler()
    stream = io.StringIO()
    out.setStream(stream)
    logger = logging.getLogger("router.test-logs")
    logger.addHandler(out)
    logger.propagate = False
    try:
        write(logger)
    finally:
        logger.removeHandler(out)
    return stream.getvalue()


def test_a_line_names_its_call_and_case_and_masks_a_traceback(monkeypatch):
    def write(logger):
        with logs.bound(call="CA1", case=1042):
            try:
                raise ValueError("could not dial +5511970000003")
            except ValueError:
                logger.exception("step %s failed for %s", "critical_confirm", "+5511988887777")

    line = _line(monkeypatch, "text", write)
    assert " ERROR router.test-logs call=CA1 case=1042: step critical_confirm failed for +…7777" in line
    assert "ValueError: could not dial +…0003" in line
    assert "5511970000003" not in line and "5511988887777" not in line
    assert line[:4].isdigit() and "T" in line.split()[0]  # an ISO time first


def test_json_lines_are_one_object_each(monkeypatch):
    line = _line(monkeypatch, "json", lambda logger: logger.warning("caller %s", "+12125550100"))
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == ("WARNING", "router.test-logs", "caller +…0100")
    assert entry["time"].endswith("+00:00")


def test_an_unknown_format_is_named(monkeypatch):
    monkeypatch.setenv(logs.FORMAT_ENV, "xml")
    with pytest.raises(ValueError, match="ROUTER_LOG_FORMAT: 'xml' is not one of text, json"):
        logs.handler()
