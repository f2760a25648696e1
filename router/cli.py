"""The `router` command: run the service, check the configuration, play calls, run the demo."""

from __future__ import annotations

import datetime as dt
import os

import click

from router.cli_support import load_config_or_exit
from router.clock import clock_starting_at, system_clock
from router.config import ConfigError, Settings, SupportConfig, load_config

# The simulator and the demo need no Twilio account: they talk to the fake one.
SIMULATION_ENV = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "fake-twilio-token",
                  "SECRET_KEY": "simulation-only"}


@click.group()
@click.option("--config", "config_path", envvar="ROUTER_CONFIG", type=click.Path(dir_okay=False),
              help="The TOML configuration (default: $ROUTER_CONFIG).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """The support phone line."""
    ctx.obj = {"config_path": config_path}


def _settings(ctx: click.Context, simulation: bool = False) -> tuple[Settings, SupportConfig]:
    environ = {**SIMULATION_ENV, **os.environ} if simulation else os.environ
    try:
        settings = Settings.from_env(environ, ctx.obj["config_path"])
        return settings, load_config(settings.config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _warn(support: SupportConfig) -> None:
    from router.config.warnings import config_warnings

    for warning in config_warnings(support):
        click.echo(f"warning: {warning}", err=True)


@cli.command("check-config")
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Validate the configuration file and summarise it."""
    support = load_config_or_exit(ctx)
    _warn(support)
    for line in support.lines:
        click.echo(f"{line.number}  {line.name}  ({line.timezone.key}, {line.language}, "
                   f"policy {line.escalation_policy}, after hours: {line.after_hours})")
    click.echo(f"{len(support.people)} people, {len(support.packages)} packages, "
               f"{len(support.customers)} customers, {len(support.rotations)} rotations: configuration is valid")


@cli.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Create or upgrade the database schema."""
    from router import db

    settings, _ = _settings(ctx)
    db.upgrade(db.make_engine(settings.database_url))
    click.echo(f"database is at the newest schema: {settings.database_url}")


@cli.command("new-migration")
@click.argument("message")
def new_migration(message: str) -> None:
    """Write an Alembic revision for what changed in router/models (review it before committing)."""
    import tempfile

    from alembic import command
    from alembic.config import Config as AlembicConfig

    from router import db

    with tempfile.TemporaryDirectory() as scratch:
        engine = db.make_engine(f"sqlite:///{scratch}/schema.sqlite3")
        db.upgrade(engine)
        config = AlembicConfig()
        config.set_main_option("script_location", str(db.MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True)
        engine.dispose()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Run the service with gunicorn (migrating the database first)."""
    from router import create_app, db
    from router.serving import run_gunicorn

    settings, support = _settings(ctx)
    _warn(support)
    db.upgrade(db.make_engine(settings.database_url))
    run_gunicorn(lambda: create_app(settings, support), host, port, workers)


@cli.command()
@click.option("--interval", default=1.0, show_default=True, help="seconds between passes")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.pass_context
def worker(ctx: click.Context, interval: float, once: bool) -> None:
    """The paging engine: escalate pages whose step timed out, send what is due, replay the spool.

    Several workers may run side by side (rows are claimed with FOR UPDATE SKIP LOCKED).
    """
    import threading

    from router import create_app
    from router.engine import run_pass, summary_line, work

    settings, support = _settings(ctx)
    _warn(support)
    app = create_app(settings, support)
    if once:  # a single pass is not a running worker: no heartbeat, and a failure is the exit status
        with app.app_context():
            summary = run_pass(app)
        if any(summary.values()):
            click.echo(summary_line(summary))
        return
    work(app, interval, threading.Event(), lambda line: click.echo(line, err=line.startswith("pass failed")))


@cli.command()
@click.option("--at", "at_text", help="another moment, e.g. '2026-12-25 03:00' (each rotation's local time)")
@click.option("--feeds", is_flag=True, help="also print each rotation's and person's calendar feed URL")
@click.pass_context
def oncall(ctx: click.Context, at_text: str | None, feeds: bool) -> None:
    """Who is on call for every rotation, until when, and who is next."""
    from router.oncall import feed_token, rotation_on_call

    support = load_config_or_exit(ctx)
    for rotation_id, rotation in support.rotations_by_id.items():
        at = _local(at_text, rotation.timezone)
        row = rotation_on_call(support, rotation_id, at)
        if row["on_call"] is None:
            click.echo(f"{rotation_id}: nobody on call at {at:%a %Y-%m-%d %H:%M %Z}")
            continue
        until = dt.datetime.fromisoformat(row["until"]).astimezone(rotation.timezone)
        after = f", then {row['next']['name']}" if row["next"] else ""
        click.echo(f"{rotation_id}: {row['on_call']['name']} ({row['on_call']['phone']}) "
                   f"until {until:%a %Y-%m-%d %H:%M %Z}{after}")
    if feeds:
        secret = os.environ.get("SECRET_KEY") or ""
        if not secret:
            raise click.ClickException("environment: SECRET_KEY is needed to sign the feed URLs")
        base = support.service.public_url.rstrip("/")
        for kind, folder, ids in (("rotation", "rotations", list(support.rotations_by_id)),
                                  ("person", "people", [p.id for p in support.people])):
            for name in ids:
                click.echo(f"{base}/calendar/{folder}/{name}.ics?token={feed_token(secret, kind, name)}")


def _local(text: str | None, zone: dt.tzinfo) -> dt.datetime:
    """A time from the command line: now if none, with its offset as given, else in `zone`."""
    if not text:
        return system_clock()
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a time like '2026-11-20 10:00'", param_hint="--at") from None
    return at if at.tzinfo else at.replace(tzinfo=zone)


def _moment(text: str | None, support: SupportConfig, to: str) -> dt.datetime:
    """`--at` as an aware time: with an offset as given, else in the called line's time zone."""
    line = support.line(to)
    return _local(text, line.timezone if line else dt.timezone.utc)


@cli.command()
@click.option("--from", "from_", required=True, help="the caller's number (E.164)")
@click.option("--to", required=True, help="the line called (E.164)")
@click.option("--at", "at_text", help="when the call happens, e.g. '2026-11-20 10:00' (line's local time)")
@click.option("--press", default="", help="keys pressed at successive prompts, e.g. '1,1' ('' = silence)")
@click.option("--record-seconds", default=7, show_default=True)
@click.option("--tier1", type=click.Choice(["answer", "no-answer", "busy"]), default="answer", show_default=True,
              help="whether the agents of the ring groups answer")
@click.option("--tam", type=click.Choice(["answer", "no-answer", "busy"]), default="answer", show_default=True,
              help="whether the customer's Technical Account Manager answers")
@click.option("--engineer", type=click.Choice(["human", "machine", "no-answer", "busy", "failed"]),
              default="human", show_default=True, help="how the paged engineer's phone answers")
@click.option("--engineer-presses", default="1", show_default=True)
@click.option("--speed", default=1.0, show_default=True,
              help="how much faster than real time the service's clock runs (60: a 5-minute step in 5 s)")
@click.option("--whole-escalation", is_flag=True, help="wait until the page is acknowledged or escalation ends")
@click.pass_context
def call(ctx: click.Context, from_: str, to: str, at_text: str | None, press: str, record_seconds: int,
         tier1: str, tam: str, engineer: str, engineer_presses: str, speed: float, whole_escalation: bool) -> None:
    """Play one call through the webhooks, as Twilio would, and print the conversation."""
    from router.config import to_e164
    from router.simulator import Behaviour, format_report, local_stack, play

    settings, support = _settings(ctx, simulation=True)
    try:
        from_, to = to_e164(from_), to_e164(to)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    at = _moment(at_text, support, to)
    behaviour = Behaviour(tier1=tier1, tam=tam, engineer=engineer,
                          engineer_presses=tuple(engineer_presses.split(",")) if engineer_presses else ())
    presses = press.split(",") if press else []
    with local_stack(settings, support, clock_starting_at(at, speed), behaviour) as stack:
        report = play(stack, from_, to, presses, record_seconds, behaviour, whole_escalation=whole_escalation)
    click.echo(format_report(report, from_, to, at))


@cli.command()
@click.option("--port", default=5000, show_default=True)
@click.option("--fake-twilio-port", default=8099, show_default=True)
@click.option("--no-serve", is_flag=True, help="play the demo calls, then exit")
@click.pass_context
def demo(ctx: click.Context, port: int, fake_twilio_port: int, no_serve: bool) -> None:
    """Play three demo calls, then run the service on SQLite with the fake Twilio."""
    from router.demo import run_demo

    settings, support = _settings(ctx, simulation=True)
    run_demo(settings, support, port, fake_twilio_port, serve=not no_serve)


from router.case_cli import case_group  # noqa: E402  (a command group of its own module)

cli.add_command(case_group)
