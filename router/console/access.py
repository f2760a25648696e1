"""Who may see which console page: a decorator naming the roles, 403 for the others."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from router.console.auth import login_manager
from router.models import Role, User

MANAGERS = (Role.MANAGER,)
ON_CALL = (Role.MANAGER, Role.ENGINEER)
CASES = (Role.MANAGER, Role.ENGINEER, Role.AGENT)


def allow(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The page needs a log-in (else the log-in page) and one of `roles` (else 403)."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        guarded.allowed_roles = roles  # type: ignore[attr-defined]  (the navigation reads it)
        return guarded
    return decorate


def user() -> User:
    """The logged-in account of this request."""
    found: User = current_user.account
    return found
