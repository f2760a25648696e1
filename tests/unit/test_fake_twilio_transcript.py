"""The transcript of a fake call, as tests and people read it."""

from __future__ import annotations

import pytest

from router.fake_twilio import Transcript

CALL_SID = "CA" + "2" * 32
CALLER = "+5511987654321"
LINE = "+551130001000"
ENGINEER = "+5511999990000"


def test_a_transcript_renders_every_kind_of_entry_for_humans():
    transcript = Transcript(CALL_SID)
    for kind, fields in [
        ("say", {"text": "Support reopens Monday at 9 AM."}),
        ("play", {"url": "https://example.com/hold.mp3"}),
        ("pause", {"seconds": 1.5}),
        ("press", {"digits": "2"}),
        ("silence", {}),
        ("record", {"seconds": 7}),
        ("dial", {"numbers": (ENGINEER, LINE), "outcome": "no-answer"}),
        ("redirect", {"url": "https://example.com/next"}),
        ("message", {"text": "Case 1042 opened", "numbers": (CALLER,)}),
        ("error", {"text": "boom"}),
        ("reject", {"outcome": "rejected"}),
        ("hangup", {"by": "caller", "side": "callee", "party": ENGINEER}),
        ("hangup", {"by": "api"}),
    ]:
        transcript.add(kind, **fields)

    assert transcript.lines() == [
        "Line: Support reopens Monday at 9 AM.",
        "Line plays https://example.com/hold.mp3",
        "Line pauses 1.5 s",
        "Caller presses 2",
        "Caller stays silent",
        "Caller records 7 s",
        f"Dial {ENGINEER}, {LINE} → no-answer",
        "Redirect → https://example.com/next",
        f"Line sends SMS to {CALLER}: Case 1042 opened",
        "Error: boom",
        "Line rejects the call (rejected)",
        f"  [{ENGINEER}] Callee hangs up",
        "Call ended through the REST API",
    ]


def test_heard_joins_what_one_side_heard():
    transcript = Transcript(CALL_SID)
    transcript.add("say", text="Paging the engineer.")
    transcript.add("say", text="Press 1 to accept.", side="callee", party=ENGINEER)
    transcript.add("press", digits="1", side="callee", party=ENGINEER)
    transcript.add("say", text="Connected.")

    assert transcript.heard() == "Paging the engineer. Connected."
    assert transcript.heard("callee") == "Press 1 to accept."


def test_a_finished_transcript_reads_as_json():
    transcript = Transcript(CALL_SID)
    transcript.add("say", text="Goodbye.")
    transcript.finish("completed", 3)

    data = transcript.to_dict()
    assert (data["call_sid"], data["status"], data["duration"], data["lines"]) == (
        CALL_SID,
        "completed",
        3,
        ["Line: Goodbye."],
    )
    assert data["entries"][0]["kind"] == "say" and data["entries"][0]["side"] == "caller"


def test_a_transcript_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown transcript entry kind"):
        Transcript(CALL_SID).add("sing")
