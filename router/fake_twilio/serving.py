"""Serving a WSGI app on a local port from a background thread."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Self

from werkzeug.serving import make_server


class BackgroundServer:
    """A threaded werkzeug server running in a daemon thread.

    It binds when constructed (port 0 picks a free port), serves after
    ``start()`` and releases the port on ``stop()``. The project's own
    end-to-end tests can use it to serve their app next to the fake.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = make_server(host, port, app, threaded=True)
        # A short poll interval keeps stop() fast; the default makes it take 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"serve-{host}:{self.port}",
        )
        self.host = host

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_port

    @property
    def url(self) -> str:
        """The server's base URL, e.g. http://127.0.0.1:43123."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Start serving requests."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and join the thread."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
