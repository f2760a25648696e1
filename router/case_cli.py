"""`router case ...`: look at a case, move it between tiers, mark its first response."""

from __future__ import annotations

import json
import os

import click
from sqlalchemy.orm import sessionmaker

from router import db
from router.cases import describe, find_case, move_tier, record_response
from router.cli_support import load_config_or_exit
from router.clock import system_clock
from router.config import SupportConfig
from router.config.settings import DEFAULT_DATABASE_URL


@click.group("case")
@click.pass_context
def case_group(ctx: click.Context) -> None:
    """Cases in the call log: show, move between tiers, record a response."""
    support = load_config_or_exit(ctx)
    engine = db.make_engine(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    ctx.call_on_close(engine.dispose)
    ctx.obj.update(support=support, sessions=sessionmaker(engine, expire_on_commit=False))


def _with_case(ctx: click.Context, number: int, change) -> None:
    sessions: sessionmaker = ctx.obj["sessions"]
    support: SupportConfig = ctx.obj["support"]
    with sessions() as session:
        with session.begin():
            case = find_case(session, number)
            if case is None:
                raise click.ClickException(f"no case {number}")
            try:
                change(case, support)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(json.dumps(describe(session, case, support, system_clock()), indent=2, ensure_ascii=False))


def _person(support: SupportConfig, person_id: str) -> str:
    if person_id not in {p.id for p in support.people}:
        raise ValueError(f"{person_id!r} is not one of the configured people")
    return person_id


@case_group.command("show")
@click.argument("number", type=int)
@click.pass_context
def show(ctx: click.Context, number: int) -> None:
    """Print a case: tier and history, calls, first response and its promise."""
    _with_case(ctx, number, lambda case, support: None)


@case_group.command("move")
@click.argument("number", type=int)
@click.option("--tier", type=click.IntRange(1, 3), required=True, help="1 Customer Service, 2 Technical "
              "Solutions / TAM, 3 Product specialists")
@click.option("--by", "by", required=True, help="the id of the person moving it")
@click.option("--reason", required=True)
@click.pass_context
def move(ctx: click.Context, number: int, tier: int, by: str, reason: str) -> None:
    """Move a case to another tier, with who and why."""
    _with_case(ctx, number, lambda case, support: move_tier(case, tier, _person(support, by), reason,
                                                         system_clock()))


@case_group.command("respond")
@click.argument("number", type=int)
@click.option("--by", "by", required=True, help="the id of the person who responded")
@click.pass_context
def respond(ctx: click.Context, number: int, by: str) -> None:
    """Record the case's first response (only the first one counts)."""
    _with_case(ctx, number, lambda case, support: record_response(case, _person(support, by), system_clock()))
