"""Decisions turned into TwiML with the Twilio SDK (never hand-written XML)."""

from __future__ import annotations

from collections.abc import Callable

from twilio.twiml.voice_response import Gather as GatherVerb
from twilio.twiml.voice_response import VoiceResponse

from callflows.decision import Decision, Dial, FlowState, Gather, Hangup, Record, Speech

StepUrl = Callable[[str, FlowState], str]


def render(decision: Decision, url: StepUrl) -> str:
    """The TwiML document for `decision`; `url(step, state)` names each action."""
    response = VoiceResponse()
    for speech in decision.speech:
        _say(response, speech)
    action = decision.action
    if isinstance(action, Gather):
        gather = GatherVerb(
            action=url(action.step, action.state),
            method="POST",
            timeout=action.timeout,
            action_on_empty_result=True,  # silence reaches the step too, which re-prompts
            **({"num_digits": action.num_digits} if action.num_digits else {"finish_on_key": "#"}),
        )
        for speech in action.prompt:
            _say(gather, speech)
        response.append(gather)
    elif isinstance(action, Record):
        target = url(action.step, action.state)
        transcription = ({"transcribe": True, "transcribe_callback": url("transcription", action.state)}
                         if action.transcribe else {})
        response.record(action=target, method="POST", max_length=action.max_seconds,
                        finish_on_key="#", play_beep=True, **transcription)
        # Twilio skips the action when nothing was recorded and goes on to the next verb.
        response.redirect(target, method="POST")
    elif isinstance(action, Dial):
        then = {"action": url(action.step, action.state), "method": "POST"} if action.step else {}
        dial = response.dial(timeout=action.timeout, **then)
        whisper = {"url": url(action.whisper, action.state), "method": "POST"} if action.whisper else {}
        for number in action.numbers:
            dial.number(number, **whisper)
    elif isinstance(action, Hangup):
        response.hangup()
    return str(response)


def _say(verb: VoiceResponse | GatherVerb, speech: Speech) -> None:
    verb.say(speech.text, voice=speech.voice, language=speech.language)
