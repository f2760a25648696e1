"""What the caller hears right after the greeting while the status page tells of trouble on the line."""

from __future__ import annotations

from dataclasses import replace

from callflows.common import language, say
from callflows.decision import CallFacts, Decision, Speech
from callflows.speech import moment


def announcement_speech(call: CallFacts) -> tuple[Speech, ...]:
    """The incident or maintenance: its name, what it affects, its latest update and when it should end.

    The end is told only while it is ahead: an estimate already past would promise what did not happen.
    """
    told, line = call.announcement, call.line
    if told is None or line is None:
        return ()
    opening = say(call, told.kind if told.components else f"{told.kind}_unplaced", name=told.name,
                  components=_listed(call, told.components))
    parts = [opening.text]
    if told.update:
        parts.append(told.update)
    if told.until is not None and told.until > call.at:
        until = moment(told.until.astimezone(line.hours.timezone), language(call))
        parts.append(say(call, f"{told.kind}_until", until=until, place=line.place).text)
    return (Speech(" ".join(parts), opening.language, opening.voice),)


def announced(call: CallFacts, decision: Decision) -> Decision:
    """The decision of a step that spoke the announcement: its note says so, and the call log keeps it."""
    told = call.announcement
    if told is None or call.line is None:
        return decision
    return replace(decision, note=f'{decision.note}; announced {told.kind} "{told.name}"', announced=told.name)


def _listed(call: CallFacts, names: tuple[str, ...]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {say(call, 'and').text} " + names[-1]
