"""`/metrics`: calls, steps, request times, pages and acknowledgements, in Prometheus' format."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from router.paging.worker import run_pass
from router.runtime import runtime
from tests.web.helpers import ACME_CONTACT, BRAZIL_LINE, sao_paulo


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_critical_call_is_counted_from_its_first_step_to_its_acknowledgement(app, twilio, clock):
    clock.at = sao_paulo("2026-11-28 03:00")
    before = {"calls": _value("router_calls_total", line=BRAZIL_LINE, decision="closed: weekend"),
              "steps": _value("router_call_steps_total", step="critical_confirm", outcome="record"),
              "pages": _value("router_pages_opened_total", policy="critical-brazil"),
              "acks": _value("router_time_to_acknowledge_seconds_count"),
              "answered": _value("router_request_seconds_count", route="/voice/incoming")}
    twilio.call(ACME_CONTACT, BRAZIL_LINE).arrives().presses("1").presses("1").records(5)
    runtime(app).dispatcher.shutdown()
    run_pass(runtime(app).services)
    clock.at = sao_paulo("2026-11-28 03:02")
    twilio.post("/sms/incoming", MessageSid="SM" + "8" * 32, From="+5511970000003", To=BRAZIL_LINE, Body="ACK 1001")
    assert _value("router_calls_total", line=BRAZIL_LINE, decision="closed: weekend") == before["calls"] + 1
    assert _value("router_call_steps_total", step="critical_confirm", outcome="record") == before["steps"] + 1
    assert _value("router_pages_opened_total", policy="critical-brazil") == before["pages"] + 1
    assert _value("router_time_to_acknowledge_seconds_count") == before["acks"] + 1
    assert _value("router_request_seconds_count", route="/voice/incoming") == before["answered"] + 1

    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    names = {family.name for family in text_string_to_metric_families(answer.get_data(as_text=True))}
    assert {"router_calls", "router_request_seconds", "router_notifications", "router_engine_lag_seconds",
            "router_spool_depth"} <= names
