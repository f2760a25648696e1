"""Absolute URLs of our webhooks, as Twilio must be given them."""

from __future__ import annotations

from flask import current_app

from router.runtime import runtime


def external_url(endpoint: str, **values: object) -> str:
    """The public URL of `endpoint`: the address Twilio reaches us at, whatever the request's host says."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return runtime().services.public_url.rstrip("/") + path
