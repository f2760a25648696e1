"""The paging engine's own state: which workers are running, and when each last made a pass."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from router.models.base import Base


class WorkerBeat(Base):
    """One `router worker` process: it writes its last pass here, so a health check can see the engine run."""

    __tablename__ = "worker_beats"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid
    started_at: Mapped[dt.datetime]
    last_pass_at: Mapped[dt.datetime] = mapped_column(index=True)
