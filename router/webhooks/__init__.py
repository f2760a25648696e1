"""Everything Twilio calls: one blueprint, every route signature-checked in one place."""

from flask import Blueprint, abort, current_app, g, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from router import logs
from router.calllog import KEY_ENVIRON, request_key

bp = Blueprint("webhooks", __name__)


@bp.before_request
def require_twilio_signature() -> None:
    """403 unless the request carries Twilio's signature for exactly this URL and form."""
    validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict(flat=True) if request.method == "POST" else {}
    # Twilio signs the URL as it requested it: the query string as sent (werkzeug's `url` decodes it).
    sent = request.base_url + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
    if not signature or not any(validator.validate(url, params, signature) for url in {sent, request.url}):
        abort(403)
    # Signed as sent; used without NUL characters, which no database column takes (PostgreSQL refuses them).
    request.environ[KEY_ENVIRON] = request_key(request)
    request.form = _without_nul(request.form)  # type: ignore[misc]  (werkzeug's cached_property is settable)
    request.args = _without_nul(request.args)  # type: ignore[misc]
    g.log_context = logs.bind(call=(request.form.get("CallSid") or request.form.get("MessageSid") or "")[:64] or None)


@bp.teardown_request
def _forget_the_call(_error: BaseException | None) -> None:
    token = g.pop("log_context", None)
    if token is not None:
        logs.unbind(token)


def _without_nul(values: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(k.replace("\0", ""), v.replace("\0", "")) for k, v in values.items(multi=True)])


from router.webhooks import contact_tests, fallback, pages, sms, status_messages, voice  # noqa: E402,F401  (routes register on bp)
