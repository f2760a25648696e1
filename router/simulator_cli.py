"""`router call` and `router demo`: calls played through the service and the fake Twilio, no account needed."""

from __future__ import annotations

import click

from router import db
from router.cli_support import config_option, database_url, settings_or_exit
from router.clock import clock_starting_at
from router.config import SupportConfig, to_e164


def _number(value: str, option: str) -> str:
    try:
        return to_e164(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _line_number(value: str, support: SupportConfig) -> str:
    number = _number(value, "--to")
    if support.line(number) is None:
        lines = "; ".join(f"{line.number} ({line.name})" for line in support.lines)
        raise click.BadParameter(f"{value} is not one of the configured lines: {lines}", param_hint="--to")
    return number


def clean_database(url: str) -> None:
    """Start the simulation from an empty database: only ever a SQLite file, never a server's database."""
    path = db.sqlite_file(url)
    if path is None:
        raise click.ClickException(
            f"router call starts from a clean database, and DATABASE_URL names {db.display_url(url)}: "
            "pass --keep-database to add the simulated call to it, or unset DATABASE_URL")
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@click.command()
@config_option
@click.option("--from", "from_", required=True, help="the caller's number, e.g. '+55 11 98888-7777'")
@click.option("--to", required=True, help="the line called, e.g. '+55 11 3000-0000'")
@click.option("--at", "at_text", help="when the call happens, e.g. '2026-11-20 10:00' (line's local time)")
@click.option("--press", default="", help="keys pressed at successive prompts, e.g. '1,1' ('' = silence)")
@click.option("--record-seconds", default=7, show_default=True)
@click.option("--tier1", type=click.Choice(["answer", "no-answer", "busy"]), default="answer", show_default=True,
              help="whether the agents of the ring groups answer")
@click.option("--tam", type=click.Choice(["answer", "no-answer", "busy"]), default="answer", show_default=True,
              help="whether the customer's Technical Account Manager answers")
@click.option("--engineer", type=click.Choice(["human", "machine", "no-answer", "busy", "failed"]),
              default="human", show_default=True, help="how the phone of everyone paged answers")
@click.option("--engineer-presses", default="1", show_default=True)
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(min=0.1, max=10000),
              help="how much faster than real time the service's clock runs (60: a 5-minute step in 5 s)")
@click.option("--whole-escalation", is_flag=True, help="wait until the page is acknowledged or escalation ends")
@click.option("--wait", "patience", default=20.0, show_default=True, type=click.FloatRange(min=0),
              help="real seconds to wait for the page; what comes later is listed, not waited for")
@click.option("--keep-database", is_flag=True, help="add this call to the cases of earlier ones "
              "(by default each call starts from a clean database)")
@click.pass_context
def call(ctx: click.Context, from_: str, to: str, at_text: str | None, press: str, record_seconds: int,
         tier1: str, tam: str, engineer: str, engineer_presses: str, speed: float, whole_escalation: bool,
         patience: float, keep_database: bool) -> None:
    """Play one call through the webhooks, as Twilio would, and print the conversation.

    The call is kept in DATABASE_URL (default: instance/router.sqlite3), so `router case show` finds it.
    """
    from router.cli import local_moment
    from router.simulator import Behaviour, format_report, local_stack, play

    settings, support = settings_or_exit(ctx, simulation=True)
    from_, to = _number(from_, "--from"), _line_number(to, support)
    at = local_moment(at_text, support.line(to).timezone)
    if not keep_database:
        clean_database(database_url())
    behaviour = Behaviour(tier1=tier1, tam=tam, engineer=engineer,
                          engineer_presses=tuple(engineer_presses.split(",")) if engineer_presses else ())
    presses = press.split(",") if press else []
    with local_stack(settings, support, clock_starting_at(at, speed), behaviour) as stack:
        report = play(stack, from_, to, presses, record_seconds, behaviour, whole_escalation=whole_escalation,
                      speed=speed, patience=patience)
    click.echo(format_report(report, from_, to, at, speed, whole_escalation))


@click.command()
@config_option
@click.option("--port", default=5000, show_default=True, help="where the service answers")
@click.option("--fake-twilio-port", default=8099, show_default=True, help="where the fake Twilio answers")
@click.option("--no-serve", is_flag=True, help="play the demo calls, then exit")
@click.pass_context
def demo(ctx: click.Context, port: int, fake_twilio_port: int, no_serve: bool) -> None:
    """Play three demo calls, then run the service on SQLite with the fake Twilio."""
    from router.demo import run_demo

    settings, support = settings_or_exit(ctx, simulation=True)
    run_demo(settings, support, port, fake_twilio_port, serve=not no_serve)
