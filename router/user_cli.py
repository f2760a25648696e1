"""`router user ...`: the console's accounts (DATABASE_URL)."""

from __future__ import annotations

import sys

import click
from sqlalchemy.orm import Session, sessionmaker

from router import db
from router.cli_support import database_url, load_config_or_exit
from router.clock import system_clock
from router.config import SupportConfig
from router.models import Role
from router.users import AccountError, add_user, find_user, list_users, remove_user, set_password


@click.group("user")
def user_group() -> None:
    """Console accounts: add, list, change a password, remove (DATABASE_URL)."""


def _open(ctx: click.Context) -> tuple[SupportConfig, sessionmaker[Session]]:
    support = load_config_or_exit(ctx)
    url = database_url()
    path = db.sqlite_file(url)
    if path is not None and not path.exists():
        raise click.ClickException(f"no database at {path}: run `router init-db` first, or set DATABASE_URL")
    engine = db.make_engine(url)
    ctx.call_on_close(engine.dispose)
    db.require_schema(engine)
    return support, db.writers(engine)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


stdin_option = click.option("--password-stdin", is_flag=True, help="read the password from standard input")


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="the name the console shows (default: the username)")
@click.option("--person", "person_id", help="the configured person this account is (engineers must name one)")
@stdin_option
@click.pass_context
def add(ctx: click.Context, username: str, role: str, name: str, person_id: str | None,
        password_stdin: bool) -> None:
    """Add an account."""
    support, sessions = _open(ctx)
    with sessions.begin() as session:
        try:
            user = add_user(session, support, username, name, role, _password(password_stdin), system_clock(),
                            person_id=person_id)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"added {user.username} ({user.role})")


@user_group.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the accounts."""
    _support, sessions = _open(ctx)
    with sessions() as session:
        users = list_users(session)
    if not users:
        click.echo("no accounts yet: add one with `router user add NAME --role manager`")
    for user in users:
        seen = f"last log-in {user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "never logged in"
        person = f", person {user.person_id}" if user.person_id else ""
        click.echo(f"{user.username:20} {user.role:9} {user.name}{person}; {seen}")


@user_group.command("passwd")
@click.argument("username")
@stdin_option
@click.pass_context
def passwd(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Change an account's password (its sessions end)."""
    _support, sessions = _open(ctx)
    with sessions.begin() as session:
        user = find_user(session, username) or _unknown(username)
        try:
            set_password(user, _password(password_stdin))
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"password of {username} changed")


@user_group.command("remove")
@click.argument("username")
@click.pass_context
def remove(ctx: click.Context, username: str) -> None:
    """Remove an account."""
    _support, sessions = _open(ctx)
    with sessions.begin() as session:
        remove_user(session, find_user(session, username) or _unknown(username))
    click.echo(f"removed {username}")


def _unknown(username: str):
    raise click.ClickException(f"no account {username!r}: `router user list` shows them")
