"""Expected failures of the `router` command: one line naming what is wrong and what fixes it, no traceback."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from router import create_app, db
from router.cli import cli
from router.config import Settings
from router.demo import demo_lock
from router.runtime import runtime
from tests.conftest import EXAMPLE_CONFIG


@pytest.fixture
def bare_env(monkeypatch, tmp_path):
    """No configuration, no secrets, no database in the environment; a scratch working directory."""
    for name in ("ROUTER_CONFIG", "DATABASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output and not isinstance(result.exception, (KeyError, TypeError))
    return result


def test_config_may_come_after_the_command(bare_env):
    result = _run("check-config", "--config", str(EXAMPLE_CONFIG))
    assert result.exit_code == 0 and "configuration is valid" in result.output


def test_without_a_configuration_the_command_says_how_to_give_one(bare_env):
    result = _run("check-config")
    assert result.exit_code == 1
    assert "no configuration file: pass --config FILE or set ROUTER_CONFIG" in result.output


def test_help_needs_no_configuration(bare_env):
    result = _run("case", "show", "--help")
    assert result.exit_code == 0 and "Print a case" in result.output


def test_init_db_needs_no_twilio_account(bare_env, tmp_path):
    bare_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = _run("init-db")
    assert result.exit_code == 0 and "database is at the newest schema" in result.output


def test_a_database_that_does_not_answer_is_one_line(bare_env):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    bare_env.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    result = _run("init-db")
    assert result.exit_code == 1
    assert f"database postgresql+psycopg://postgres@127.0.0.1:{port}/postgres is unreachable" in result.output
    assert "check DATABASE_URL" in result.output


def test_case_show_without_a_database_says_which_it_read_and_leaves_no_file(bare_env, tmp_path):
    result = _run("--config", str(EXAMPLE_CONFIG), "case", "show", "1004")
    assert result.exit_code == 1
    assert "no database at instance/router.sqlite3 (the default, DATABASE_URL is unset)" in result.output
    assert not (tmp_path / "instance" / "router.sqlite3").exists()


def test_case_show_points_at_the_demo_database_when_that_is_where_cases_are(bare_env, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "demo.sqlite3").touch()
    result = _run("--config", str(EXAMPLE_CONFIG), "case", "show", "1004")
    assert ("the demo's database is instance/demo.sqlite3: "
            "DATABASE_URL=sqlite:///instance/demo.sqlite3 router case show 1004") in result.output


def test_case_show_on_a_database_never_migrated_says_to_run_init_db(bare_env, tmp_path):
    path = tmp_path / "empty.sqlite3"
    db.make_engine(f"sqlite:///{path}").connect().close()
    bare_env.setenv("DATABASE_URL", f"sqlite:///{path}")
    result = _run("--config", str(EXAMPLE_CONFIG), "case", "show", "1001")
    assert result.exit_code == 1
    assert f"database {path} has no tables yet: run `router init-db`" in result.output


def test_an_unknown_case_names_the_database_it_looked_in(bare_env, tmp_path):
    bare_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert _run("init-db").exit_code == 0
    result = _run("--config", str(EXAMPLE_CONFIG), "case", "show", "1001")
    assert result.exit_code == 1 and f"no case 1001 in {tmp_path / 'db.sqlite3'}" in result.output


def test_a_second_demo_in_the_same_checkout_refuses_and_keeps_the_first_ones_database(bare_env, tmp_path):
    with demo_lock(5000):
        (tmp_path / "instance" / "demo.sqlite3").write_text("the first demo's")
        result = _run("--config", str(EXAMPLE_CONFIG), "demo", "--no-serve")
    assert result.exit_code == 1 and "a demo is already running in this checkout (on :5000, pid" in result.output
    assert (tmp_path / "instance" / "demo.sqlite3").read_text() == "the first demo's"


@pytest.mark.parametrize("option", ["--port", "--fake-twilio-port"])
def test_a_port_in_use_is_reported_before_any_call_is_played(bare_env, option):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        ports = {"--port": "0", "--fake-twilio-port": "0", option: port}
        result = _run("--config", str(EXAMPLE_CONFIG), "demo", *(x for pair in ports.items() for x in pair))
    assert result.exit_code == 1
    assert f"port {port} is already in use (another demo or router serve?): choose another with {option}" \
        in result.output
    assert "===" not in result.output  # no call was played


def _settings(url: str) -> Settings:
    return Settings(config_path=str(EXAMPLE_CONFIG), database_url=url, twilio_account_sid="AC" + "0" * 32,
                    twilio_auth_token="t", twilio_api_base=None, secret_key="s")


def test_the_service_refuses_to_start_on_a_database_without_its_tables(support, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    with pytest.raises(db.DatabaseError, match="has no tables yet: run `router init-db`"):
        create_app(_settings(url), support)


def _older_revision() -> str:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(db._alembic_config())
    return scripts.get_revision(db._revisions()[0]).down_revision


def test_health_fails_for_a_database_that_answers_but_is_not_at_this_versions_schema(support, database_url):
    app = create_app(_settings(database_url), support)
    try:
        with runtime(app).services.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": _older_revision()})
        answer = app.test_client().get("/health")
        assert answer.status_code == 503
        assert answer.json["database"] == "not migrated" and "run `router init-db`" in answer.json["problem"]
    finally:
        with runtime(app).services.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"),
                               {"head": db._revisions()[0]})
        runtime(app).dispatcher.shutdown()
        runtime(app).services.engine.dispose()
