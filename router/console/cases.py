"""Cases: the list by promise state, one case with its tier history, and the actions on it.

The actions call what the API calls (`record_response`, `move_tier`, `resolve`); each answers with a
redirect back to the case (post/redirect/get) and a message saying what happened or why not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from router import db
from router.case_list import CaseFilter, Order, list_cases, standing
from router.cases import TIERS, CaseStatus, PromiseState, move_tier, record_response, resolve
from router.config import SupportConfig
from router.console import bp
from router.console.access import CASES, ON_CALL, allow, user
from router.console.scope import visible_calls, visible_cases
from router.models import Call, Case
from router.runtime import runtime

STATES = {state.slug: state for state in PromiseState}
STATUSES = {"open": CaseStatus.OPEN, "resolved": CaseStatus.RESOLVED, "any": None}
SEVERITIES = ("critical", "normal")


@bp.get("/cases")
@allow(*CASES)
def cases():
    """The cases the user may see, filtered, newest or most urgent first; `?after=<number>` pages on."""
    support, args = runtime().support, request.args
    order = Order.URGENT if args.get("order") == Order.URGENT else Order.NEWEST
    try:
        page = list_cases(db.session(), support, read_filters(args, support), runtime().now(), order=order,
                          after=args.get("after", type=int), scope=visible_cases(user()))
    except ValueError as refused:
        abort(404, str(refused))
    return render_template("console/cases.html", page=page, states=STATES, tiers=TIERS, chosen=args,
                           options=_options(support), **_names(support), **_page_links(args, page.next_after))


def _options(support: SupportConfig) -> dict[str, list[tuple[object, str]]]:
    """The choices of the list's filters: (value, what the reader sees)."""
    return {"tier": [(number, f"{number} {name}") for number, name in TIERS.items()],
            "severity": [(severity, severity) for severity in SEVERITIES],
            "line": [(line.number, line.name) for line in support.lines],
            "customer": [(customer.id, customer.name) for customer in support.customers]}


def _names(support: SupportConfig) -> dict[str, Callable[..., str]]:
    """How the templates name a case's customer, its line and the people who acted on it."""
    def customer_name(case: Case) -> str:
        customer = support.customer(case.customer_id)
        return customer.name if customer else f"unidentified caller ({case.caller_number or 'no number'})"

    def line_name(number: str) -> str:
        line = support.line(number)
        return line.name if line else number
    return {"customer_name": customer_name, "line_name": line_name, "person_name": support.person_name}


def _page_links(args: MultiDict, next_after: int | None) -> dict[str, str | None]:
    """The next page's and the first page's addresses, keeping the filters."""
    kept = MultiDict([(key, value) for key, value in args.items(multi=True) if key != "after"]).to_dict(flat=False)
    return {"next_url": url_for("console.cases", **kept, after=next_after) if next_after else None,
            "first_url": url_for("console.cases", **kept) if "after" in args else None}


def read_filters(args: MultiDict, support: SupportConfig) -> CaseFilter:
    """The list's filters from the query string; a value that names nothing is no filter."""
    tier = args.get("tier", type=int)
    line, customer = args.get("line"), args.get("customer")
    return CaseFilter(
        states=frozenset(STATES[s] for s in args.getlist("state") if s in STATES),
        status=STATUSES.get(args.get("status", "open"), CaseStatus.OPEN),
        tier=tier if tier in TIERS else None,
        severity=args.get("severity") if args.get("severity") in SEVERITIES else None,
        line=line if support.line(line) else None,
        customer=customer if support.customer(customer) else None,
    )


@bp.get("/cases/<int:number>")
@allow(*CASES)
def case(number: int):
    """One case: its tier and history, its promise, its calls (for the roles that see calls), its page."""
    session, support = db.session(), runtime().support
    found = _visible_case(number)
    calls = session.scalars(select(Call).where(Call.case_id == found.id, visible_calls(user()))
                            .order_by(Call.started_at)).all()
    return render_template("console/case.html", case=found, standing=standing(found, support, runtime().now()),
                           calls=calls, sees_calls=user().role in ON_CALL, sees_pages=user().role in ON_CALL,
                           tiers=TIERS, resolved=found.status == CaseStatus.RESOLVED, **_names(support))


@bp.post("/cases/<int:number>/response")
@allow(*CASES)
def case_response(number: int):
    def respond(case: Case, by: str, at: dt.datetime) -> str:
        if not record_response(case, by, at):
            raise ValueError(f"Case {number} already had its first response: nothing changed.")
        return f"Case {number}: first response recorded."
    return _act(number, respond)


@bp.post("/cases/<int:number>/tier")
@allow(*CASES)
def case_tier(number: int):
    tier, reason = request.form.get("tier", type=int), request.form.get("reason", "")

    def move(case: Case, by: str, at: dt.datetime) -> str:
        change = move_tier(case, tier if tier is not None else -1, by, reason, at)
        return f"Case {number} moved from tier {change.from_tier} to tier {change.to_tier} ({TIERS[change.to_tier]})."
    return _act(number, move)


@bp.post("/cases/<int:number>/resolve")
@allow(*CASES)
def case_resolve(number: int):
    def close(case: Case, by: str, at: dt.datetime) -> str:
        resolve(case, by, at)
        return f"Case {number} resolved."
    return _act(number, close)


def _visible_case(number: int, for_update: bool = False) -> Case:
    """The case, or 404 also for one the user may not see (a 403 would say that it exists)."""
    query = select(Case).where(Case.id == (Case.id_for(number) or 0), visible_cases(user()))
    found = db.session().scalars(query.with_for_update(of=Case) if for_update else query).first()
    if found is None:
        abort(404, f"There is no case {number} among the cases you may see.")
    return found


def _act(number: int, action: Callable[[Case, str, dt.datetime], str]) -> object:
    """Carry out `action` on the case as the logged-in user, commit it or say why not, and go back."""
    session, account = db.session(), user()
    found = _visible_case(number, for_update=True)
    try:
        message = action(found, account.person_id or account.username, runtime().now())
    except ValueError as refused:
        session.rollback()
        flash(_sentence(str(refused)), "error")
    else:
        session.commit()
        flash(message, "success")
    return redirect(url_for("console.case", number=number))


def _sentence(reason: str) -> str:
    """The core's reason as a message on the page: "Case 1001 is already resolved.\""""
    reason = reason[:1].upper() + reason[1:]
    return reason if reason.endswith(".") else reason + "."
