"""Twilio's side of a test notification: the test call's words, and the statuses of test SMS and calls."""

from __future__ import annotations

import logging

from flask import abort, request
from werkzeug.exceptions import HTTPException

from router import contact_tests, db
from router.models import ContactTest
from router.models.base import MAX_ID
from router.runtime import runtime
from router.webhooks import bp
from router.webhooks.replies import twiml, with_database

log = logging.getLogger(__name__)


def _route(template: str) -> str:
    return template.format(id=f"<int(max={MAX_ID}):test_id>")


@bp.post(_route(contact_tests.CALL))
def contact_test_call(test_id: int):
    """The test call was answered: it says it is a test, and hangs up."""
    return twiml(contact_tests.call_twiml(runtime().support))


@bp.post(_route(contact_tests.CALL_STATUS))
def contact_test_call_status(test_id: int):
    """Twilio's status callback for a test call."""
    return _status(test_id, request.form.get("CallStatus"))


@bp.post(_route(contact_tests.SMS_STATUS))
def contact_test_sms_status(test_id: int):
    """Twilio's status callback for a test SMS."""
    return _status(test_id, request.form.get("MessageStatus") or request.form.get("SmsStatus"))


def _status(test_id: int, status: str | None):
    now = runtime().now()
    form = request.form.to_dict(flat=True)

    def record() -> None:
        session = db.session()
        with session.begin():
            test = session.get(ContactTest, test_id, with_for_update=True) or abort(404)
            news = contact_tests.reported(test, status, form.get("AnsweredBy"), form.get("ErrorCode"))
            if news is not None:
                contact_tests.moved(test, *news, now)

    try:
        with_database(record)
    except HTTPException:
        raise
    except Exception:
        # Only a test's status is lost: `router test-page` asks Twilio, and the console shows the last one known.
        log.exception("the status of contact test %s could not be recorded", test_id)
    return "", 204
