"""`python -m router`: the `router` command, for processes the service starts itself."""

from router.cli import cli

cli(prog_name="router")
