"""What every step of the inbound flow shares: the call's language, re-prompts, the message path."""

from __future__ import annotations

from collections.abc import Callable

from callflows.decision import (
    LONGEST_TRANSCRIBED_SECONDS,
    AttachRecording,
    CallerInput,
    CallFacts,
    Decision,
    FlowState,
    Gather,
    Record,
    Speech,
)
from callflows.prompts import DEFAULT_VOICE, ENGLISH, prompt

MAX_ATTEMPTS = 3  # the question and two re-prompts, then the message path
MESSAGE_SECONDS = LONGEST_TRANSCRIBED_SECONDS  # as long as a message may be and still be read


def language(call: CallFacts) -> str:
    """The call's language: the line's while open, English after hours (the policy)."""
    if call.line is None or call.state.mode == "closed":
        return ENGLISH
    return call.line.language


def say(call: CallFacts, key: str, **values: object) -> Speech:
    """A prompt in the call's language, in the voice the line uses for it."""
    if call.line is None:
        voice = DEFAULT_VOICE
    else:
        voice = call.line.voice if call.state.mode == "open" else call.line.english_voice
    return Speech(prompt(language(call), key, **values), language(call), voice)


def retry(call: CallFacts, said: CallerInput, ask: Callable[[FlowState], Gather],
          sorry: str | None = None, unidentified: bool = False) -> Decision:
    """Ask again after silence or a wrong answer; after the third try take a message instead."""
    what = "no input" if not said.digits else f"{said.digits!r} not offered"
    sorry_key = sorry if sorry and said.digits else ("no_input" if not said.digits else "invalid")
    speech: tuple[Speech, ...] = (say(call, sorry_key),)
    if call.state.attempt + 1 >= MAX_ATTEMPTS:
        if unidentified:
            speech += (say(call, "unidentified"),)
        return take_message(call, f"{what}, try {MAX_ATTEMPTS} of {MAX_ATTEMPTS} → message", speech)
    return Decision(f"{what}, try {call.state.attempt + 1} of {MAX_ATTEMPTS} → ask again", speech,
                    ask(call.state.retry()))


def take_message(call: CallFacts, note: str, before: tuple[Speech, ...] = ()) -> Decision:
    """Invite the caller to leave a message after the tone."""
    record = Record("message_recorded", call.state.fresh(pending=None), MESSAGE_SECONDS)
    return Decision(note, before + (say(call, "message"),), record)


def recording(said: CallerInput) -> tuple[AttachRecording, ...]:
    """The recording Twilio reported, as an effect on the case (nothing if none was made)."""
    if not said.recording_url:
        return ()
    return (AttachRecording(said.recording_url, said.recording_seconds),)
