"""A fake Twilio for tests and demos: REST API, signed webhooks, scripted people.

Modelled on GoAlert's devtools/mocktwilio. ``FakeTwilio`` serves the REST API
the project calls; ``play_call`` interprets the project's TwiML for one call
the way Twilio would, following a ``Script`` of what the person does.
"""

from .call import CallControl, Script
from .numbers import Phone
from .player import play_call
from .server import FakeTwilio
from .serving import BackgroundServer
from .transcript import Entry, Transcript
from .webhooks import SignedWebhooks

__all__ = [
    "BackgroundServer",
    "CallControl",
    "Entry",
    "FakeTwilio",
    "Phone",
    "Script",
    "SignedWebhooks",
    "Transcript",
    "play_call",
]
