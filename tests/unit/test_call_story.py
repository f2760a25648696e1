"""What a stored TwiML answer made the caller hear, and what else the line did, as the call detail tells it."""

from __future__ import annotations

import pytest

from router.call_story import Told, read_twiml

MENU = ('<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna">Thank you for calling.</Say>'
        '<Gather action="http://x/voice/step/menu" numDigits="1" timeout="6"><Say>Press 1.</Say>'
        '<Say>Press <emphasis>2</emphasis> for a message.</Say></Gather></Response>')


@pytest.mark.parametrize(("twiml", "told"), [
    # Say texts in the order spoken, those inside <Gather> too, with their inner markup read as text.
    (MENU, Told(("Thank you for calling.", "Press 1.", "Press 2 for a message."), ("waits for 1 key (6 s)",))),
    ('<Response><Say>Describe it.</Say><Record maxLength="60" action="/r"/>'
     '<Redirect method="POST">http://x/voice/step/critical_recorded?mode=closed</Redirect></Response>',
     Told(("Describe it.",), ("records up to 60 s", "goes on to critical_recorded"))),
    ('<Response><Dial action="/d"><Number url="/w">+5511970000003</Number></Dial><Hangup/></Response>',
     Told((), ("dials +5511970000003", "hangs up"))),
    ('<Response><Gather><Say>Enter your account.</Say></Gather></Response>',
     Told(("Enter your account.",), ("waits for keys (5 s)",))),
    ('<Response><Pause length="2"/><Reject reason="busy"/></Response>', Told((), ("pauses 2 s", "rejects the call"))),
    ('<Response><Say>  </Say></Response>', Told((), ())),  # nothing heard
    ("", Told((), ())),  # a step that answered nothing
    ("<Response><Say>cut off", Told((), ("(the stored TwiML cannot be read)",))),
])
def test_the_twiml_is_read_as_the_caller_heard_it(twiml, told):
    assert read_twiml(twiml) == told
