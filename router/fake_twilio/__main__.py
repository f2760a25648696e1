"""Run the fake Twilio on its own: python -m router.fake_twilio --port 8099."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence

from .server import FakeTwilio


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: where to listen and which account to be."""
    parser = argparse.ArgumentParser(prog="python -m router.fake_twilio", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099, help="0 picks a free port")
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C."""
    args = parse_args(argv)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with FakeTwilio(args.account_sid, args.auth_token, host=args.host, port=args.port) as fake:
        print(f"fake Twilio listening on {fake.url}", flush=True)
        stopping.wait()
    print("fake Twilio stopped", flush=True)


if __name__ == "__main__":
    main()
