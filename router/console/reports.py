"""Reports: a line's calls, pages, first responses and engineers' interruptions over a period, as charts
with their numbers beside them and a CSV. Managers only; the figures come from router/reports.py."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Response, abort, render_template, request, send_from_directory, url_for

from router import db
from router.config.sections import Line
from router.console import bp
from router.console.access import MANAGERS, allow
from router.report_figures import Figure, chart_data, csv_rows, figures
from router.reports import Period, Report, build_report, default_period, period_from
from router.runtime import runtime

# Chart.js as scripts/setup-venv installs it (npm ci from the committed lock); served here, never a CDN.
ASSETS = Path(__file__).parent / "assets" / "node_modules"
VENDOR = {"chart.umd.min.js": ASSETS / "chart.js" / "dist"}
A_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asked:
    """The report the form asks for, or what is wrong with the request."""

    line: Line
    period: Period
    error: str | None = None


def _asked() -> Asked:
    support = runtime().support
    line = support.line(request.args.get("line")) if request.args.get("line") else support.lines[0]
    if line is None:
        return Asked(support.lines[0], _default(support.lines[0]), "No such line.")
    try:
        return Asked(line, period_from(request.args.get("from"), request.args.get("to"), _today(line)))
    except ValueError as exc:
        return Asked(line, _default(line), f"That period cannot be shown: {exc}.")


def _today(line: Line):
    return runtime().now().astimezone(line.timezone).date()


def _default(line: Line) -> Period:
    return default_period(_today(line))


def _report(asked: Asked) -> tuple[Report, tuple[Figure, ...]]:
    found = build_report(db.session(), asked.line.number, asked.line.support_hours, asked.period, runtime().now())
    return found, figures(found, runtime().support.person_name)


@bp.get("/reports")
@allow(*MANAGERS)
def reports():
    asked = _asked()
    found, shown = _report(asked)
    csv_link = url_for("console.reports_csv", line=asked.line.number, **{"from": asked.period.first.isoformat(),
                                                                        "to": asked.period.last.isoformat()})
    return render_template("console/reports.html", asked=asked, report=found, figures=shown,
                           chart_data=chart_data(shown), lines=runtime().support.lines,
                           csv_link=csv_link, chart_script=_vendor_url("chart.umd.min.js")), 400 if asked.error else 200


@bp.get("/reports.csv")
@allow(*MANAGERS)
def reports_csv():
    asked = _asked()
    if asked.error:
        abort(400, asked.error)
    found, shown = _report(asked)
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(found, shown))
    name = f"report-{asked.line.number.lstrip('+')}-{asked.period.first}-{asked.period.last}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/console/static/vendor/<name>")
def vendor(name: str):
    """An installed library's file; its URL names the version, so browsers keep it a year."""
    folder = VENDOR.get(name)
    if folder is None or not (folder / name).is_file():
        abort(404, f"{name} is not installed: scripts/setup-venv installs the console's libraries")
    return send_from_directory(folder, name, max_age=A_YEAR)


@cache
def _installed_version(package: str) -> str:
    manifest = ASSETS / package / "package.json"
    return str(json.loads(manifest.read_text())["version"]) if manifest.is_file() else "missing"


def _vendor_url(name: str) -> str:
    return url_for("console.vendor", name=name, v=_installed_version("chart.js"))
