"""Pydantic's errors, reworded for the person editing the file: in TOML's words, showing what they wrote."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from typing import get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

# What a key of each type takes, for the errors of strict mode ("25" where an integer belongs).
EXPECTED = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string, in quotes",
    "bool_type": "true or false",
    "date_type": "a date such as 2026-12-24",
    "datetime_type": "a local date-time such as 2026-12-24T18:00:00",
    "tuple_type": "an array",
    "model_type": "a table",
}
# Checked in this order: a bool is an int and a datetime a date to Python, not to TOML.
WRITTEN = (
    (bool, lambda value: str(value).lower()),
    (str, lambda value: f"the string {value!r}"),
    (int, lambda value: f"the integer {value}"),
    (float, lambda value: f"the number {value}"),
    (dt.datetime, lambda value: f"the date-time {value.isoformat()}"),
    (dt.date, lambda value: f"the date {value.isoformat()}"),
    (dt.time, lambda value: f"the time {value.isoformat()}"),
    (tuple, lambda value: "an array"),
    (dict, lambda value: "a table"),
)
BOUNDS = {"greater_than_equal": ("ge", "at least"), "less_than_equal": ("le", "at most"),
          "greater_than": ("gt", "more than"), "less_than": ("lt", "less than")}


def problems(exc: ValidationError, root: type[BaseModel]) -> Iterator[str]:
    """Each error as ``<key>: <problem>``, the key written as the file nests it (``lines[0].timezone``)."""
    for error in exc.errors():
        if _only_its_entries_are_wrong(error):
            continue
        where, problem = _where(error["loc"]), _problem(error, root)
        yield f"{where}: {problem}" if where else problem


def _only_its_entries_are_wrong(error: ErrorDetails) -> bool:
    """Whether an array is "too short" only as pydantic counts its valid entries: the others have their own errors."""
    return error["type"] == "too_short" and len(error["input"]) >= error["ctx"]["min_length"]


def _where(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problem(error: ErrorDetails, root: type[BaseModel]) -> str:
    """The problem in words of the file: its keys, tables and arrays, not pydantic's inputs, fields and tuples."""
    kind, value, ctx = error["type"], error["input"], error.get("ctx", {})
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return _unknown_key(error["loc"], root)
    if kind == "missing":
        return "this key is required"
    if kind in EXPECTED:
        return f"should be {EXPECTED[kind]}, not {_written(value)}"
    if kind in BOUNDS:
        bound, relation = BOUNDS[kind]
        return f"{value} should be {relation} {ctx[bound]:g}"
    if kind == "too_short":
        count = ctx["min_length"]
        return f"should have at least {count} {'entry' if count == 1 else 'entries'}, not {ctx['actual_length']}"
    if kind == "string_too_short" and ctx["min_length"] == 1:
        return "should not be empty"
    return re.sub(r"^(Input|String) should", lambda _: f"{value!r} should", error["msg"])


def _written(value: object) -> str:
    """The value as the file wrote it, named by its TOML type."""
    return next((describe(value) for kind, describe in WRITTEN if isinstance(value, kind)), repr(value))


def _unknown_key(loc: tuple, root: type[BaseModel]) -> str:
    """A misspelt key is told the key it was probably meant to be, or else the table's keys."""
    keys = sorted(_table_at(loc[:-1], root).model_fields)
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
    if close:
        return f"unknown key; did you mean {close[0]!r}?"
    return f"unknown key; the keys of this table are {', '.join(keys)}"


def _table_at(loc: tuple, model: type[BaseModel]) -> type[BaseModel]:
    """The model of the table at `loc` (positions in arrays of tables are skipped)."""
    for part in loc:
        if isinstance(part, str):
            model = _model_in(model.model_fields[part].annotation)
    return model


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The table model a key's type holds: `Line` in ``tuple[Line, ...]``, `HolidaysConfig` as itself."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, get_args(annotation))), None)
