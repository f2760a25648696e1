"""`router calls`: the call log with the console's filters, as a table or the same CSV (DATABASE_URL)."""

from __future__ import annotations

import os
import sys

import click
from sqlalchemy.orm import Session, sessionmaker

from callflows.decision import CallOutcome
from router import db
from router.calllog_filters import CallFilters, Hours, Severity, Sort, search_terms
from router.calllog_query import CallRow, call_page, csv_lines, csv_rows
from router.cli_support import config_option, database_url, load_config_or_exit
from router.config import SupportConfig

COLUMNS = ("time", "line", "caller", "hours", "path", "outcome", "case", "severity", "paged", "duration")
HOURS_HELP = ", ".join([*(h.value for h in Hours), "holiday:NAME"])


@click.command("calls")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day (the line's dates with --line, else UTC).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day, included.")
@click.option("--line", help="The line's number, in any notation.")
@click.option("--hours", metavar="WHEN", help=f"Open or closed and why: {HOURS_HELP}.")
@click.option("--outcome", type=click.Choice([o.value for o in CallOutcome]))
@click.option("--severity", type=click.Choice([s.value for s in Severity]), help="The call's case's.")
@click.option("--customer", metavar="ID", help="A configured customer's id.")
@click.option("--paged/--not-paged", default=None, help="Only calls whose case paged an engineer (or did not).")
@click.option("--search", "-s", metavar="TEXT", help="A phone number in any notation, or a case number.")
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default=Sort.TIME.value, show_default=True)
@click.option("--asc/--desc", "ascending", default=None,
              help="The order (default: time and duration largest first, the others A to Z).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Calls in the table.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE|-",
              help="Write every matching call as CSV (the console's export) to FILE, or - for standard output.")
@config_option
@click.pass_context
def calls_command(ctx: click.Context, ascending: bool | None, limit: int, csv_path: str | None,
                  **given: str | bool | None) -> None:
    """List calls, newest first, filtered as the console's call log filters them."""
    support = load_config_or_exit(ctx)
    filters = _filters(support, given, ascending)
    sessions = _sessions(ctx)
    with sessions() as session:
        if csv_path is not None:
            _write_csv(session, support, filters, csv_path)
            return
        page = call_page(session, support, filters, None, size=limit)
    if not page.rows:
        click.echo("no calls match", err=True)
        return
    click.echo(_table([_cells(row) for row in page.rows]))
    if page.next:
        click.echo("more calls match: --limit for more, --csv FILE for all of them", err=True)


def _filters(support: SupportConfig, given: dict[str, str | bool | None], ascending: bool | None) -> CallFilters:
    """The options as the console's query string, read by the same parser; a value it ignores is an error here."""
    names = {"date_from": "from", "date_to": "to", "line": "line", "hours": "hours", "outcome": "outcome",
             "severity": "severity", "customer": "customer", "search": "q", "sort": "sort"}
    args = {names[key]: value for key, value in given.items() if key in names and value is not None}
    if given.get("paged") is not None:
        args["paged"] = "yes" if given["paged"] else "no"
    if ascending is not None:
        args["dir"] = "asc" if ascending else "desc"
    filters = CallFilters.parse(args, support)
    read = filters.args()
    for option, key in (("--from", "from"), ("--to", "to"), ("--hours", "hours")):
        if key in args and key not in read:
            raise click.BadParameter(f"{args[key]!r} is not one I know (dates are YYYY-MM-DD; hours: {HOURS_HELP})",
                                     param_hint=option)
    if "line" in args and filters.line is None:
        known = ", ".join(f"{line.number} ({line.name})" for line in support.lines)
        raise click.BadParameter(f"{args['line']!r} is none of the lines: {known}", param_hint="--line")
    if "customer" in args and filters.customer is None:
        known = ", ".join(customer.id for customer in support.customers)
        raise click.BadParameter(f"{args['customer']!r} is no customer's id: {known}", param_hint="--customer")
    if filters.search and search_terms(filters.search, support).empty:
        raise click.BadParameter(f"{filters.search!r} is neither a phone number nor a case number",
                                 param_hint="--search")
    return filters


def _sessions(ctx: click.Context) -> sessionmaker[Session]:
    """The database, which must exist and be at this version's schema (as `router case` opens it)."""
    url = database_url()
    path = db.sqlite_file(url)
    if path is not None and not path.exists():  # connecting would leave an empty file behind
        where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the default, DATABASE_URL is unset"
        raise click.ClickException(f"no database at {path} ({where}): point DATABASE_URL at the service's "
                                   "database, or play a call first with `router call`")
    engine = db.make_engine(url)
    ctx.call_on_close(engine.dispose)
    db.require_schema(engine)
    return db.readers(engine)  # listing and exporting only read


def _write_csv(session: Session, support: SupportConfig, filters: CallFilters, path: str) -> None:
    lines = csv_lines(csv_rows(session, support, filters, None))
    if path == "-":
        sys.stdout.writelines(lines)
        return
    with open(path, "w", newline="", encoding="utf-8") as out:
        out.writelines(lines)
    click.echo(f"wrote {path}", err=True)


def _cells(row: CallRow) -> list[str]:
    minutes, seconds = divmod(row.duration_seconds or 0, 60)
    duration = "" if row.duration_seconds is None else f"{minutes}:{seconds:02d}"
    return [row.local_time().strftime("%Y-%m-%d %H:%M %Z"), row.line_name,
            row.caller if row.caller == row.caller_number else f"{row.caller} ({row.caller_number or 'no number'})",
            row.hours, row.path, row.outcome or ("in progress" if row.ongoing else ""), str(row.case_number or ""),
            row.severity or "", "paged" if row.paged else "", duration]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows, strict=False)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
                     for cells in [list(COLUMNS), *rows])
