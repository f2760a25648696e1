"""The call log: every call, newest first, filtered and sorted as the URL says; its CSV streamed.

Queries live in router/calllog_query.py; this module reads the request, calls them and renders.
"""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context, url_for

from callflows.decision import CallOutcome
from router import db
from router.calllog_filters import CallFilters, Hours, Severity, Sort, holiday_names, search_terms
from router.calllog_query import CallPage, Cursor, call_page, csv_lines, csv_rows
from router.config import SupportConfig
from router.console import bp
from router.console.access import ON_CALL, allow, user
from router.runtime import runtime

HEADERS = (("time", Sort.TIME), ("line", Sort.LINE), ("caller", Sort.CALLER), ("hours", None), ("path", None),
           ("outcome", Sort.OUTCOME), ("case", None), ("severity", None), ("paged", None),
           ("duration", Sort.DURATION))
HOURS = ((Hours.OPEN, "open"), (Hours.CLOSED, "closed, any reason"), (Hours.OUTSIDE_HOURS, "closed: outside hours"),
         (Hours.WEEKEND, "closed: weekend"), (Hours.HOLIDAY, "closed: any holiday"))


@bp.get("/calls")
@allow(*ON_CALL)
def calls():
    """The calls this user may see (managers all, engineers those of their pages), 50 to a page."""
    support = runtime().support
    filters = CallFilters.parse(request.args, support)
    cursor = (Cursor.read(request.args.get("after"), filters.sort)
              or Cursor.read(request.args.get("before"), filters.sort, backward=True))
    page = call_page(db.session(), support, filters, user(), cursor)
    unread = bool(filters.search) and search_terms(filters.search, support).empty
    return render_template("console/calls.html", page=page, filters=filters, headers=HEADERS,
                           options=_options(support), holidays=holiday_names(support, runtime().now().date()),
                           zone_name=_zone_name(filters, support),
                           links=_page_links(filters, page), unread_search=unread,
                           sort_links={sort: _url("console.calls", filters.sorted_by(sort)) for sort in Sort},
                           csv_url=_url("console.calls_csv", filters))


@bp.get("/calls.csv")
@allow(*ON_CALL)
def calls_csv():
    """Every call of the filtered log as CSV, streamed as it is read (a million rows in flat memory)."""
    support, account = runtime().support, user()
    filters = CallFilters.parse(request.args, support)

    def lines():
        # The session is taken once streaming starts: Flask has torn the request down by then and pushes
        # its contexts again, so a session taken now would be closed already and never closed again after.
        yield from csv_lines(csv_rows(db.session(), support, filters, account))

    stamp = runtime().now().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="calls-{stamp}.csv"'})


def _options(support: SupportConfig) -> dict[str, list[tuple[str, str]]]:
    """The filters' choices: (value, what the reader sees)."""
    return {"line": [(line.number, line.name) for line in support.lines],
            "hours": [(value.value, label) for value, label in HOURS],
            "outcome": [(outcome.value, outcome.value) for outcome in CallOutcome],
            "severity": [(severity.value, severity.value) for severity in Severity],
            "customer": [(customer.id, customer.name) for customer in support.customers],
            "paged": [("yes", "paged"), ("no", "not paged")]}


def _zone_name(filters: CallFilters, support: SupportConfig) -> str:
    line = support.line(filters.line)
    return f"{line.name}'s dates ({line.timezone.key})" if line else "UTC dates (choose a line for its own)"


def _url(endpoint: str, filters: CallFilters, **cursor: str) -> str:
    query = filters.query_string(**cursor)
    return url_for(endpoint) + (f"?{query}" if query else "")


def _page_links(filters: CallFilters, page: CallPage) -> dict[str, str | None]:
    """The pager's links, keeping the filters: the first page, the one before and the one after."""
    return {"first": _url("console.calls", filters) if page.previous else None,
            "previous": _url("console.calls", filters, before=page.previous.token()) if page.previous else None,
            "next": _url("console.calls", filters, after=page.next.token()) if page.next else None}
