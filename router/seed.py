"""A seeded history of the configured lines: weeks of calls, their cases, pages and acknowledgements.

Calls come in each line's business rhythm (busy weekday mornings and afternoons, quiet nights and
weekends, in the line's zone) and are played through the real call flow (`router.seed_flow`), so their
decisions, notes, TwiML, outcomes and keys are what the service logs. Cases get their first-response due
time from `schedules.first_response_due`; critical ones page whoever `schedules` says was on call, who
acknowledges after a while, or the page escalates. Everything is drawn from one seeded random generator:
the same seed and configuration give the same rows. The rows come out as plain dicts in batches, written
by `router.seed_store` (the ORM for the demo, bulk inserts for the benchmark).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from callflows.decision import CaseFacts
from router.config import Line, SupportConfig
from router.models import CASE_NUMBER_OFFSET
from router.seed_flow import Caller, FlowPlayer, PlayedCall
from router.seed_pages import page_rows

SID_PREFIX = "CAseed"
TABLES = ("pages", "cases", "case_tier_changes", "calls", "call_events", "notifications", "page_events")
# Share of a day's calls in each local hour: weekday business hours carry most of them.
HOURLY = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 2.5, 6, 7, 6.5, 4, 4.5, 6.5, 6.5, 5.5, 4, 1.8, 1.2, 0.9, 0.7,
          0.5, 0.3)
WEEKEND_SHARE, HOLIDAY_SHARE = 0.15, 0.2
PROBLEMS = ("Our production environment is down.", "The checkout API returns errors since this morning.",
            "We cannot log in to the portal.", "Reports are not being generated.",
            "The database cluster is not responding.", "Invoices show the wrong amounts.",
            "Users get a timeout on the mobile app.", "We need help configuring single sign-on.")


@dataclass
class Batch:
    """Rows for every table, in an order that keeps the foreign keys (pages before cases before calls)."""

    rows: dict[str, list[dict]] = field(default_factory=lambda: {table: [] for table in TABLES})
    calls: int = 0


@dataclass(frozen=True)
class FirstIds:
    """The next free row id of each table, so the seed adds to what the database holds."""

    ids: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 1))


def history(support: SupportConfig, end: dt.datetime, weeks: int, calls: int, seed: int = 12,
            first: FirstIds = FirstIds(), batch_calls: int = 5000,
            public_url: str = "http://127.0.0.1:5000") -> Iterator[Batch]:
    """`calls` calls over the `weeks` before `end`, with what came of them, in batches of `batch_calls` calls."""
    rng = random.Random(seed)
    moments = call_moments(support, end - dt.timedelta(weeks=weeks), end, calls, rng)
    writer = _History(support, end, seed, rng, first, FlowPlayer(support, public_url))
    batch = Batch()
    for at, line in moments:
        writer.call(batch, line, at)
        if batch.calls >= batch_calls:
            yield batch
            batch = Batch()
    if batch.calls:
        yield batch


def call_moments(support: SupportConfig, start: dt.datetime, end: dt.datetime, count: int,
                 rng: random.Random) -> list[tuple[dt.datetime, Line]]:
    """When the calls come, oldest first: days weighted by weekday and holiday, hours by the rhythm above."""
    lines = support.lines
    line_weights = [1.0 / (index + 1) for index in range(len(lines))]
    days = {line.number: _days(line, start, end) for line in lines}
    cumulative = {number: list(itertools.accumulate(w for _day, w in found)) for number, found in days.items()}
    hours = list(itertools.accumulate(HOURLY))
    picked: list[tuple[dt.datetime, Line]] = []
    while len(picked) < count:  # a moment of the first or last local day may fall outside [start, end)
        for line in rng.choices(lines, line_weights, k=count - len(picked)):
            found, sums = days[line.number], cumulative[line.number]
            day = found[bisect.bisect(sums, rng.random() * sums[-1])][0]
            hour = bisect.bisect(hours, rng.random() * hours[-1])
            local = dt.datetime.combine(day, dt.time(hour), tzinfo=line.timezone) + dt.timedelta(
                seconds=rng.randrange(3600))
            moment = local.astimezone(dt.timezone.utc)
            if start <= moment < end:
                picked.append((moment, line))
    picked.sort(key=lambda pair: pair[0])
    return picked


def _days(line: Line, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.date, float]]:
    day, last = start.astimezone(line.timezone).date(), end.astimezone(line.timezone).date()
    found = []
    while day <= last:
        weight = 1.0
        if line.support_hours.holidays.holiday_on(day) is not None:
            weight = HOLIDAY_SHARE
        elif not line.support_hours.weekly[day.weekday()]:
            weight = WEEKEND_SHARE
        found.append((day, weight))
        day += dt.timedelta(days=1)
    return found


class _History:
    """Writes each call and what follows from it into the batch, keeping the callers' recent cases."""

    def __init__(self, support: SupportConfig, end: dt.datetime, seed: int, rng: random.Random, first: FirstIds,
                 player: FlowPlayer) -> None:
        self.support, self.end, self.seed, self.rng, self.player = support, end, seed, rng, player
        self.next = dict(first.ids)
        self.callers = {line.number: _caller_pool(support, line, rng) for line in support.lines}
        self.last_case: dict[str, tuple[CaseFacts, dt.datetime, dt.datetime | None]] = {}

    def _id(self, table: str) -> int:
        found = self.next[table]
        self.next[table] = found + 1
        return found

    def call(self, batch: Batch, line: Line, at: dt.datetime) -> None:
        caller = self._caller(line, at)
        case_id = self.next["cases"]
        played = self.player.play(line, caller, at, self.rng, case_id + CASE_NUMBER_OFFSET)
        call_id = self._id("calls")
        case = None
        if played.opened is not None and played.joined is None:
            case = self._case(batch, line, caller, played, at, self._id("cases"))
        elif played.joined is not None:
            case = played.joined - CASE_NUMBER_OFFSET
        batch.rows["calls"].append({
            "id": call_id, "sid": f"{SID_PREFIX}{self.seed % 10_000:04d}{call_id:022d}", "direction": "inbound",
            "line_number": line.number, "from_number": caller.number, "to_number": line.number,
            "customer_id": played.customer, "started_at": at, "ended_at": at + dt.timedelta(seconds=played.duration),
            "status": "completed", "duration_seconds": played.duration, "decision": played.decision,
            "case_id": case, "outcome": played.outcome, "path": played.path})
        for index, (offset, step, keyed, note, twiml) in enumerate(played.events):
            batch.rows["call_events"].append({
                "id": self._id("call_events"), "call_id": call_id, "at": at + dt.timedelta(seconds=offset),
                "step": step, "digits": keyed, "note": note[:300], "twiml": twiml,
                "request_key": f"seed:{self.seed}:{call_id}:{index}"})
        batch.calls += 1

    def _caller(self, line: Line, at: dt.datetime) -> Caller:
        number, account, pin = self.rng.choice(self.callers[line.number])
        customer = self.support.customer_by_phone(number)
        key = customer.id if customer else number
        previous, opened_at, resolved_at = self.last_case.get(key, (None, None, None))
        window = dt.timedelta(minutes=self.support.service.repeat_call_minutes)
        recent = previous is not None and at - opened_at <= window and (resolved_at is None or resolved_at > at)
        return Caller(number, account, pin, previous_case=previous, open_case=previous if recent else None)

    def _case(self, batch: Batch, line: Line, caller: Caller, played: PlayedCall, at: dt.datetime,
              case_id: int) -> int:
        opened = played.opened
        opened_at = at + dt.timedelta(seconds=played.opened_at or 0)
        due = played.due
        answered_at = at + dt.timedelta(seconds=played.answered_at) if played.answered_at is not None else None
        answered_by = "live call" if answered_at else None
        row = {"id": case_id, "line_number": line.number, "customer_id": played.customer,
               "caller_number": caller.number, "severity": opened.severity, "tier": opened.tier, "status": "open",
               "needs_review": opened.needs_review, "opened_at": opened_at, "first_response_due": due,
               "first_answered_at": answered_at, "first_answered_by": answered_by, "page_id": None,
               "acknowledged_at": None, "acknowledged_by": None, "acknowledged_via": None,
               "recording_url": None, "recording_seconds": played.recording_seconds, "description": None,
               "resolved_at": None, "resolved_by": None}
        if played.recording_seconds:
            row["recording_url"] = f"https://api.twilio.com/2010-04-01/Recordings/RE{self.seed:04d}{case_id:028d}"
            row["description"] = self.rng.choice(PROBLEMS)
        if opened.page:
            page_rows(self, batch, line, row)
        if row["first_answered_at"] is None:
            self._response(line, row)
        self._resolution(batch, line, row)
        batch.rows["cases"].append(row)
        number = case_id + CASE_NUMBER_OFFSET
        facts = CaseFacts(number=number, due=due, severity=opened.severity, tier=row["tier"],
                          customer=played.customer)
        self.last_case[played.customer or caller.number] = (facts, opened_at, row["resolved_at"])
        return case_id

    def _response(self, line: Line, row: dict) -> None:
        """Someone answers the case later: most before it is due, some late, some not yet."""
        opened, due = row["opened_at"], row["first_response_due"]
        roll = self.rng.random()
        if roll < 0.75:
            at = opened + (due - opened) * self.rng.uniform(0.05, 0.95)
        elif roll < 0.93:
            at = due + dt.timedelta(hours=self.rng.uniform(0.5, 30))
        else:
            return
        if at < self.end:
            row["first_answered_at"], row["first_answered_by"] = at, self._agent(line, row["tier"])

    def _resolution(self, batch: Batch, line: Line, row: dict) -> None:
        """Some cases move to tier 2 first; most answered cases are resolved a while after the answer."""
        answered = row["first_answered_at"]
        if answered is None:
            return
        if row["tier"] == 1 and self.rng.random() < 0.08:
            moved = answered + dt.timedelta(minutes=self.rng.uniform(5, 240))
            if moved < self.end:
                batch.rows["case_tier_changes"].append({
                    "id": self._id("case_tier_changes"), "case_id": row["id"], "at": moved, "from_tier": 1,
                    "to_tier": 2, "by": self._agent(line, 1), "reason": "needs Technical Solutions"})
                row["tier"] = 2
        resolved = answered + dt.timedelta(hours=self.rng.lognormvariate(2.5, 1.0))
        if resolved < self.end and self.rng.random() < 0.85:
            row["status"], row["resolved_at"], row["resolved_by"] = "resolved", resolved, self._agent(line, row["tier"])

    def _agent(self, line: Line, tier: int) -> str:
        group = {2: line.tier2_group, 3: line.tier3_group}.get(tier) or line.ring_group
        return self.rng.choice(group) if group else self.support.people[0].id


def _caller_pool(support: SupportConfig, line: Line, rng: random.Random) -> list[tuple[str, str | None, str | None]]:
    """Who calls a line: its customers' contacts (often), numbers no customer has, now and then a blocked one."""
    code = line.number[:3] if line.number.startswith("+55") else line.number[:2]
    known = [(number, customer.account, customer.pin) for customer in support.customers
             for number in customer.contacts if number.startswith(code)]
    accounts = [(c.account, c.pin) for c in support.customers]
    strangers = []
    for _ in range(400):
        number = (f"+55119{rng.randrange(10**7, 10**8)}" if code == "+55"
                  else f"+1{rng.choice((212, 646, 917, 347))}{rng.randrange(2, 10)}{rng.randrange(10**5, 10**6)}")
        account, pin = rng.choice(accounts) if rng.random() < 0.6 else (None, None)
        strangers.append((number, account, pin))
    blocked = [("+551190000001", None, None)] if code == "+55" else [("+19005550123", None, None)]
    return known * 40 + strangers + blocked * 4
