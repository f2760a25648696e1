"""The fake's own HTTP API, for tests, the demo and other processes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from .call import Script
from .network import PhoneNetwork
from .numbers import Phone

bp = Blueprint("control", __name__, url_prefix="/_fake")


def _network() -> PhoneNetwork:
    return current_app.extensions["fake_twilio"]


def _body() -> dict[str, Any]:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise TypeError("send a JSON object")
    return data


def script_from_json(data: dict[str, Any]) -> Script:
    """The caller's script from the JSON of POST /_fake/calls."""
    return Script(
        presses=tuple(data.get("presses") or ()),
        recording_seconds=int(data.get("recording_seconds", 7)),
        dial=dict(data.get("dial") or {}),
        hang_up_after=data.get("hang_up_after"),
        pace=float(data.get("pace", 0)),
    )


@bp.errorhandler(ValueError)
@bp.errorhandler(TypeError)
@bp.errorhandler(KeyError)
def _bad_request(error: Exception) -> tuple[Response, int]:
    return jsonify({"error": f"{type(error).__name__}: {error}"}), 400


@bp.errorhandler(LookupError)
def _not_found(error: LookupError) -> tuple[Response, int]:
    return jsonify({"error": str(error)}), 404


@bp.get("/log")
def log() -> Response:
    """Every REST request, webhook and played call, oldest first."""
    return jsonify(_network().ledger.log())


@bp.post("/numbers")
def add_number() -> tuple[Response, int]:
    """Register how a phone number behaves."""
    phone = Phone.from_json(_body())
    _network().ledger.add_phone(phone)
    return jsonify(phone.to_json()), 201


@bp.post("/sms")
def send_sms() -> Response:
    """Deliver an SMS from a person to one of the project's numbers."""
    data = _body()
    return jsonify(_network().deliver_sms(data["from"], data["to"], data["body"]))


@bp.post("/calls")
def place_call() -> Response:
    """Place an inbound call, play it to its end and return its transcript."""
    data = _body()
    transcript = _network().place_inbound_call(
        data["from"], data["to"], script_from_json(data), data.get("status_callback")
    )
    return jsonify(transcript.to_dict())


@bp.post("/outage")
def outage() -> tuple[str, int]:
    """Refuse the next {"requests": n} Messages/Calls requests with 503."""
    _network().refuse_next(int(_body()["requests"]))
    return "", 204


@bp.post("/reset")
def reset() -> tuple[str, int]:
    """Forget every request, phone and call."""
    _network().reset()
    return "", 204
