"""The call log's filters read from a query string and written back; its page cursors; its search terms."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callflows.decision import CallOutcome
from router.calllog_filters import CallFilters, Hours, Severity, Sort, search_terms
from router.calllog_query import Cursor

EVERYTHING = {"from": "2026-11-01", "to": "2026-11-30", "line": "+55 11 3000-0000", "hours": "holiday:Christmas Eve",
              "outcome": "no phone channel", "severity": "critical", "customer": "acme-retail", "paged": "no",
              "q": "(11) 98888-7777", "sort": "caller", "dir": "desc"}


def test_every_filter_is_read(support):
    filters = CallFilters.parse(EVERYTHING, support)
    assert filters == CallFilters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30), line="+551130000000",
                                  hours=Hours.HOLIDAY, holiday="Christmas Eve", outcome=CallOutcome.NO_PHONE,
                                  severity=Severity.CRITICAL, customer="acme-retail", paged=False,
                                  search="(11) 98888-7777", sort=Sort.CALLER, descending=True)
    assert filters.zone(support).key == "America/Sao_Paulo"  # a line's dates are its own


def test_the_query_string_keeps_the_filters(support):
    filters = CallFilters.parse(EVERYTHING, support)
    assert CallFilters.parse(filters.args(), support) == filters
    assert CallFilters.parse({}, support).query_string() == ""  # newest first needs no words
    assert filters.query_string(after="abc").endswith("&after=abc")


def test_each_sort_has_its_natural_direction_and_a_second_click_turns_it(support):
    assert CallFilters.parse({"sort": "duration"}, support).descending  # longest first
    assert not CallFilters.parse({"sort": "line"}, support).descending  # A to Z
    newest = CallFilters.parse({}, support)
    assert newest.sorted_by(Sort.TIME).descending is False
    assert newest.sorted_by(Sort.OUTCOME) == CallFilters(sort=Sort.OUTCOME, descending=False)
    assert newest.sorted_by(Sort.TIME).args() == {"dir": "asc"}


@pytest.mark.parametrize(("args", "expected"), [
    ({"from": "2026-02-30", "to": "yesterday"}, CallFilters()),
    ({"from": "0001-01-01", "to": "9999-12-31"}, CallFilters()),  # a typo, and a day past any datetime
    ({"line": "+44 20 7946 0000"}, CallFilters()),  # not one of the lines
    ({"customer": "hooli", "outcome": "Hung up", "severity": "CRITICAL", "paged": "maybe"}, CallFilters()),
    ({"hours": "lunch", "sort": "price", "dir": "sideways"}, CallFilters()),
    ({"hours": "holiday:"}, CallFilters(hours=Hours.HOLIDAY)),  # any holiday
    ({"q": "  \x00+55\x0011 98888-7777 \n"}, CallFilters(search="+5511 98888-7777")),
    ({"q": "9" * 10_000}, CallFilters(search="9" * 100)),
    ({"q": ["1001", "1002"], "line": 42, "from": None}, CallFilters(search="1001")),
])
def test_an_odd_value_is_left_out(support, args, expected):
    assert CallFilters.parse(args, support) == expected


@given(st.dictionaries(st.sampled_from([*EVERYTHING, "after", "before", "x"]),
                       st.one_of(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3), st.none(),
                                 st.integers())))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_no_query_string_is_an_error(support, args):
    filters = CallFilters.parse(args, support)
    assert CallFilters.parse(filters.args(), support) == filters
    search_terms(filters.search, support)
    Cursor.read(args.get("after") if isinstance(args.get("after"), str) else None, filters.sort)


@pytest.mark.parametrize(("written", "numbers"), [
    ("+55 11 98888-7777", ("+5511988887777",)), ("(11) 98888-7777", ("+5511988887777",)),
    ("5511988887777", ("+5511988887777",)), ("011 55 11 98888 7777", ("+5511988887777",)),
    ("+1 (646) 555-0199", ("+16465550199",)), ("(646) 555-0199", ("+556465550199", "+16465550199")),
    ("1001", ()), ("Globex", ()),
])
def test_a_number_is_read_in_each_lines_region(support, written, numbers):
    assert search_terms(written, support).numbers == numbers


@pytest.mark.parametrize(("written", "case_id"), [("1001", 1), ("#1042", 42), ("Case 1042", 42), ("case#1042", 42),
                                                  ("1000", None), ("99999999999", None), ("10 01", None)])
def test_a_case_number_names_its_row(support, written, case_id):
    assert search_terms(written, support).case_id == case_id


def test_a_cursor_reads_back_and_anything_else_is_no_cursor():
    at = dt.datetime(2026, 11, 23, 13, tzinfo=dt.timezone.utc)
    cursor = Cursor(Sort.CALLER, "+5511988887777", at, 42)
    assert Cursor.read(cursor.token(), Sort.CALLER) == cursor
    assert Cursor.read(cursor.token(), Sort.CALLER, backward=True).backward
    assert Cursor.read(cursor.token(), Sort.TIME) is None  # another sort's place means nothing here
    assert Cursor.read(Cursor(Sort.DURATION, None, at, 7).token(), Sort.DURATION).value is None  # no length yet
    for tampered in (Cursor(Sort.CALLER, 5, at, 42), Cursor(Sort.CALLER, "a\x00", at, 42),
                     Cursor(Sort.CALLER, "x", at, 0), Cursor(Sort.CALLER, "x", at, 2**40),
                     Cursor(Sort.DURATION, 2**40, at, 1), Cursor(Sort.TIME, "x", at, 1),
                     Cursor(Sort.CALLER, "x", at.replace(tzinfo=None), 1)):
        assert Cursor.read(tampered.token(), tampered.sort) is None, tampered
    for garbage in ("", "%%%", "A" * 401, "bm90IGpzb24", "WzEsIDIsIDNd"):  # not JSON; [1, 2, 3]
        assert Cursor.read(garbage, Sort.TIME) is None
