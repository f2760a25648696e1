"""Absolute URLs of our webhooks, as Twilio must be given them."""

from __future__ import annotations

from flask import current_app


def external_url(endpoint: str, **values: object) -> str:
    """The public URL of `endpoint`, inside a request or not (the dispatcher has none)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
