"""Where Twilio reports on a page's notifications: one place for the webhooks' routes and the sender's URLs."""

from __future__ import annotations

from router.models.base import MAX_ID

SMS_STATUS = "/sms/status/{id}"
PAGE_CALL = "/voice/page/{id}"
PAGE_KEY = "/voice/page/{id}/key"
PAGE_STATUS = "/voice/page/{id}/status"


def route(template: str) -> str:
    """The Flask route of a callback: `/voice/page/<int(max=...):notification_id>` (no larger id exists)."""
    return template.format(id=f"<int(max={MAX_ID}):notification_id>")


def url(public_url: str, template: str, notification_id: int) -> str:
    """The absolute URL Twilio is given for one notification."""
    return public_url.rstrip("/") + template.format(id=notification_id)
