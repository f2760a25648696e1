"""Cases as a person reads them in a terminal: local times with their zone, who answered, the page's story."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from router.config import SupportConfig
from schedules import business_time_between

if TYPE_CHECKING:  # case_list phrases its times with this module's duration
    from router.case_list import CaseRow


def local(iso: str | None, zone: dt.tzinfo, date: bool = True) -> str:
    """An ISO time from `describe` in the line's zone: "Sat 2026-11-28 03:00:12 -03"."""
    if iso is None:
        return "-"
    at = dt.datetime.fromisoformat(iso).astimezone(zone)
    return f"{at:%a %Y-%m-%d %H:%M:%S %Z}" if date else f"{at:%H:%M:%S}"


def duration(delta: dt.timedelta) -> str:
    """A span of time in words: "7 h 30 min", "45 s"."""
    seconds = int(delta.total_seconds())
    hours, minutes = divmod(seconds // 60, 60)
    if seconds < 60:
        return f"{seconds} s"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def case_summary(case: dict, support: SupportConfig, now: dt.datetime) -> str:
    """What `router case show` prints: the case from `router.cases.describe`, for a person."""
    line = support.line(case["line"])
    zone = line.timezone if line else dt.timezone.utc
    who = case["customer"] or "unidentified caller (flagged for review)"
    out = [f"Case {case['number']}: {case['severity']}, {case['status']}, tier {case['tier']} "
           f"({case['tier_name']}), {who}",
           f"  line        {line.name if line else '?'} ({case['line']}), times in {getattr(zone, 'key', 'UTC')}",
           f"  opened      {local(case['opened_at'], zone)}",
           f"  due         {local(case['first_response_due'], zone)}: {_promise(case, line, now)}"]
    if case["first_answered_at"]:
        out.append(f"  answered    {local(case['first_answered_at'], zone)} by "
                   f"{support.person_name(case['first_answered_by'])}")
    if case["resolved_at"]:
        out.append(f"  resolved    {local(case['resolved_at'], zone)} by {support.person_name(case['resolved_by'])}")
    if case["acknowledged"]:
        ack = case["acknowledged"]
        out.append(f"  taken by    {ack['by']} ({ack['via']}), "
                   f"{duration(dt.timedelta(seconds=ack['after_seconds']))} after it opened")
    out.append(f"  calls       {len(case['calls'])}")
    out += [f"    {local(c['started_at'], zone)}  from {c['from'] or 'unknown number'}: {c['decision'] or '-'}"
            for c in case["calls"]]
    for change in case["tier_changes"]:
        out.append(f"  tier        {local(change['at'], zone)}: {change['from']} → {change['to']} by "
                   f"{support.person_name(change['by'])}: {change['reason']}")
    if case["page"]:
        out += _page(case["page"], zone)
    return "\n".join(out)


def _promise(case: dict, line, now: dt.datetime) -> str:
    promise = case["promise"]
    if promise not in ("on track", "at risk") or line is None:
        return promise
    left = business_time_between(line.support_hours, now, dt.datetime.fromisoformat(case["first_response_due"]))
    return f"{promise}, {duration(left)} of open time left"


def _page(page: dict, zone: dt.tzinfo) -> list[str]:
    cases = f", {page['cases']} cases" if page["cases"] > 1 else ""
    out = [f"  page        {page['status']} (policy {page['policy']}{cases}), opened {local(page['opened_at'], zone)}"]
    out += [f"    {local(e['at'], zone)}  {e['kind']}: {e['detail']}" for e in page["events"]]
    for n in page["notifications"]:
        sent = local(n["sent_at"], zone) if n["sent_at"] else f"due {local(n['due_at'], zone)}"
        tries = f", {n['attempts']} attempts" if n["attempts"] > 1 else ""
        error = f", {n['error']}" if n["error"] else ""
        out.append(f"    {n['to']}: {n['channel']} (round {n['round']}, step {n['step']}) {sent} → "
                   f"{n['status']}{tries}{error}")
    return out


def case_table(rows: list[CaseRow], support: SupportConfig) -> str:
    """What `router case list` prints: the cases as aligned columns, each time in its line's zone."""
    header = ("CASE", "LINE", "CUSTOMER", "SEVERITY", "TIER", "OPENED", "DUE", "STATE", "TIME LEFT")
    table = [header] + [_columns(row, support) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = ("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in table)
    return "\n".join(line.rstrip() for line in lines)


def _columns(row: CaseRow, support: SupportConfig) -> tuple[str, ...]:
    case, line = row.case, support.line(row.case.line_number)
    zone = line.timezone if line else dt.timezone.utc
    customer = support.customer(case.customer_id)
    return (str(case.number), case.line_number, customer.name if customer else "unidentified",
            case.severity, str(case.tier), f"{case.opened_at.astimezone(zone):%a %Y-%m-%d %H:%M %Z}",
            f"{case.first_response_due.astimezone(zone):%a %Y-%m-%d %H:%M %Z}", row.standing.state.slug,
            row.standing.phrase())
