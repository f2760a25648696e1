"""The `router` command: run the service, check the configuration, look at who is on call."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading

import click

from router import logs
from router.cli_support import (
    RouterGroup,
    config_option,
    config_path,
    database_url,
    load_config_or_exit,
    settings_or_exit,
    warn_of,
)
from router.clock import system_clock


@click.group(cls=RouterGroup)
@click.option("--config", "config_path", envvar="ROUTER_CONFIG", type=click.Path(dir_okay=False),
              help="The TOML configuration (default: $ROUTER_CONFIG).")
@click.option("--log-format", type=click.Choice(logs.FORMATS), envvar=logs.FORMAT_ENV, default="text",
              show_default=True, help="Log lines as text or one JSON object each (also $ROUTER_LOG_FORMAT).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, log_format: str) -> None:
    """The support phone line."""
    ctx.ensure_object(dict)["config_path"] = config_path
    os.environ[logs.FORMAT_ENV] = log_format  # the web workers and the paging worker log alike
    logs.configure()


@cli.command("check-config")
@config_option
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Validate the configuration file and summarise it."""
    support = load_config_or_exit(ctx)
    warn_of(support)
    for line in support.lines:
        click.echo(f"{line.number}  {line.name}  ({line.timezone.key}, {line.language}, "
                   f"policy {line.escalation_policy}, after hours: {line.after_hours})")
    click.echo(f"{len(support.people)} people, {len(support.packages)} packages, "
               f"{len(support.customers)} customers, {len(support.rotations)} rotations: configuration is valid")


@cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (DATABASE_URL; no configuration or Twilio account needed)."""
    from router import db

    url = database_url()
    db.migrate(db.make_engine(url))
    click.echo(f"database is at the newest schema: {db.display_url(url)}")


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
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
@click.option("--no-engine", is_flag=True,
              help="do not run the paging worker: dedicated `router worker` processes run it")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, no_engine: bool) -> None:
    """Run the whole service: gunicorn and the paging worker (migrating the database first)."""
    from router import create_app, db
    from router.serving import WorkerProcess, metrics_folder, run_gunicorn

    settings, support = settings_or_exit(ctx)
    warn_of(support)
    try:
        db.migrate(db.make_engine(settings.database_url))
    except db.DatabaseError as exc:  # calls are still answered: the critical path needs no database
        click.echo(f"warning: {exc}; serving anyway, calls are answered without it until it is back", err=True)
    paging = None if no_engine else WorkerProcess(config_path(ctx))
    with metrics_folder():
        run_gunicorn(lambda: create_app(settings, support), host, port, workers, paging)


@cli.command()
@config_option
@click.option("--interval", default=1.0, show_default=True, help="seconds between passes")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--parent", type=int, hidden=True, help="stop when this process (router serve) is gone")
@click.pass_context
def worker(ctx: click.Context, interval: float, once: bool, parent: int | None) -> None:
    """The paging worker: escalate pages whose step timed out, send what is due, replay the spool.

    `router serve` runs one itself; run this beside `router serve --no-engine` on other hosts.
    Several may run side by side (rows are claimed with FOR UPDATE SKIP LOCKED).
    """
    from router.paging.services import make_services
    from router.paging.worker import run_pass, summary_line, work

    settings, support = settings_or_exit(ctx)
    warn_of(support)
    services = make_services(settings, support)
    if once:  # a single pass is not a running worker: no heartbeat, and a failure is the exit status
        summary = run_pass(services)
        if any(summary.values()):
            click.echo(summary_line(summary))
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # finish the pass under way, then stop
        signal.signal(signum, lambda *_: stop.set())
    if parent:
        threading.Thread(target=_stop_when_gone, args=(parent, stop), daemon=True).start()
    work(services, interval, stop, lambda line: click.echo(line, err=line.startswith("pass failed")))


def _stop_when_gone(parent: int, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


@cli.command()
@config_option
@click.option("--at", "at_text", help="another moment, e.g. '2026-12-25 03:00' (each rotation's local time)")
@click.option("--feeds", is_flag=True, help="also print each rotation's and person's calendar feed URL")
@click.pass_context
def oncall(ctx: click.Context, at_text: str | None, feeds: bool) -> None:
    """Who is on call for every rotation, until when, and who is next."""
    from router.oncall import feed_token, rotation_on_call

    support = load_config_or_exit(ctx)
    moments = {rotation_id: local_moment(at_text, rotation.timezone)
               for rotation_id, rotation in support.rotations_by_id.items()}
    overrides = overrides_in_force(support, min(moments.values(), default=system_clock()))
    for rotation_id, rotation in support.rotations_by_id.items():
        at = moments[rotation_id]
        row = rotation_on_call(support, overrides, rotation_id, at)
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


def overrides_in_force(support, at: dt.datetime) -> dict:
    """The overrides the service applies (the console's too, from DATABASE_URL); without a database, the
    configuration's, said on standard error."""
    from router import db
    from router.oncall import overrides_since
    from router.overrides import effective_overrides

    url = database_url()
    path = db.sqlite_file(url)
    if path is not None and not path.exists():
        return support.overrides_by_rotation  # no database yet: no override was made in the console
    engine = db.make_engine(url)
    try:
        db.require_schema(engine)
        with db.readers(engine)() as session:
            return effective_overrides(session, support, overrides_since(support, at))
    except db.DatabaseError as exc:
        click.echo(f"warning: {exc}; the console's overrides are left out", err=True)
        return support.overrides_by_rotation
    finally:
        engine.dispose()


def local_moment(text: str | None, zone: dt.tzinfo) -> dt.datetime:
    """A time from the command line: now if none, with its offset as given, else in `zone`."""
    if not text:
        return system_clock().astimezone(zone)
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a time like '2026-11-20 10:00'", param_hint="--at") from None
    return at if at.tzinfo else at.replace(tzinfo=zone)


from router.calls_cli import calls_command  # noqa: E402
from router.case_cli import case_group  # noqa: E402  (command groups of their own modules)
from router.simulator_cli import call, demo  # noqa: E402
from router.test_page_cli import test_page  # noqa: E402
from router.user_cli import user_group  # noqa: E402

cli.add_command(calls_command)
cli.add_command(case_group)
cli.add_command(user_group)
cli.add_command(call)
cli.add_command(demo)
cli.add_command(test_page)


@cli.command("fallback-twiml")
@config_option
@click.option("--line", "line_number", help="The line's number (needed when there are several).")
@click.pass_context
def fallback_twiml(ctx: click.Context, line_number: str | None) -> None:
    """Print the static TwiML for the number's fallback while the service is down (a TwiML Bin, a second host).

    English, for any hour: it puts the caller through to the line's escalation policy's fallback people.
    """
    from callflows.fallback import static_fallback
    from callflows.twiml import render
    from router.facts import phone_number

    support = load_config_or_exit(ctx)
    line = support.line(phone_number(line_number)) if line_number else None
    if line is None and (line_number or len(support.lines) > 1):
        known = ", ".join(f"{each.number} ({each.name})" for each in support.lines)
        raise click.UsageError(f"{'no line ' + repr(line_number) if line_number else 'name a line with --line'}; "
                               f"the lines are: {known}")
    line = line or support.lines[0]
    policy = support.policy(line.escalation_policy)
    numbers = tuple(support.person(p).phone for p in (policy.fallback if policy else ()))
    decision = static_fallback(support.service.company, support.service.english_voice, numbers)
    click.echo(render(decision, lambda step, state: ""))
