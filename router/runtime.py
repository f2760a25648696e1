"""What a web process holds, typed: its settings, the paging services and the dispatcher."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask, current_app

from router.config import Settings, SupportConfig
from router.paging.dispatcher import Dispatcher
from router.paging.services import Services


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    services: Services
    dispatcher: Dispatcher

    @property
    def support(self) -> SupportConfig:
        return self.services.support

    def now(self) -> dt.datetime:
        """The service's clock: now, in UTC."""
        return self.services.clock()


def runtime(app: Flask | None = None) -> Runtime:
    """The running service's `Runtime` (of `app`, or of the request's app)."""
    found: Runtime = (app or current_app).extensions["router"]
    return found


def stop(app: Flask) -> None:
    """Let the dispatcher finish what it is sending, and close the database's connections."""
    ours = runtime(app)
    ours.dispatcher.shutdown()
    ours.services.engine.dispose()
