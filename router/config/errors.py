"""The one error a configuration problem raises."""


class ConfigError(Exception):
    """The configuration file or environment is missing, unreadable or invalid."""
