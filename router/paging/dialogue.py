"""The SMS dialogue with a paged engineer, pure: which page a reply means, what it does, what we answer.

`answer_sms` takes the parsed reply and the pages it could be about (read, and
locked, by the shell) and returns what to log, what to reply, and the event
each page gets. Reading `1` needs exactly one open page; `ACK 1042` names one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callflows.page import HELP_SMS, SmsReply, case_numbers
from router.paging.page import Acknowledge, Escalate, Event, same_step
from router.paging.statuses import PageStatus, Via
from schedules import Position

HELP_LIMIT = 5  # help texts in a row to one person, then silence until they send something understood (GoAlert)


class SmsOutcome(StrEnum):
    """What an SMS to our numbers came to: the call log's column, and the help limit's memory."""

    IGNORED = "ignored"            # not from a configured person
    OPTED_OUT = "opted out"
    OPTED_IN = "opted in"
    HELP = "help"
    HELP_WITHHELD = "help withheld"
    NO_PAGE = "no page"
    AMBIGUOUS = "ambiguous"
    ALREADY_TAKEN = "already taken"
    ALREADY_ESCALATED = "already escalated"
    RAN_OUT = "escalation ran out"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"


@dataclass(frozen=True)
class PageSummary:
    """A page as the dialogue needs it, with the step at which it last reached the person replying."""

    id: int
    cases: tuple[int, ...]
    status: PageStatus
    position: Position | None
    asker_position: Position | None = None


@dataclass(frozen=True)
class SmsAnswer:
    outcome: SmsOutcome
    note: str                               # the log's words
    reply: str | None = None                # the SMS we answer with; None answers nothing
    events: tuple[tuple[int, Event], ...] = ()  # page id, and what happens to it


def answer_sms(person: str | None, reply: SmsReply, reached: tuple[PageSummary, ...],
               named: PageSummary | None, helps_in_a_row: int) -> SmsAnswer:
    """What an SMS from `person` does: `reached` are their untaken pages, `named` the page of the case
    the reply names (None if it names none, or none has a page)."""
    if person is None:
        return SmsAnswer(SmsOutcome.IGNORED, "unknown sender, ignored")
    if reply.action in ("opt-out", "opt-in"):  # Twilio itself answers these and blocks or resumes our SMS
        if reply.action == "opt-out":
            return SmsAnswer(SmsOutcome.OPTED_OUT, "opted out of SMS: Twilio blocks page SMS to this phone "
                                                   "until START (calls still go)")
        return SmsAnswer(SmsOutcome.OPTED_IN, "opted back in to SMS")
    if reply.action is None:
        if helps_in_a_row >= HELP_LIMIT:
            return SmsAnswer(SmsOutcome.HELP_WITHHELD, f"not understood, no help sent ({HELP_LIMIT} already sent)")
        return SmsAnswer(SmsOutcome.HELP, "not understood, help sent", HELP_SMS)
    if reply.action == "acknowledge all":
        return _acknowledge_all(person, reached)
    page = named if reply.case_number is not None else (reached[0] if len(reached) == 1 else None)
    if page is None:
        return _no_single_page(reply, reached)
    if reply.action == "escalate":
        return _escalate(person, page)
    return _acknowledge(person, page)


def _acknowledge_all(person: str, reached: tuple[PageSummary, ...]) -> SmsAnswer:
    if not reached:
        return SmsAnswer(SmsOutcome.NO_PAGE, "ACK ALL with no open page", "You have no open page.")
    named = case_numbers([number for page in reached for number in page.cases])
    return SmsAnswer(SmsOutcome.ACKNOWLEDGED, f"acknowledged {len(reached)} pages: {named}",
                     f"Acknowledged all your open pages: {named}.",
                     tuple((page.id, Acknowledge(person, Via.SMS)) for page in reached))


def _no_single_page(reply: SmsReply, reached: tuple[PageSummary, ...]) -> SmsAnswer:
    if reply.case_number is not None:
        return SmsAnswer(SmsOutcome.NO_PAGE, f"no page for case {reply.case_number}",
                         f"There is no page for case {reply.case_number}.")
    key = "1" if reply.action == "acknowledge" else "2"
    if not reached:
        return SmsAnswer(SmsOutcome.NO_PAGE, f"{key} with 0 open pages", "You have no open page.")
    return SmsAnswer(SmsOutcome.AMBIGUOUS, f"{key} with {len(reached)} open pages",
                     "You have several open pages. " + HELP_SMS)


def _acknowledge(person: str, page: PageSummary) -> SmsAnswer:
    named, one = case_numbers(list(page.cases)), len(page.cases) == 1
    if not page.status.untaken:
        return _taken(page)
    return SmsAnswer(SmsOutcome.ACKNOWLEDGED, f"acknowledged {named}",
                     f"Acknowledged: {named} {'is' if one else 'are'} yours.",
                     ((page.id, Acknowledge(person, Via.SMS)),))


def _escalate(person: str, page: PageSummary) -> SmsAnswer:
    """Escalate from the step that paged the person: if the page has moved on since, it is not moved twice."""
    named, one = case_numbers(list(page.cases)), len(page.cases) == 1
    if not page.status.untaken:
        return _taken(page)
    first = page.cases[0] if page.cases else 0
    if page.status is PageStatus.EXHAUSTED:
        return SmsAnswer(SmsOutcome.RAN_OUT, f"ESC for {named}: escalation has run out",
                         f"Nobody is left to escalate {named} to. Reply ACK {first} to take it.")
    if page.asker_position is not None and not same_step(page.asker_position, page.position):
        return SmsAnswer(SmsOutcome.ALREADY_ESCALATED, f"{named} already escalated past this person's step",
                         f"{named.capitalize()} {'has' if one else 'have'} already gone to the next engineer.")
    return SmsAnswer(SmsOutcome.ESCALATED, f"escalated {named}",
                     f"Escalated: {named} {'goes' if one else 'go'} to the next engineer.",
                     ((page.id, Escalate(person, page.asker_position, "replied to escalate")),))


def _taken(page: PageSummary) -> SmsAnswer:
    named, one = case_numbers(list(page.cases)), len(page.cases) == 1
    return SmsAnswer(SmsOutcome.ALREADY_TAKEN, f"{named} already acknowledged",
                     f"{named.capitalize()} {'was' if one else 'were'} already acknowledged.")
