"""Which tables travel between desks, in which order they are applied, and how a row becomes JSON and back.

Every table whose rows carry an `origin` travels, except the users (their names and password hashes
stay on the desk that made them). Search tables, the balance cache, settings, the audit trail and the
sync bookkeeping are local: the receiver rebuilds what it needs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
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


def decode_row(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to column values; unknown keys are an error (raised as ValueError)."""
    row: dict[str, Any] = {}
    for key, value in data.items():
        column = table.c.get(key)
        if column is None:
            raise ValueError(f"unknown column {table.name}.{key}")
        kind = _python_type(column)
        if value is None:
            row[key] = None
        elif kind is dt.datetime:
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError(f"naive time in {table.name}.{key}")
            row[key] = parsed
        elif kind is dt.date:
            row[key] = dt.date.fromisoformat(value)
        elif kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"not a boolean: {table.name}.{key}")
            row[key] = value
        elif kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"not an integer: {table.name}.{key}")
            row[key] = value
        elif kind is str:
            if not isinstance(value, str):
                raise ValueError(f"not text: {table.name}.{key}")
            row[key] = value
        else:
            row[key] = value
    return row
