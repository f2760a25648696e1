"""The yardstick: a bare Flask endpoint returning fixed TwiML, served exactly as `router serve` serves.

`python benchmarks/bare_app.py PORT WORKERS` runs it under `router.serving.run_gunicorn` (the same
workers, threads, timeouts and logging), so the difference measured is the router's own work.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, Response  # noqa: E402

from router import logs  # noqa: E402
from router.serving import run_gunicorn  # noqa: E402

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US" voice="Polly.Joanna">Thank you '
         'for calling.</Say><Gather action="/voice/step/menu" method="POST" timeout="5" numDigits="1"/></Response>')


def make_app() -> Flask:
    app = Flask(__name__)

    @app.post("/voice/incoming")
    def incoming() -> Response:
        return Response(TWIML, mimetype="text/xml")

    return app


if __name__ == "__main__":
    logs.configure()
    run_gunicorn(make_app, "127.0.0.1", int(sys.argv[1]), int(sys.argv[2]))
