"""Secrets and deployment settings: from the environment only, never from the file."""

from __future__ import annotations

import os
from dataclasses import dataclass

from router.config.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///instance/router.sqlite3"


@dataclass(frozen=True)
class Settings:
    """Secrets and deployment settings, read only from the environment."""

    config_path: str
    database_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_api_base: str | None
    secret_key: str
    spool_dir: str = "instance/spool"
    api_token: str | None = None

    @classmethod
    def from_env(cls, environ: os._Environ | dict = os.environ, config_path: str | None = None) -> Settings:
        """Read the settings; a missing secret is a start-up error, not a mid-call one."""
        missing = [k for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SECRET_KEY") if not environ.get(k)]
        path = config_path or environ.get("ROUTER_CONFIG")
        if not path:
            missing.insert(0, "ROUTER_CONFIG (or --config)")
        if missing:
            raise ConfigError("environment: missing " + ", ".join(missing))
        return cls(
            config_path=path,
            database_url=environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            twilio_account_sid=environ["TWILIO_ACCOUNT_SID"],
            twilio_auth_token=environ["TWILIO_AUTH_TOKEN"],
            twilio_api_base=environ.get("TWILIO_API_BASE") or None,
            secret_key=environ["SECRET_KEY"],
            spool_dir=environ.get("ROUTER_SPOOL", "instance/spool"),
            api_token=environ.get("ROUTER_API_TOKEN") or None,
        )
