"""Twilio's status callbacks for the status page's SMS to subscribers."""

from __future__ import annotations

import logging

from flask import abort, request
from werkzeug.exceptions import HTTPException

from router import db
from router.models.base import MAX_ID
from router.models.status import StatusMessage
from router.runtime import runtime
from router.status.messages import STATUS_CALLBACK, reported
from router.webhooks import bp
from router.webhooks.replies import with_database

log = logging.getLogger(__name__)


@bp.post(STATUS_CALLBACK.format(id=f"<int(max={MAX_ID}):message_id>"))
def status_message_status(message_id: int):
    """A subscriber's SMS moved on at Twilio (sent, delivered, undelivered...)."""
    now = runtime().now()
    form = request.form.to_dict(flat=True)

    def record() -> None:
        session = db.session()
        with session.begin():
            message = session.get(StatusMessage, message_id, with_for_update=True) or abort(404)
            reported(message, form.get("MessageStatus") or form.get("SmsStatus"), form.get("MessageSid"),
                     form.get("ErrorCode"), now)

    try:
        with_database(record)
    except HTTPException:
        raise
    except Exception:
        # Only the log's status is lost: the message itself was sent, or failed, at Twilio.
        log.exception("the status of status message %s could not be recorded", message_id)
    return "", 204
