"""The call detail: one call's facts, its timeline, its case, its recording (played through the console)
and the page it caused."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from router import db
from router.call_story import CallStory, call_story
from router.console import bp
from router.console.access import ON_CALL, allow, user
from router.console.scope import visible_calls
from router.recordings import RecordingUnavailable, open_recording
from router.runtime import runtime


def _story(call_id: int) -> CallStory:
    """The call, or 404 also for a call that exists but is not the user's to see: a 403 would tell an
    engineer that a call of that id exists on a page that never reached them."""
    story = call_story(db.session(), call_id, runtime().support, runtime().now(), visible_calls(user()))
    if story is None:
        abort(404, "There is no call with this number among the calls you may see.")
    return story


@bp.get("/calls/<int:call_id>")
@allow(*ON_CALL)
def call(call_id: int):
    return render_template("console/call.html", story=_story(call_id))


@bp.get("/calls/<int:call_id>/recording")
@allow(*ON_CALL)
def call_recording(call_id: int):
    """The recording's audio, fetched from Twilio as the browser's player reads it (ranges included)."""
    story = _story(call_id)
    if story.recording_sid is None:
        abort(404, "This call left no recording.")
    try:
        audio = open_recording(runtime().services.twilio, story.recording_sid, request.headers.get("Range"))
    except RecordingUnavailable as problem:
        abort(problem.status, problem.message)
    number = story.case.number if story.case else call_id
    return Response(audio.chunks, status=audio.status, mimetype="audio/wav", headers={
        **audio.headers, "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="case-{number}-recording.wav"'})
