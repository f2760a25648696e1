"""Running the service under gunicorn from the `router serve` command."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, make_app: Callable[[], Flask], options: dict) -> None:
        self._make_app, self._options = make_app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._make_app()  # in each worker, after the fork: no engine is shared across processes


def run_gunicorn(make_app: Callable[[], Flask], host: str, port: int, workers: int) -> None:
    """Serve the app built by `make_app` with `workers` gunicorn processes of 8 threads each."""
    _Gunicorn(make_app, {"bind": f"{host}:{port}", "workers": workers, "threads": 8,
                         "timeout": 30, "accesslog": "-"}).run()
