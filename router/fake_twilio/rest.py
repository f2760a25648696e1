"""The part of Twilio's REST API the project uses: Messages, Calls and the audio of Recordings."""

from __future__ import annotations

import hmac
import io
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file

from .audio import recording_wav
from .network import PhoneNetwork
from .resources import TwilioApiError

bp = Blueprint("rest", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")


def _network() -> PhoneNetwork:
    return current_app.extensions["fake_twilio"]


def _form() -> dict[str, Any]:
    # Repeated keys (StatusCallbackEvent) stay lists; the others are strings.
    return {k: v[0] if len(v) == 1 else v for k, v in request.form.to_dict(flat=False).items()}


@bp.errorhandler(TwilioApiError)
def _twilio_error(error: TwilioApiError) -> tuple[Response, int]:
    response = jsonify(error.to_json())
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response, error.status


@bp.before_request
def _authenticate() -> None:
    """Demand the account's credentials, as Twilio does, before any view runs."""
    network = _network()
    auth = request.authorization
    given = f"{auth.username}:{auth.password}" if auth and auth.type == "basic" else ""
    if not hmac.compare_digest(given, f"{network.account_sid}:{network.auth_token}"):
        raise TwilioApiError(401, 20003, "Authenticate")
    if (request.view_args or {}).get("account_sid") != network.account_sid:
        raise TwilioApiError(404, 20404, f"The requested resource {request.path} was not found")
    _ = request.form  # the whole request has arrived (a sender killed now has sent it all)...
    network.gate.pass_through()  # ...and Twilio hangs: it waits before anything happens


@bp.post("/Messages.json")
def create_message(account_sid: str) -> tuple[Response, int]:
    """Send an SMS."""
    return jsonify(_network().send_message(_form())), 201


def _listed(kind: str, collection: str, account_sid: str) -> Response:
    """A list resource filtered by To and From, as Twilio pages it (one page here)."""
    filters = {field: request.args[name] for name, field in (("To", "to"), ("From", "from")) if request.args.get(name)}
    size = min(int(request.args.get("PageSize", "50") or 50), 1000)
    found = _network().ledger.matching(kind, filters)[:size]
    uri = f"/2010-04-01/Accounts/{account_sid}/{collection}.json"
    return jsonify({collection.lower(): found, "page": 0, "page_size": size, "start": 0, "end": max(len(found) - 1, 0),
                    "uri": uri, "first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None})


@bp.get("/Messages.json")
def list_messages(account_sid: str) -> Response:
    """The SMS to and from numbers (`To`, `From`), newest first."""
    return _listed("message", "Messages", account_sid)


@bp.get("/Calls.json")
def list_calls(account_sid: str) -> Response:
    """The calls to and from numbers (`To`, `From`), newest first."""
    return _listed("call", "Calls", account_sid)


@bp.get("/Messages/<sid>.json")
def fetch_message(account_sid: str, sid: str) -> Response:
    """Fetch an SMS with its current status."""
    return jsonify(_network().fetch("message", sid))


@bp.post("/Calls.json")
def create_call(account_sid: str) -> tuple[Response, int]:
    """Place an outbound call."""
    return jsonify(_network().place_call(_form())), 201


@bp.get("/Calls/<sid>.json")
def fetch_call(account_sid: str, sid: str) -> Response:
    """Fetch a call with its current status."""
    return jsonify(_network().fetch("call", sid))


@bp.post("/Calls/<sid>.json")
def update_call(account_sid: str, sid: str) -> Response:
    """End or redirect a call."""
    return jsonify(_network().update_call(sid, _form()))


@bp.get("/Recordings/<name>")
def fetch_recording_audio(account_sid: str, name: str) -> Response:
    """A recording's audio at its RecordingUrl, as Twilio serves it: WAV, with or without ".wav".

    Ranges are answered (206) as a media server does, so that a player can seek.
    """
    sid = name.removesuffix(".wav")
    seconds = _network().ledger.recording(sid)
    if seconds is None:
        raise TwilioApiError(404, 20404, f"The requested resource {request.path} was not found")
    return send_file(io.BytesIO(recording_wav(sid, seconds)), mimetype="audio/x-wav", conditional=True)
