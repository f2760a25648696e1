"""The console's front door: a log-in for every page, hashed passwords, CSRF, a rate limit, safe cookies."""

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from router import create_app, db
from router.cli import cli
from router.models import User
from router.runtime import runtime
from router.users import set_password
from tests.conftest import EXAMPLE_CONFIG
from tests.web.console import PASSWORD, add_accounts, csrf_token, log_in


@pytest.fixture
def client(app):
    add_accounts(app)
    return app.test_client()


def test_the_front_door_asks_for_a_log_in_and_comes_back_after_it(client):
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login?next=%2F"
    assert log_in(client, "marta").status_code == 302
    assert client.get("/").headers["Location"] == "/calls"


@pytest.mark.parametrize(("username", "home"), [("marta", "/calls"), ("carla", "/oncall"), ("paula", "/cases")])
def test_each_role_lands_on_its_own_first_page(client, username, home):
    log_in(client, username)
    assert client.get("/").headers["Location"] == home


def test_a_password_is_stored_hashed_and_a_wrong_one_is_refused(app, client):
    with db.sessions(app)() as session:
        stored = session.scalars(select(User).where(User.username == "marta")).one().password_hash
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    answer = log_in(client, "marta", "wrong-password-1")
    assert answer.status_code == 401 and b"Wrong username or password" in answer.data
    assert client.get("/").status_code == 302


def test_a_log_in_without_its_csrf_token_is_refused(client):
    answer = client.post("/login", data={"username": "marta", "password": PASSWORD})
    assert answer.status_code == 400
    assert client.get("/").headers["Location"].startswith("/login")


def test_log_out_needs_its_csrf_token_too(client):
    log_in(client, "marta")
    assert client.post("/logout").status_code == 400
    assert client.get("/").headers["Location"] == "/calls"  # still logged in


def test_after_five_wrong_passwords_the_name_waits_even_with_the_right_one(client, clock):
    for _ in range(5):
        assert log_in(client, "marta", "guess-guess-guess").status_code == 401
    answer = log_in(client, "marta")
    assert answer.status_code == 429 and b"Too many failed log-ins. Try again in 15 minutes." in answer.data
    assert log_in(client, "carla").status_code == 302  # another name is not held up
    clock.at += dt.timedelta(minutes=16)
    assert log_in(client, "marta").status_code == 302


def test_a_log_in_only_returns_to_a_page_of_this_site(client):
    token = csrf_token(client.get("/login").data)
    answer = client.post("/login?next=//elsewhere.example/x", data={"username": "marta", "password": PASSWORD,
                                                                      "csrf_token": token})
    assert answer.headers["Location"] == "/"


def test_the_session_cookie_is_http_only_and_same_site(client):
    answer = log_in(client, "marta")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain HTTP here


def test_over_https_the_cookies_are_secure(app):
    served = create_app(runtime(app).settings, runtime(app).support, public_url="https://support.example")
    assert served.config["SESSION_COOKIE_SECURE"] is True and served.config["REMEMBER_COOKIE_SECURE"] is True
    runtime(served).services.engine.dispose()


def test_a_new_password_ends_the_sessions_of_the_old_one(app, client):
    log_in(client, "marta")
    assert client.get("/").status_code == 302 and client.get("/").headers["Location"] == "/calls"
    with db.sessions(app).begin() as session:
        set_password(session.scalars(select(User).where(User.username == "marta")).one(), "another-password-2")
    assert client.get("/").headers["Location"].startswith("/login")


def test_router_user_adds_lists_changes_and_removes_accounts(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    config = ["--config", str(EXAMPLE_CONFIG)]
    runner = CliRunner()
    added = runner.invoke(cli, [*config, "user", "add", "bruno", "--role", "engineer", "--person", "bruno",
                                "--name", "Bruno Lima", "--password-stdin"], input="first-password-1\n")
    assert added.exit_code == 0 and "added bruno (engineer)" in added.output, added.output
    listed = runner.invoke(cli, [*config, "user", "list"])
    assert "bruno" in listed.output and "engineer" in listed.output and "never logged in" in listed.output
    short = runner.invoke(cli, [*config, "user", "passwd", "bruno", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    unknown = runner.invoke(cli, [*config, "user", "add", "x", "--role", "engineer", "--person", "nobody",
                                  "--password-stdin"], input="first-password-1\n")
    assert unknown.exit_code == 1 and "'nobody' is not one of the configured people" in unknown.output
    assert runner.invoke(cli, [*config, "user", "remove", "bruno"]).exit_code == 0
    gone = runner.invoke(cli, [*config, "user", "remove", "bruno"])
    assert gone.exit_code == 1 and "no account 'bruno'" in gone.output
