"""Twilio-shaped REST resources and errors (Messages, Calls)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from .call import API_VERSION

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# (parameter, Twilio error code, message) checked in order, as Twilio does.
MESSAGE_RULES = (
    ("To", 21604, "A 'To' phone number is required."),
    ("From", 21603, "A 'From' phone number is required."),
    ("Body", 21602, "Message body is required."),
)
CALL_RULES = (
    ("To", 21201, "No 'To' number is specified"),
    ("From", 21213, "No 'From' number is specified"),
    ("Url", 21205, "Url parameter is required (this fake plays Url only, not Twiml)"),
)


class TwilioApiError(Exception):
    """An error the fake answers with Twilio's JSON error shape."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def to_json(self) -> dict[str, Any]:
        """The body Twilio sends with an error."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def check(params: Mapping[str, Any], rules: tuple[tuple[str, int, str], ...]) -> None:
    """Raise the error Twilio gives for a missing parameter or a bad 'To'."""
    for name, code, message in rules:
        if not params.get(name):
            raise TwilioApiError(400, code, message)
    if not _E164.match(params["To"]):
        raise TwilioApiError(400, 21211, f"Invalid 'To' Phone Number: {params['To']}")


def rfc2822_now() -> str:
    """The current time the way Twilio writes dates ("Thu, 27 Nov 2025 15:46:00 +0000")."""
    return format_datetime(datetime.now(UTC))


def _uri(account_sid: str, collection: str, sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/{collection}/{sid}.json"


def message_resource(
    account_sid: str, sid: str, *, to: str, from_: str, body: str, direction: str, status: str
) -> dict[str, Any]:
    """A message resource as Twilio's Messages API returns it."""
    now = rfc2822_now()
    return {
        "sid": sid,
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "to": to,
        "from": from_,
        "body": body,
        "status": status,
        "direction": direction,
        "num_segments": "1",
        "num_media": "0",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "messaging_service_sid": None,
        "uri": _uri(account_sid, "Messages", sid),
        "subresource_uris": {"media": _uri(account_sid, "Messages", sid).replace(".json", "/Media.json")},
    }


def call_resource(account_sid: str, sid: str, *, to: str, from_: str, direction: str) -> dict[str, Any]:
    """A call resource as Twilio's Calls API returns it, still queued."""
    now = rfc2822_now()
    return {
        "sid": sid,
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "to": to,
        "to_formatted": to,
        "from": from_,
        "from_formatted": from_,
        "status": "queued",
        "direction": direction,
        "answered_by": None,
        "date_created": now,
        "date_updated": now,
        "start_time": None,
        "end_time": None,
        "duration": None,
        "price": None,
        "price_unit": "USD",
        "parent_call_sid": None,
        "caller_name": None,
        "forwarded_from": None,
        "queue_time": "0",
        "uri": _uri(account_sid, "Calls", sid),
        "subresource_uris": {
            "recordings": _uri(account_sid, "Calls", sid).replace(".json", "/Recordings.json")
        },
    }
