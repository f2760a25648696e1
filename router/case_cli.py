"""`router case ...`: list cases by promise state, look at one, move it between tiers, mark its first response."""

from __future__ import annotations

import json
import os

import click
from sqlalchemy.orm import Session, sessionmaker

from router import db
from router.case_list import CaseFilter, Order, list_cases
from router.case_report import case_summary, case_table
from router.cases import CaseStatus, PromiseState, describe, find_case, move_tier, record_response
from router.cli_support import DEMO_DATABASE, config_option, database_url, load_config_or_exit
from router.clock import system_clock
from router.config import SupportConfig
from router.config.fields import to_e164
from router.models import Case

STATES = {state.slug: state for state in PromiseState}


@click.group("case")
def case_group() -> None:
    """Cases in the call log: list, show, move between tiers, record a response (DATABASE_URL)."""


def _elsewhere(command: str) -> str:
    """Where else to look, when DATABASE_URL is unset and the demo's database is there."""
    if os.environ.get("DATABASE_URL") or not DEMO_DATABASE.exists():
        return ""
    return (f"; the demo's database is {DEMO_DATABASE}: "
            f"DATABASE_URL=sqlite:///{DEMO_DATABASE} router case {command}")


def _open(ctx: click.Context, command: str, reads: bool = False) -> tuple[SupportConfig, sessionmaker[Session]]:
    """The configuration and the database, which must exist and be at this version's schema; sessions that
    only read (`reads`) take no write lock on SQLite."""
    support = load_config_or_exit(ctx)
    url = database_url()
    where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the default, DATABASE_URL is unset"
    path = db.sqlite_file(url)
    if path is not None and not path.exists():  # connecting would leave an empty file behind
        raise click.ClickException(f"no database at {path} ({where}): point DATABASE_URL at the service's "
                                   f"database, or play a call first with `router call`{_elsewhere(command)}")
    engine = db.make_engine(url)
    ctx.call_on_close(engine.dispose)
    db.require_schema(engine)
    return support, db.readers(engine) if reads else db.writers(engine)


def _find(session: Session, number: int) -> Case:
    case = find_case(session, number)
    if case is None:
        url = db.display_url(database_url())
        raise click.ClickException(f"no case {number} in {url}{_elsewhere(f'show {number}')}")
    return case


def _person(support: SupportConfig, person_id: str) -> str:
    if person_id not in {p.id for p in support.people}:
        known = ", ".join(p.id for p in support.people)
        raise click.BadParameter(f"{person_id!r} is not one of the configured people ({known})", param_hint="--by")
    return person_id


def _print(session: Session, case: Case, support: SupportConfig, as_json: bool) -> None:
    now = system_clock()
    described = describe(session, case, support, now)
    shown = json.dumps(described, indent=2, ensure_ascii=False) if as_json else case_summary(described, support, now)
    click.echo(shown)


json_option = click.option("--json", "as_json", is_flag=True, help="print the case as JSON (the API's form)")


@case_group.command("show")
@click.argument("number", type=click.IntRange(1, 2**62))
@json_option
@config_option
@click.pass_context
def show(ctx: click.Context, number: int, as_json: bool) -> None:
    """Print a case: tier and history, calls, first response and its promise, its page."""
    support, sessions = _open(ctx, f"show {number}", reads=True)
    with sessions() as session:
        _print(session, _find(session, number), support, as_json)


@case_group.command("move")
@click.argument("number", type=click.IntRange(1, 2**62))
@click.option("--tier", type=click.IntRange(1, 3), required=True, help="1 Customer Service, 2 Technical "
              "Solutions / TAM, 3 Product specialists")
@click.option("--by", "by", required=True, help="the id of the person moving it")
@click.option("--reason", required=True)
@json_option
@config_option
@click.pass_context
def move(ctx: click.Context, number: int, tier: int, by: str, reason: str, as_json: bool) -> None:
    """Move a case to another tier, with who and why."""
    support, sessions = _open(ctx, f"show {number}")
    with sessions() as session:
        with session.begin():
            case = _find(session, number)
            try:
                move_tier(case, tier, _person(support, by), reason, system_clock())
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        _print(session, case, support, as_json)


@case_group.command("respond")
@click.argument("number", type=click.IntRange(1, 2**62))
@click.option("--by", "by", required=True, help="the id of the person who responded")
@json_option
@config_option
@click.pass_context
def respond(ctx: click.Context, number: int, by: str, as_json: bool) -> None:
    """Record the case's first response (only the first one counts)."""
    support, sessions = _open(ctx, f"show {number}")
    with sessions() as session:
        with session.begin():
            case = _find(session, number)
            recorded = record_response(case, _person(support, by), system_clock())
        if not recorded:
            line = support.line(case.line_number)
            at = case.first_answered_at.astimezone(line.timezone) if line else case.first_answered_at
            click.echo(f"case {number} already had its first response, {at:%a %Y-%m-%d %H:%M %Z} by "
                       f"{support.person_name(case.first_answered_by)}: nothing changed", err=True)
        _print(session, case, support, as_json)


@case_group.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice(list(STATES)),
              help="where the first-response promise stands (repeat for several)")
@click.option("--open/--all", "only_open", default=True, help="open cases only (the default), or resolved ones too")
@click.option("--line", help="only this line's cases (its number, in any notation)")
@click.option("--order", type=click.Choice([o.value for o in Order]), default=Order.NEWEST.value, show_default=True,
              help="newest first, or those still waiting for a first response soonest due first")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@config_option
@click.pass_context
def list_command(ctx: click.Context, states: tuple[str, ...], only_open: bool, line: str | None, order: str,
                 limit: int) -> None:
    """List cases with their first-response promise and the business time left, times in each line's zone."""
    support, sessions = _open(ctx, "list", reads=True)
    filters = CaseFilter(states=frozenset(STATES[s] for s in states), line=_line(support, line),
                         status=CaseStatus.OPEN if only_open else None)
    now = system_clock()
    with sessions() as session:
        rows = list_cases(session, support, filters, now, order=Order(order), limit=limit).rows
        click.echo(case_table(rows, support) if rows else "No case matches.")


def _line(support: SupportConfig, number: str | None) -> str | None:
    if number is None:
        return None
    try:
        line = support.line(to_e164(number))
    except ValueError:
        line = None
    if line is None:
        known = ", ".join(f"{line.number} ({line.name})" for line in support.lines)
        raise click.BadParameter(f"{number!r} is none of the lines ({known})", param_hint="--line")
    return line.number

