"""The paging benchmark's figures, from the fake Twilio's log and what the run left in the database.

See benchmarks/README.md for what each figure means; benchmarks/paging.py runs the benchmark.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from callflows.page import LISTED
from router.models import Call, Case, Notification, Page, PageEvent
from router.models.cases import CASE_NUMBER_OFFSET

CASE_NUMBER = re.compile(r"(?<![\d+])\d{4,7}(?!\d)")
NOTIFICATION_ID = re.compile(r"/(\d+)(?:/status)?/?(?:\?.*)?$")


def when(entry: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(entry["time"])


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def spread(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"median {statistics.median(values):.3f} s, p90 {percentile(values, 0.90):.3f} s, "
            f"p99 {percentile(values, 0.99):.3f} s, max {max(values):.3f} s (n={len(values)})")


@dataclass
class Stored:
    """What the run left in the database, with the look-ups the figures need."""

    calls: list
    cases: list
    pages: list
    notifications: list
    events: list
    case_of_call: dict = field(default_factory=dict)
    case_page: dict = field(default_factory=dict)
    case_opened: dict = field(default_factory=dict)
    cases_by_page: dict = field(default_factory=lambda: defaultdict(list))
    notification_page: dict = field(default_factory=dict)


def load(db_url: str) -> Stored:
    """Read calls, cases, pages, notifications and page events (detached, fully loaded)."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            data = Stored(
                calls=session.scalars(select(Call).where(Call.direction == "inbound")).all(),
                cases=session.scalars(select(Case)).all(),
                pages=session.scalars(select(Page)).all(),
                notifications=session.scalars(select(Notification)).all(),
                events=session.scalars(select(PageEvent).order_by(PageEvent.page_id, PageEvent.id)).all())
    finally:
        engine.dispose()
    data.case_of_call = {c.sid: c.case_id + CASE_NUMBER_OFFSET if c.case_id else None for c in data.calls}
    data.case_page = {c.number: c.page_id for c in data.cases}
    data.case_opened = {c.number: c.opened_at for c in data.cases}
    for c in data.cases:
        if c.page_id:
            data.cases_by_page[c.page_id].append(c.number)
    data.notification_page = {n.id: n.page_id for n in data.notifications}
    return data


def analyse(log: list[dict], db_url: str, step_delay: dt.timedelta, quiet: dt.timedelta) -> list[tuple[str, str]]:
    """Every figure of the run, as (label, value) rows."""
    data = load(db_url)
    return latency_rows(log, data) + volume_rows(log, data, quiet) + escalation_rows(data, step_delay)


def latency_rows(log: list[dict], data: Stored) -> list[tuple[str, str]]:
    """Confirm -> the first Twilio request for the call's page, and -> the first one naming its case."""
    confirms = {}
    for entry in log:
        if (entry["kind"] == "webhook" and "/voice/step/critical_confirm" in entry["url"]
                and entry["params"].get("Digits") == "1" and 200 <= entry.get("status_code", 0) < 300):
            # From the moment the key press is sent: the page now goes out while it is answered.
            confirms.setdefault(entry["params"].get("CallSid"), dt.datetime.fromisoformat(entry["sent"]))
    page_first, naming = first_requests(log, data)
    by_page: dict[str, list[float]] = defaultdict(list)
    told, missing, unnamed = [], 0, 0
    for call_sid, confirmed in confirms.items():
        number = data.case_of_call.get(call_sid)
        page_id = data.case_page.get(number)
        if page_id not in page_first:
            missing += 1
            continue
        waited = (page_first[page_id] - confirmed).total_seconds()
        opened = number == min(data.cases_by_page[page_id])  # the first case committed created the page
        kind = "opened the page" if opened else "joined, page not out yet" if waited > 0 else "joined, page already out"
        by_page[kind].append(max(0.0, waited))
        if number in naming:
            told.append((naming[number] - confirmed).total_seconds())
        else:
            unnamed += 1
    everyone = [v for values in by_page.values() for v in values]
    rows = [("confirm -> first Twilio request for the page", spread(everyone)),
            ("  under 1 s", f"{sum(v < 1 for v in everyone)} of {len(everyone)}")]
    rows += [(f"  {kind}", spread(values) if kind != "joined, page already out" else f"{len(values)} (0 s: the "
              "engineers were already being paged)") for kind, values in sorted(by_page.items())]
    if missing:
        rows.append(("confirmed calls without a page request", f"{missing} (no case, no page, or nothing sent)"))
    rows.append(("confirm -> first request naming the case", spread(told) + " (joined cases wait for the "
                 "bundled SMS: bundle_minutes)"))
    if unnamed:
        rows.append(("  cases no request named", f"{unnamed} (a bundled SMS counted them in \"and N more\", "
                                                    "or the run ended before it went out)"))
    return rows


def first_requests(log: list[dict], data: Stored) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    """The first REST request (SMS or call) for each page, and the first SMS or call that named each case.

    A message names the case numbers in its body; a call names the first three cases its page carried when made.
    """
    page_first: dict[int, dt.datetime] = {}
    naming: dict[int, dt.datetime] = {}
    for entry in sorted((e for e in log if e["kind"] in ("message", "call")), key=when):
        params, at = entry["params"], when(entry)
        match = NOTIFICATION_ID.search(params.get("StatusCallback") or "")
        page_id = data.notification_page.get(int(match.group(1))) if match else None
        if page_id is not None:
            page_first.setdefault(page_id, at)
        if entry["kind"] == "message":
            named = {int(n) for n in CASE_NUMBER.findall(params.get("Body", ""))} & set(data.case_page)
        else:  # a call reads the first cases of its page and counts the rest
            named = set(sorted(n for n in data.cases_by_page.get(page_id, ()) if data.case_opened[n] <= at)[:LISTED])
        for number in named:
            naming.setdefault(number, at)
    return page_first, naming


def volume_rows(log: list[dict], data: Stored, quiet: dt.timedelta) -> list[tuple[str, str]]:
    """Pages, cases, notifications, duplicates, bursts, SMS length."""
    rows = []
    cases, pages, notifications, case_of_call = data.cases, data.pages, data.notifications, data.case_of_call
    rest_by_notification: Counter = Counter()
    longest_sms = 0
    for entry in log:
        if entry["kind"] not in ("message", "call"):
            continue
        match = NOTIFICATION_ID.search(entry["params"].get("StatusCallback") or "")
        if match:
            rest_by_notification[int(match.group(1))] += 1
        if entry["kind"] == "message":
            longest_sms = max(longest_sms, len(entry["params"].get("Body", "")))
    # --- pages, cases, notifications, duplicates
    by_policy = Counter(p.policy_id for p in pages)
    rows.append(("pages", (f"{len(pages)} ({', '.join(f'{k}: {v}' for k, v in sorted(by_policy.items()))}); "
                          f"statuses {dict(Counter(p.status for p in pages))}")))
    distinct_cases = {n for n in case_of_call.values() if n}
    rows.append(("cases", (f"{len(cases)} ({len(distinct_cases)} distinct among the inbound calls, "
                          f"{sum(1 for c in cases if c.page_id)} on a page)")))
    sent = [n for n in notifications if n.twilio_sid]
    rows.append(("notifications", (f"{len(notifications)} rows; sent {len(sent)} "
                                  f"(sms {sum(n.channel == 'sms' for n in sent)}, "
                                  f"voice {sum(n.channel == 'voice' for n in sent)}); "
                                  f"statuses {dict(sorted(Counter(n.status for n in notifications).items()))}")))
    sid_twice = [s for s, k in Counter(n.twilio_sid for n in sent).items() if k > 1]
    requested_twice = {i: k for i, k in rest_by_notification.items() if k > 1}
    rows.append(("notifications sent twice", (f"{len(requested_twice)} by REST request "
                                             f"(same notification id), {len(sid_twice)} by Twilio SID")))
    if requested_twice:
        sample = sorted(requested_twice.items())[:10]
        rows.append(("  e.g. (id: requests)", ", ".join(f"{i}: {k}" for i, k in sample)))
    rows.append(("REST requests (sms / calls)", (f"{sum(e['kind'] == 'message' for e in log)} / "
                                                f"{sum(e['kind'] == 'call' for e in log)}")))
    calls_to: dict[str, list[dt.datetime]] = defaultdict(list)
    for entry in log:
        if entry["kind"] == "call":
            calls_to[entry["params"].get("To", "?")].append(when(entry))
    burst, burst_to = 0, None
    for number, times in calls_to.items():
        times.sort()
        start = 0
        for end, at in enumerate(times):
            while at - times[start] >= quiet:
                start += 1
            if end - start + 1 > burst:
                burst, burst_to = end - start + 1, number
    rows.append(("most page calls to one phone", f"{burst} within {quiet.total_seconds():g} s"
                                                 + (f" (to {burst_to})" if burst_to else "")
                                                 + " (quiet_minutes promises 1)"))
    rows.append(("longest SMS body", f"{longest_sms} characters (real Twilio refuses > 1600)"))
    return rows


def escalation_rows(data: Stored, step_delay: dt.timedelta) -> list[tuple[str, str]]:
    """How late timeouts escalate, against their deadlines."""
    rows = []
    events = data.events
    # --- escalation lateness: each timeout escalation against the deadline of the step it left.
    # An escalation well before that deadline is a second escalation of a step another worker
    # had just escalated (the step was entered twice): counted apart, not as lateness.
    late, early, other_escalations = [], [], Counter()
    step_started: dict[int, dt.datetime] = {}
    for event in events:
        if event.kind == "step":
            step_started[event.page_id] = event.at
        elif event.kind == "escalated":
            if event.detail.startswith("no acknowledgement by") and event.page_id in step_started:
                lateness = (event.at - (step_started[event.page_id] + step_delay)).total_seconds()
                (early if lateness < -1 else late).append(lateness)
            else:
                other_escalations[event.detail] += 1
    kinds = Counter(e.kind for e in events)
    rows.append(("escalations (timeouts)", f"{len(late) + len(early)}; late by " + (
        f"median {statistics.median(late):.3f} s, max {max(late):.3f} s" if late else "no samples")))
    if early:
        rows.append(("  escalated again at once", (
            f"{len(early)} (a step entered twice, within {max(s + step_delay.total_seconds() for s in early):.3f}"
            f" s of the previous escalation)")))
    if other_escalations:
        rows.append(("escalations (other reasons)", ", ".join(f"{v} x {k!r}" for k, v
                                                             in other_escalations.most_common(5))))
    rows.append(("page events", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))))
    return rows
