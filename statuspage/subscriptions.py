"""Subscribing to the status page by SMS, pure: what a text from a customer's contact means, what it changes,
what we answer, and the SMS that tells subscribers of an update.

`read_text` parses the body; `answer_text` takes it with what the shell read (the sender's subscription,
the components and their status, the incidents on the line texted) and returns what to log, what to
reply, and the change to the subscription for the shell to store.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from statuspage.vocabulary import ComponentStatus

# Twilio's own opt-out and opt-in keywords (a body of the keyword alone): Twilio answers them itself and,
# after an opt-out, refuses every SMS to the number until it opts in, so we never answer them.
OPT_OUT = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN = frozenset({"start", "yes", "unstop"})
HELP_LIMIT = 5  # help texts in a row to one number, then silence: an auto-reply must not talk with us for ever
SMS_LIMIT = 320  # two concatenated SMS at most (three segments in GSM-7)
_WORDS = re.compile(r"[^\s,;]+")


class Command(enum.StrEnum):
    STATUS = "status"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"  # of some components; alone, it is Twilio's opt-out (STOP)
    STOP = "stop"
    START = "start"
    HELP = "help"
    UNKNOWN = "unknown"


class Outcome(enum.StrEnum):
    """What a text came to: the SMS log's `kind` (at most 24 characters), and the help limit's memory."""

    STATUS = "status sent"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    NOT_SUBSCRIBED = "not subscribed"
    UNKNOWN_COMPONENT = "unknown component"
    REFUSED = "not a customer contact"
    OPTED_OUT = "opted out"
    OPTED_IN = "opted in"
    HELP = "help"               # the same words as the engineers' dialogue (router/paging/dialogue.py)
    HELP_WITHHELD = "help withheld"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Text:
    command: Command
    components: tuple[str, ...] = ()  # the ids named after SUBSCRIBE or UNSUBSCRIBE, lower case


def read_text(body: str | None) -> Text:
    """Read a text: "STATUS", "SUBSCRIBE [ids]", "UNSUBSCRIBE ids", Twilio's STOP and START words, "HELP"."""
    whole = (body or "").strip().rstrip(".!").strip().lower()
    if whole in OPT_OUT:
        return Text(Command.STOP)
    if whole in OPT_IN:
        return Text(Command.START)
    words = _WORDS.findall(whole)
    if not words:
        return Text(Command.UNKNOWN)
    first, rest = words[0], tuple(dict.fromkeys(words[1:]))
    if first == "status" and not rest:
        return Text(Command.STATUS)
    if first in ("subscribe", "sub", "join"):
        return Text(Command.SUBSCRIBE, rest)
    if first in ("unsubscribe", "stop", "unsub") and rest:
        return Text(Command.UNSUBSCRIBE, rest)
    if first in ("help", "info") and not rest:  # Twilio's help words
        return Text(Command.HELP)
    return Text(Command.UNKNOWN)


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    status: ComponentStatus


@dataclass(frozen=True)
class Situation:
    """The status page as the answer needs it, seen from the line texted."""

    page: str                               # the page's name, which signs every text
    components: tuple[Component, ...]       # every configured component, in the page's order
    line: tuple[str, ...]                   # the ids of the line's components (SUBSCRIBE's default)
    incidents: tuple[tuple[str, str], ...]  # (name, status) of what is unresolved or in progress on them
    support: str                            # the number texted, which strangers are told to call


@dataclass(frozen=True)
class Sender:
    customer: str | None          # the customer's name, when the number is one of its configured contacts
    subscribed: tuple[str, ...]   # the component ids the number is subscribed to
    known: bool                   # the number has a subscriber row (it subscribed, or replied STOP, once)
    stopped: bool                 # it replied STOP and has not replied START since
    helps_in_a_row: int


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    note: str                          # the log's words
    reply: str | None = None           # the SMS we answer with; None answers nothing
    subscribe: tuple[str, ...] = ()    # component ids the number now gets SMS about
    unsubscribe: tuple[str, ...] = ()  # component ids it no longer does
    stop: bool = False                 # the number replied STOP: nothing more is sent
    start: bool = False                # it replied START: its subscription goes on


def answer_text(text: Text, sender: Sender, situation: Situation) -> Answer:
    """What a text from a number that is not an engineer's does."""
    if text.command is Command.STOP:
        if not (sender.known or sender.customer):
            return Answer(Outcome.OPTED_OUT, "opted out; not a subscriber")
        return Answer(Outcome.OPTED_OUT, "opted out: no status SMS is sent until START", stop=True)
    if text.command is Command.START:
        if not sender.stopped:
            return Answer(Outcome.OPTED_IN, "opted in; had not opted out of status SMS")
        return Answer(Outcome.OPTED_IN, f"opted back in to status SMS: {_ids(sender.subscribed)}", start=True)
    if sender.stopped:  # Twilio refuses every SMS to the number until it replies START: an answer would be lost
        return Answer(Outcome.IGNORED, f"{text.command} from a number that opted out: nothing sent until START")
    if text.command is Command.STATUS:
        return Answer(Outcome.STATUS, "status sent", _fit(status_text(situation) + " " + _hint(sender, situation)))
    if text.command is Command.SUBSCRIBE:
        return _subscribe(text, sender, situation)
    if text.command is Command.UNSUBSCRIBE:
        return _unsubscribe(text, sender, situation)
    if text.command is Command.UNKNOWN and sender.customer is None:
        return Answer(Outcome.IGNORED, "unknown sender, ignored")
    if sender.helps_in_a_row >= HELP_LIMIT:
        return Answer(Outcome.HELP_WITHHELD, f"not understood, no help sent ({HELP_LIMIT} already sent)")
    note = "help sent" if text.command is Command.HELP else "not understood, help sent"
    return Answer(Outcome.HELP, note, help_text(sender, situation))


def _subscribe(text: Text, sender: Sender, situation: Situation) -> Answer:
    if sender.customer is None:
        return Answer(Outcome.REFUSED, "SUBSCRIBE from a number that is no customer's contact",
                      _fit(f"{situation.page}: only the contacts our customers gave us can subscribe by SMS. "
                           f"Please call support at {situation.support} to be added."))
    wanted = text.components or situation.line
    unknown = _unknown(wanted, situation)
    if unknown:
        return unknown
    now = tuple(c.id for c in situation.components if c.id in wanted or c.id in sender.subscribed)
    return Answer(Outcome.SUBSCRIBED, f"{sender.customer}: subscribed to {_ids(wanted)}",
                  _fit(f"{situation.page}: you will get an SMS at each update of incidents on "
                       f"{_names(now, situation)}. Reply STATUS for the status now, STOP to stop."),
                  subscribe=tuple(wanted))


def _unsubscribe(text: Text, sender: Sender, situation: Situation) -> Answer:
    unknown = _unknown(text.components, situation)
    if unknown:
        return unknown
    dropped = tuple(c for c in text.components if c in sender.subscribed)
    if not dropped:
        return Answer(Outcome.NOT_SUBSCRIBED, f"UNSUBSCRIBE {_ids(text.components)}: not subscribed to them",
                      _fit(f"{situation.page}: you are not subscribed to {_names(text.components, situation)}."))
    left = tuple(c for c in sender.subscribed if c not in dropped)
    still = (f"You still get SMS about {_names(left, situation)}." if left
             else "You get no more status SMS; reply SUBSCRIBE to subscribe again.")
    return Answer(Outcome.UNSUBSCRIBED, f"unsubscribed from {_ids(dropped)}",
                  _fit(f"{situation.page}: no more SMS about {_names(dropped, situation)}. {still}"),
                  unsubscribe=dropped)


def _unknown(named: tuple[str, ...], situation: Situation) -> Answer | None:
    known = {c.id for c in situation.components}
    unknown = [c for c in named if c not in known]
    if not unknown:
        return None
    return Answer(Outcome.UNKNOWN_COMPONENT, f"no component {_ids(unknown)}",
                  _fit(f"{situation.page}: there is no component {', '.join(unknown)}. "
                       f"Components: {_ids(c.id for c in situation.components)}."))


def status_text(situation: Situation) -> str:
    """The status of the line's components and what is going on: "ACME Cloud Status: Public API: Major
    outage. Dashboard, SMS gateway: Operational. Incident: ... (identified)."""
    shown = [c for c in situation.components if c.id in situation.line]
    if all(c.status is ComponentStatus.OPERATIONAL for c in shown):
        parts = ["All systems operational."]
    else:
        by_status: dict[ComponentStatus, list[str]] = {}
        for component in sorted(shown, key=lambda c: -_SEVERITY[c.status]):
            by_status.setdefault(component.status, []).append(component.name)
        parts = [f"{', '.join(names)}: {status.label}." for status, names in by_status.items()]
    parts += [f"{name} ({status.replace('_', ' ')})." for name, status in situation.incidents]
    return f"{situation.page}: " + " ".join(parts)


def help_text(sender: Sender, situation: Situation) -> str:
    if sender.customer is None:
        return _fit(f"{situation.page}: reply STATUS for the status of our services. To get SMS about "
                    f"incidents, please call support at {situation.support} to be added.")
    mine = f" You are subscribed to {_ids(sender.subscribed)}." if sender.subscribed else ""
    return _fit(f"{situation.page}: reply STATUS for the status now, SUBSCRIBE for SMS about incidents on "
                f"this line's services (or SUBSCRIBE followed by some of: {_ids(c.id for c in situation.components)})"
                f", UNSUBSCRIBE and the components to drop some, STOP to stop.{mine}")


def _hint(sender: Sender, situation: Situation) -> str:
    if sender.customer is None:
        return ""
    if sender.subscribed:
        return "Reply STOP to stop your incident SMS."
    return "Reply SUBSCRIBE for an SMS at each incident update."


def update_text(page: str, incident: str, status: str, body: str) -> str:
    """The SMS telling a subscriber of an update, within SMS_LIMIT: the body is cut first, then the name.

    A hyphen, not a dash, between name and status: an English text stays in GSM-7, three segments at most.
    """
    tail = " (reply STOP to stop)"
    label = status.replace("_", " ").capitalize()
    head = f"{page}: {_cut(incident, 120)} - {label}: "
    return head + _cut(" ".join(body.split()), SMS_LIMIT - len(head) - len(tail)) + tail


_SEVERITY = {ComponentStatus.MAJOR_OUTAGE: 4, ComponentStatus.PARTIAL_OUTAGE: 3,
             ComponentStatus.DEGRADED_PERFORMANCE: 2, ComponentStatus.UNDER_MAINTENANCE: 1,
             ComponentStatus.OPERATIONAL: 0}


def _names(ids: tuple[str, ...], situation: Situation) -> str:
    names = {c.id: c.name for c in situation.components}
    return ", ".join(names.get(i, i) for i in ids)


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 3, 0)].rstrip() + "..."


def _fit(text: str) -> str:
    return _cut(text.strip(), SMS_LIMIT)
