"""Everything the fake has seen and done, safe to share between threads."""

from __future__ import annotations

import copy
import threading
from datetime import UTC, datetime
from typing import Any

from .call import CallControl
from .numbers import Phone
from .transcript import Transcript

RESOURCE_KINDS = ("message", "call")


class Ledger:
    """The request log, Twilio resources, registered phones, played calls and their recordings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []
        self._resources: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in RESOURCE_KINDS}
        self._phones: dict[str, Phone] = {}
        self._controls: dict[str, CallControl] = {}
        self._transcripts: dict[str, Transcript] = {}
        self._recordings: dict[str, int] = {}  # RecordingSid → its length in seconds

    def record(self, kind: str, **fields: Any) -> None:
        """Append one event to the log, stamped with the time."""
        entry = {"kind": kind, "time": datetime.now(UTC).isoformat(), **fields}
        with self._lock:
            self._log.append(entry)

    def log(self) -> list[dict[str, Any]]:
        """A copy of the log, oldest first."""
        with self._lock:
            return copy.deepcopy(self._log)

    def save(self, kind: str, resource: dict[str, Any]) -> None:
        """Store a new message or call resource."""
        with self._lock:
            self._resources[kind][resource["sid"]] = dict(resource)

    def update(self, kind: str, sid: str, **changes: Any) -> None:
        """Change fields of a stored resource (its status, duration, ...)."""
        with self._lock:
            self._resources[kind][sid].update(changes)

    def resource(self, kind: str, sid: str) -> dict[str, Any] | None:
        """A copy of one stored resource, or None."""
        with self._lock:
            found = self._resources[kind].get(sid)
            return copy.deepcopy(found) if found else None

    def resources(self, kind: str, direction: str) -> list[dict[str, Any]]:
        """Copies of the stored resources of one kind and direction, oldest first."""
        with self._lock:
            chosen = [r for r in self._resources[kind].values() if r["direction"] == direction]
            return copy.deepcopy(chosen)

    def matching(self, kind: str, filters: dict[str, str]) -> list[dict[str, Any]]:
        """Copies of the stored resources of one kind whose fields equal `filters`, newest first (Twilio's order)."""
        with self._lock:
            chosen = [r for r in self._resources[kind].values() if all(r.get(k) == v for k, v in filters.items())]
            return copy.deepcopy(chosen[::-1])

    def add_phone(self, phone: Phone) -> None:
        """Register (or replace) a number's behaviour."""
        with self._lock:
            self._phones[phone.number] = phone

    def phone(self, number: str) -> Phone | None:
        """The behaviour registered for ``number``, or None."""
        with self._lock:
            return self._phones.get(number)

    def phones(self) -> list[Phone]:
        """Every registered number's behaviour."""
        with self._lock:
            return list(self._phones.values())

    def open_call(self, sid: str) -> CallControl:
        """Create the control through which the REST API can end or redirect a call."""
        control = CallControl()
        with self._lock:
            self._controls[sid] = control
        return control

    def control(self, sid: str) -> CallControl | None:
        """The control of a call that has not finished yet, or None."""
        with self._lock:
            return self._controls.get(sid)

    def close_call(self, sid: str, transcript: Transcript | None) -> None:
        """Forget a finished call's control and keep its transcript, if it was played."""
        with self._lock:
            self._controls.pop(sid, None)
            if transcript is not None:
                self._transcripts[sid] = transcript

    def end_live_calls(self) -> None:
        """Ask every call still playing to hang up at its next webhook."""
        with self._lock:
            controls = list(self._controls.values())
        for control in controls:
            control.end()

    def transcript(self, sid: str) -> Transcript | None:
        """The transcript of a finished call, or None."""
        with self._lock:
            return self._transcripts.get(sid)

    def save_recording(self, sid: str, seconds: int) -> None:
        """Keep a recording, so that its URL serves its audio."""
        with self._lock:
            self._recordings[sid] = seconds

    def recording(self, sid: str) -> int | None:
        """The length in seconds of a kept recording, or None if there is none with this SID."""
        with self._lock:
            return self._recordings.get(sid)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._log.clear()
            for table in self._resources.values():
                table.clear()
            self._phones.clear()
            self._controls.clear()
            self._transcripts.clear()
            self._recordings.clear()
