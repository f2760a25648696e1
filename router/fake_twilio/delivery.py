"""What happens after the REST API accepted a message or a call.

Each function runs in a background thread: it plays the other side (the
phone network and the person holding the phone) by calling the project's
webhooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .call import API_VERSION, call_params
from .numbers import Phone
from .resources import rfc2822_now

if TYPE_CHECKING:
    from .network import PhoneNetwork

# The statuses an SMS goes through for each delivery outcome, and the Twilio
# error code that comes with a failure (30003 unreachable handset, 30008
# unknown error).
SMS_PROGRESS = {
    "delivered": ("sent", "delivered"),
    "undelivered": ("sent", "undelivered"),
    "failed": ("failed",),
}
SMS_ERRORS = {"undelivered": 30003, "failed": 30008}
UNANSWERED = frozenset({"no-answer", "busy", "failed"})


def deliver_message(network: PhoneNetwork, message: Mapping[str, Any], status_callback: str | None) -> None:
    """Move an outbound SMS through its statuses, then let the recipient reply."""
    phone = network.ledger.phone(message["to"]) or Phone(message["to"])
    for status in SMS_PROGRESS[phone.sms_status]:
        error_code = SMS_ERRORS.get(status)
        network.ledger.update(
            "message", message["sid"], status=status, error_code=error_code, date_updated=rfc2822_now()
        )
        if status_callback:
            network.webhooks.post(
                status_callback, _message_status(network.account_sid, message, status, error_code)
            )
    reply = phone.reply_to(message["body"]) if phone.sms_status == "delivered" else None
    if reply is not None and not network.workers.stopping.wait(phone.delay):
        network.deliver_sms(message["to"], message["from"], reply)


def _message_status(
    account_sid: str, message: Mapping[str, Any], status: str, error_code: int | None
) -> dict[str, str]:
    params = {
        "MessageSid": message["sid"],
        "SmsSid": message["sid"],
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": account_sid,
        "From": message["from"],
        "To": message["to"],
        "ApiVersion": API_VERSION,
    }
    if error_code:
        params["ErrorCode"] = str(error_code)
    return params


def connect_call(network: PhoneNetwork, call: Mapping[str, Any], params: Mapping[str, str]) -> None:
    """Ring the callee of an outbound call and play the call if they answer."""
    phone = network.ledger.phone(call["to"]) or Phone(call["to"])
    if network.workers.stopping.wait(phone.delay):
        network.finish_call(call["sid"], "canceled", 0)
        return
    status_callback = params.get("StatusCallback")
    if phone.answer in UNANSWERED:
        network.finish_call(call["sid"], phone.answer, 0)
        if status_callback:
            unanswered = call_params(
                network.account_sid, call["sid"], call["from"], call["to"], "outbound-api"
            )
            network.webhooks.post(status_callback, {**unanswered, "CallStatus": phone.answer})
        return
    network.play(
        call,
        params["Url"],
        phone.script(),
        method=params.get("Method", "POST"),
        status_callback=status_callback,
        answered_by=_answered_by(phone.answer, params.get("MachineDetection")),
    )


def _answered_by(answer: str, machine_detection: str | None) -> str | None:
    # Twilio only says who answered when the call asked for machine detection.
    if not machine_detection:
        return None
    if answer == "human":
        return "human"
    return "machine_end_beep" if machine_detection == "DetectMessageEnd" else "machine_start"
