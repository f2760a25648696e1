"""Logs an operator can use: one line per event, with its time, level, call and case; JSON when asked.

Every line passes one filter on its way out: phone numbers are masked to their
last four digits and no secret is written. The call and case a line is about
come from the request or pass that wrote it (`bound`), so a line deep in the
paging code still says which call it belongs to.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import os
import re
import sys
from collections.abc import Iterator

FORMAT_ENV = "ROUTER_LOG_FORMAT"
FORMATS = ("text", "json")
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("router_log_context", default={})  # noqa: B039
# E.164 (+ and 8 to 15 digits) and bare runs of 10 to 15 digits; a CallSid's digits follow letters, and are kept.
_PHONE = re.compile(r"(?<![\w+])(\+?)(\d{6,11})(\d{4})(?!\d)")
_SECRET = re.compile(r"(?i)\b(token|signature|password|auth_token|secret)=([^&\s\"']+)")


def mask(text: str) -> str:
    """`text` with phone numbers cut to their last four digits and secrets in URLs hidden."""
    return _SECRET.sub(r"\1=…", _PHONE.sub(lambda m: f"{m[1]}…{m[3]}", text))


@contextlib.contextmanager
def bound(**values: object) -> Iterator[None]:
    """Name the call (`call`), case (`case`) or page (`page`) of every line logged inside."""
    token = _context.set({**_context.get(), **{k: str(v) for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**values: object) -> contextvars.Token[dict[str, str]]:
    """Add to what names this request's lines (a case opened half way through, say); `unbind` the token."""
    return _context.set({**_context.get(), **{k: str(v) for k, v in values.items() if v is not None}})


def unbind(token: contextvars.Token[dict[str, str]]) -> None:
    _context.reset(token)


def carried() -> dict[str, str]:
    """What names this context's lines, to `carry` into another thread's."""
    return dict(_context.get())


def carry(values: dict[str, str]) -> None:
    _context.set(dict(values))


class _Masked(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        record.context = dict(_context.get())
        return True


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = "".join(f" {key}={value}" for key, value in getattr(record, "context", {}).items())
        line = f"{_time(record)} {record.levelname} {record.name}{context}: {record.getMessage()}"
        return line + ("\n" + record.exc_text if record.exc_text else "")


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _time(record), "level": record.levelname, "logger": record.name,
                 **getattr(record, "context", {}), "message": record.getMessage()}
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def _time(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds")


def handler() -> logging.Handler:
    """The handler every line goes out by: stderr, masked, text or JSON as `ROUTER_LOG_FORMAT` says."""
    chosen = os.environ.get(FORMAT_ENV) or "text"
    if chosen not in FORMATS:
        raise ValueError(f"{FORMAT_ENV}: {chosen!r} is not one of {', '.join(FORMATS)}")
    out = logging.StreamHandler(sys.stderr)
    out.router = True  # type: ignore[attr-defined]
    out.addFilter(_Masked())
    out.setFormatter(_Json() if chosen == "json" else _Text())
    return out


def configure() -> None:
    """Send every log line through `handler()`, once per process (gunicorn's workers find it installed)."""
    root = logging.getLogger()
    if not any(getattr(each, "router", False) for each in root.handlers):
        root.addHandler(handler())
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake Twilio's and tests' servers: one line a request
    logging.getLogger("alembic").setLevel(logging.WARNING)  # every start checks the schema: news only if it fails
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # it dumps every request's headers at INFO
