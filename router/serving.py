"""Running the service under gunicorn from the `router serve` command, with its paging worker.

The paging worker (escalations, delayed contacts, retries, the spool) is
`router worker`, run as one child process of gunicorn's master: a web worker
never carries it, so a slow Twilio request never holds up a call, and the
master restarts it if it dies.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from gunicorn.app.base import BaseApplication

from router.metrics import MULTIPROCESS_ENV, process_gone

log = logging.getLogger(__name__)
# gunicorn's own lines (its master's, its access log) go out by the same handler as the app's.
ACCESS_LOGGING = {
    "version": 1, "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": ["router"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
                "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True}},
    "handlers": {"router": {"()": "router.logs.handler"}}, "formatters": {},
}
RESTART_AFTER = 1.0  # seconds before a dead paging worker is started again
STOP_WITHIN = 15.0   # seconds the paging worker gets to finish its pass when the service stops


class _Gunicorn(BaseApplication):
    def __init__(self, make_app: Callable[[], Flask], options: dict) -> None:
        self._make_app, self._options = make_app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._make_app()  # in each worker, after the fork: no connection is shared across processes


class WorkerProcess:
    """`router worker` as a child of this process: started, restarted when it dies, stopped with us."""

    def __init__(self, config_path: str) -> None:
        # --parent: it stops by itself if this process is killed without stopping it.
        self._command = [sys.executable, "-m", "router", "--config", config_path, "worker",
                         "--parent", str(os.getpid())]
        self._stopping = threading.Event()
        self._process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._supervise, name="paging-worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            self._process = subprocess.Popen(self._command)
            # poll, not wait: gunicorn's master reaps every child, ours included.
            while self._process.poll() is None and not self._stopping.wait(0.5):
                pass
            process_gone(self._process.pid)
            if not self._stopping.is_set():
                log.error("the paging worker exited (%s); starting it again", self._process.returncode)
                self._stopping.wait(RESTART_AFTER)

    def stop(self) -> None:
        """Let the paging worker finish its pass, then end it."""
        self._stopping.set()
        self._thread.join(timeout=2)
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def metrics_folder() -> Iterator[None]:
    """Give this host's processes one folder to write their metrics to, started afresh (router/metrics.py),
    before any figure exists, so that the web workers and the engine (children, who inherit it) use it;
    removed when the service stops. An operator's own PROMETHEUS_MULTIPROC_DIR is used, and kept."""
    if os.environ.get(MULTIPROCESS_ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="router-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_gunicorn(make_app: Callable[[], Flask], host: str, port: int, workers: int,
                 paging: WorkerProcess | None = None) -> None:
    """Serve the app built by `make_app` with `workers` gunicorn processes of 8 threads each.

    With `paging`, gunicorn's master also runs the paging worker once it is ready, and stops it on exit.
    """
    options = {"bind": f"{host}:{port}", "workers": workers, "threads": 8, "timeout": 30,
               # The app's ProxyFix alone trusts forwarded headers, and only with proxy_hops set: gunicorn must
               # not take X-Forwarded-Proto from 127.0.0.1 itself, or a signature for https:// passes over http.
               "secure_scheme_headers": {}, "forwarded_allow_ips": "",
               # Access lines go through router/logs.py (masked); the path without its query: a calendar
               # feed's token, a step's state never reach the log.
               "logconfig_dict": ACCESS_LOGGING, "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'}
    if paging is not None:
        options |= {"when_ready": lambda _arbiter: paging.start(), "on_exit": lambda _arbiter: paging.stop()}
    if os.environ.get(MULTIPROCESS_ENV):
        options["child_exit"] = lambda _arbiter, worker: process_gone(worker.pid)
    _Gunicorn(make_app, options).run()
