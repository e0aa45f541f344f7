"""Which tables travel between desks, in which order they are applied, and how a row becomes JSON and back.

Every table whose rows carry an `origin` travels, except the users (their names and password hashes
stay on the desk that made them). Search tables, the balance cache, settings, the audit trail and the
sync bookkeeping are local: the receiver rebuilds what it needs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Table, TypeDecorator
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)

LOCAL_ONLY = frozenset({"desk_user"})


@functools.cache
def synced_tables() -> tuple[Table, ...]:
    """The synced tables in foreign-key order (parents first)."""
    return tuple(t for t in SQLModel.metadata.sorted_tables if "origin" in t.c and t.name not in LOCAL_ONLY)


@functools.cache
def table_order() -> dict[str, int]:
    return {t.name: i for i, t in enumerate(synced_tables())}


def synced_table(name: str) -> Table | None:
    index = table_order().get(name)
    return None if index is None else synced_tables()[index]


@functools.cache
def self_references(table_name: str) -> tuple[str, ...]:
    """Columns of a table that point at the same table (grid_cell.parent_id, points_entry.reverses_id...)."""
    table = synced_table(table_name)
    if table is None:
        return ()
    return tuple(fk.parent.name for fk in table.foreign_keys if fk.column.table is table)


@functools.cache
def referring_columns(table_name: str) -> tuple[tuple[str, str], ...]:
    """(table, column) of every table of the database, synced or local, whose column points at this one."""
    return tuple((t.name, fk.parent.name) for t in SQLModel.metadata.sorted_tables for fk in t.foreign_keys
                 if fk.column.table.name == table_name)


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(row: dict[str, Any]) -> str:
    """Canonical JSON of a row: sorted keys, no spaces, so equal rows give equal bytes and digests."""
    return json.dumps(row, default=_json_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _python_type(column: Column[Any]) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


@functools.cache
def column_kinds(table_name: str) -> dict[str, type | None]:
    table = synced_table(table_name)
    assert table is not None
    return {c.name: _python_type(c) for c in table.c}


def _check(table: str, key: str, kind: type | None, value: Any) -> None:
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in (str, dt.datetime, dt.date):
        ok = isinstance(value, str)
    else:
        ok = True
    if not ok:
        raise ValueError(f"wrong type of {table}.{key}")


def decode_row(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to column values; an unknown key or a wrong type is a ValueError."""
    kinds = column_kinds(table.name)
    row: dict[str, Any] = {}
    for key, value in data.items():
        if key not in kinds:
            raise ValueError(f"unknown column {table.name}.{key}")
        if value is None:
            row[key] = None
            continue
        kind = kinds[key]
        _check(table.name, key, kind, value)
        if kind is dt.datetime:
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError(f"naive time in {table.name}.{key}")
            row[key] = parsed
        elif kind is dt.date:
            row[key] = dt.date.fromisoformat(value)
        else:
            row[key] = value
    return row


def _utc_text(value: Any) -> str:
    """ISO time with offset → SQLAlchemy's SQLite DATETIME text in UTC ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    if not isinstance(value, str):
        raise ValueError("time is not text")
    if len(value) == 32 and value.endswith("+00:00") and value[10] == "T":  # what `dumps` writes: no parsing needed
        dt.datetime.fromisoformat(value)  # still validated
        return f"{value[:10]} {value[11:26]}"
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive time")
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _date_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("date is not text")
    return dt.date.fromisoformat(value).isoformat()


def _bool_int(value: Any) -> int:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return int(value)


def _any(value: Any) -> Any:
    return value


_SQLITE_CONVERTERS: dict[type | None, Callable[[Any], Any]] = {
    dt.datetime: _utc_text, dt.date: _date_text, bool: _bool_int}


_Conversions = tuple[tuple[int, Callable[[Any], Any]], ...]


@functools.cache
def _sqlite_plan(table_name: str, keys: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...], _Conversions]:
    """For a key order: the positions holding text, those holding integers, and those to convert."""
    kinds = column_kinds(table_name)
    unknown = [k for k in keys if k not in kinds]
    if unknown:
        raise ValueError(f"unknown column {table_name}.{unknown[0]}")
    texts = tuple(i for i, k in enumerate(keys) if kinds[k] is str)
    ints = tuple(i for i, k in enumerate(keys) if kinds[k] is int)
    other = tuple((i, _SQLITE_CONVERTERS.get(kinds[k], _any)) for i, k in enumerate(keys) if kinds[k] not in (str, int))
    return texts, ints, other


def sqlite_values(table_name: str, keys: tuple[str, ...], data: dict[str, Any]) -> tuple[Any, ...]:
    """The row as SQLite stores it through SQLAlchemy (UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff', dates as
    ISO text, booleans as 0/1), checked like `decode_row`: the importer's fast path on SQLite."""
    texts, ints, other = _sqlite_plan(table_name, keys)
    values = [data[k] for k in keys]
    for i in texts:
        if type(values[i]) is not str and values[i] is not None:
            raise ValueError(f"{table_name}: not text")
    for i in ints:
        if type(values[i]) is not int and values[i] is not None:
            raise ValueError(f"{table_name}: not an integer")
    try:
        for i, convert in other:
            if values[i] is not None:
                values[i] = convert(values[i])
    except ValueError as exc:
        raise ValueError(f"{table_name}: {exc}") from exc
    return tuple(values)
