"""What the `router` command's groups share."""

from __future__ import annotations

import os

import click

from router.config import ConfigError, SupportConfig, load_config


def load_config_or_exit(ctx: click.Context) -> SupportConfig:
    """The configuration `--config` or ROUTER_CONFIG names, or exit naming the file, key and problem."""
    try:
        return load_config(ctx.obj["config_path"] or os.environ.get("ROUTER_CONFIG", ""))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
