"""The console as a test logs in to it: accounts of each role, a log-in through the real form."""

from __future__ import annotations

import re

from router import db
from router.runtime import runtime
from router.users import add_user

PASSWORD = "correct-horse-battery"
# username → (role, the configured person the account is)
ACCOUNTS = {"marta": ("manager", "marta"), "carla": ("engineer", "carla"), "paula": ("agent", None)}
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def add_accounts(app) -> None:
    """A manager (Marta), an engineer (Carla, on call in Brazil) and an agent (Paula)."""
    with app.app_context():
        sessions = db.sessions(app)
        with sessions.begin() as session:
            for username, (role, person) in ACCOUNTS.items():
                add_user(session, runtime(app).support, username, username.title(), role, PASSWORD,
                         runtime(app).now(), person_id=person)


def csrf_token(body: bytes) -> str:
    """The CSRF token a console page's form carries."""
    found = CSRF.search(body)
    assert found, "the page has no form with a CSRF token"
    return (found.group(1) or found.group(2)).decode()


def log_in(client, username: str, password: str = PASSWORD):
    """Log `client` in through the log-in form, as a browser would; returns the answer to the POST."""
    token = csrf_token(client.get("/login").data)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def logged_in(app, username: str = "carla"):
    """A test client of `app`, logged in as `username` through the form."""
    client = app.test_client()
    assert log_in(client, username).status_code == 302
    return client
