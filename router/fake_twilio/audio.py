"""The audio of a fake recording: a real WAV file, as Twilio serves a recording's media.

Twilio records calls as 8 kHz, 16-bit mono PCM. The fake has no caller's voice to keep, so a recording
is a beep (the `playBeep` before it) and then a tune of short tones picked from the recording's SID:
the same SID always sounds the same, and a player shows the recording's real length.
"""

from __future__ import annotations

import hashlib
import io
import math
import sys
import wave
from array import array
from functools import lru_cache

SAMPLE_RATE = 8000
BEEP_HZ, BEEP_SECONDS = 1000.0, 0.25
TONE_SECONDS = 0.4
# A pentatonic scale around the pitch of a speaking voice: any sequence of it sounds calm.
SCALE_HZ = (220.0, 247.5, 277.2, 330.0, 370.0, 440.0)
VOLUME = 0.3 * 32767
MAX_SECONDS = 3600  # Twilio's longest recording


@lru_cache(maxsize=16)  # a player asks for the same recording again to seek in it
def recording_wav(sid: str, seconds: int) -> bytes:
    """A WAV file `seconds` long (at least one) whose tune is chosen by `sid`."""
    seconds = max(1, min(seconds, MAX_SECONDS))
    samples = array("h")
    _tone(samples, BEEP_HZ, BEEP_SECONDS)
    seed = hashlib.sha256(sid.encode()).digest()
    index = 0
    while len(samples) < seconds * SAMPLE_RATE:
        _tone(samples, SCALE_HZ[seed[index % len(seed)] % len(SCALE_HZ)], TONE_SECONDS)
        index += 1
    del samples[seconds * SAMPLE_RATE:]
    if sys.byteorder == "big":
        samples.byteswap()  # WAV's samples are little-endian
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(samples.tobytes())
    return out.getvalue()


def _tone(samples: array, hertz: float, seconds: float) -> None:
    """Append one tone, faded in and out so that notes do not click where they meet."""
    count = int(seconds * SAMPLE_RATE)
    fade = count // 8
    step = 2 * math.pi * hertz / SAMPLE_RATE
    for n in range(count):
        envelope = min(1.0, n / fade, (count - n) / fade)
        samples.append(int(VOLUME * envelope * math.sin(step * n)))
