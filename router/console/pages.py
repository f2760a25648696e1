"""The console's front door and its error pages; each section's pages live in a module of their own."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

# Each section registers its routes on `bp` when imported.
from router.console import bp, call_detail, calls, cases, oncall, page_log, reports, status, subscribers  # noqa: F401
from router.console.access import CASES, allow
from router.models import Role

HOME = {Role.MANAGER: "console.calls", Role.ENGINEER: "console.oncall", Role.AGENT: "console.cases"}


@bp.get("/")
@allow(*CASES)
def home():
    """Each role's first page: managers the call log, engineers the on-call, agents the cases."""
    return redirect(url_for(HOME[Role(current_user.role)]))


@bp.app_errorhandler(403)
def forbidden(error):
    if request.blueprint != "console":  # a webhook's refusal stays Werkzeug's plain answer
        return error
    return render_template("console/error.html", code=403, title="Not for your role",
                           message="Your account's role may not open this page."), 403


@bp.app_errorhandler(404)
def not_found(error):
    if request.blueprint not in ("console", None):
        return error
    return render_template("console/error.html", code=404, title="Not found", message=error.description), 404
