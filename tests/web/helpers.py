"""Signed webhook requests as Twilio sends them, with the TwiML parsed verb by verb."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

from tests.wallclock import sp as sao_paulo  # noqa: F401  (the tests' name for it)

AUTH_TOKEN = "test-auth-token"
ACCOUNT_SID = "AC" + "0" * 32
BRAZIL_LINE = "+551130000000"
US_LINE = "+12125550100"
ACME_CONTACT = "+5511988887777"  # ACME Retail, enterprise package
INITECH_CONTACT = "+5531987654321"  # Initech, business package: no after-hours phone support
STRANGER = "+5511912345678"


class Clock:
    """The app's clock, set by the test."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at.astimezone(dt.timezone.utc)


class TwiML:
    """A parsed TwiML answer."""

    def __init__(self, body: bytes) -> None:
        self.root = ET.fromstring(body)

    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]

    def said(self) -> str:
        return " ".join(say.text or "" for say in self.root.iter("Say"))

    def one(self, verb: str) -> ET.Element:
        found = self.root.findall(verb)
        assert len(found) == 1, f"expected one <{verb}> in {self.verbs()}"
        return found[0]


class Twilio:
    """Plays Twilio against the app: every request signed as Twilio would sign it."""

    def __init__(self, client) -> None:
        self.client = client
        self.validator = RequestValidator(AUTH_TOKEN)
        self._sids = itertools.count(1)

    def post(self, url: str, headers: dict | None = None, **form: str):
        if url.startswith("/"):
            url = "http://localhost" + url
        signature = self.validator.compute_signature(url, form)
        return self.client.post(url, data=form, headers={"X-Twilio-Signature": signature, **(headers or {})})

    def call(self, from_: str | None, to: str) -> CallInProgress:
        return CallInProgress(self, f"CA{next(self._sids):032d}", from_, to)


class CallInProgress:
    """One inbound call, told like a story: call.presses("1").hears("...")."""

    def __init__(self, twilio: Twilio, sid: str, from_: str | None, to: str) -> None:
        self.twilio, self.sid = twilio, sid
        self.base = {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": from_ or "", "To": to,
                     "Direction": "inbound", "CallStatus": "in-progress"}
        self.twiml: TwiML | None = None

    def _post(self, url: str, **extra: str) -> CallInProgress:
        response = self.twilio.post(url, **{**self.base, **extra})
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        self.twiml = TwiML(response.data)
        return self

    def arrives(self) -> CallInProgress:
        return self._post("/voice/incoming", CallStatus="ringing")

    def presses(self, digits: str) -> CallInProgress:
        return self._post(self.twiml.one("Gather").get("action"), Digits=digits)

    def stays_silent(self) -> CallInProgress:
        return self._post(self.twiml.one("Gather").get("action"))

    def records(self, seconds: int = 7) -> CallInProgress:
        record = self.twiml.one("Record")
        return self._post(record.get("action"), RecordingUrl=f"https://api.twilio.test/rec/{self.sid}",
                          RecordingSid="RE" + self.sid[2:], RecordingDuration=str(seconds))

    def dial_ends(self, status: str) -> CallInProgress:
        return self._post(self.twiml.one("Dial").get("action"), DialCallStatus=status)

    def hears(self, *texts: str) -> CallInProgress:
        said = self.twiml.said()
        for text in texts:
            assert text in said, f"{text!r} not in {said!r}"
        return self


def count(app, model) -> int:
    """How many rows of `model` the app's database holds."""
    from sqlalchemy import func, select

    from router import db

    with db.sessions(app)() as session:
        return session.scalar(select(func.count()).select_from(model))


def broken_engine():
    """An engine whose database refuses every connection at once: the database down, for the app's sessions."""
    from sqlalchemy import create_engine

    return create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
