"""What the `router` command's groups share: the configuration option and errors a person can act on."""

from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from router.clock import CLOCK_ENV, check_clock_setting, system_clock
from router.config import ConfigError, Settings, SupportConfig, load_config
from router.config.settings import DEFAULT_DATABASE_URL
from router.db import DatabaseError

DEMO_DATABASE = Path("instance/demo.sqlite3")  # the demo's own, so it never deletes another database
NO_CONFIG = ("no configuration file: pass --config FILE or set ROUTER_CONFIG "
             "(the example: ROUTER_CONFIG=examples/support.toml)")
# The simulator and the demo need no Twilio account: they talk to the fake one.
SIMULATION_ENV = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "fake-twilio-token",
                  "SECRET_KEY": "simulation-only"}


class RouterGroup(click.Group):
    """A command group whose expected failures are one line, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ConfigError, DatabaseError) as exc:
            raise click.ClickException(str(exc)) from None
        except DBAPIError as exc:  # a database that stopped answering half way through a command
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise click.ClickException(f"the database failed ({reason}): check DATABASE_URL "
                                       "and that the server runs") from None


def _remember_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["config_path"] = value


config_option = click.option(
    "--config", type=click.Path(dir_okay=False), expose_value=False, callback=_remember_config,
    help="The TOML configuration (default: $ROUTER_CONFIG).")


def config_path(ctx: click.Context) -> str:
    """The configuration file `--config` (before or after the command) or ROUTER_CONFIG names."""
    path = ctx.find_root().ensure_object(dict).get("config_path") or os.environ.get("ROUTER_CONFIG")
    if not path:
        raise click.ClickException(NO_CONFIG)
    return path


def load_config_or_exit(ctx: click.Context) -> SupportConfig:
    """The configuration, or exit naming the file, key and problem."""
    check_clock_setting()
    return load_config(config_path(ctx))


def settings_or_exit(ctx: click.Context, simulation: bool = False) -> tuple[Settings, SupportConfig]:
    """The environment's settings and the configuration (the simulator's fake account if `simulation`)."""
    path = config_path(ctx)
    check_clock_setting()
    environ = {**SIMULATION_ENV, **os.environ} if simulation else os.environ
    return Settings.from_env(environ, path), load_config(path)


def database_url() -> str:
    """The database the commands use: DATABASE_URL, else the local SQLite file."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def warn_of(support: SupportConfig) -> None:
    """Print what in the configuration is valid but looks unmeant."""
    from router.config.warnings import config_warnings

    for warning in config_warnings(support):
        click.echo(f"warning: {warning}", err=True)
    if os.environ.get(CLOCK_ENV):
        click.echo(f"warning: environment: {CLOCK_ENV} is set: the service believes it is "
                   f"{system_clock():%Y-%m-%d %H:%M:%S %Z}, not now", err=True)
