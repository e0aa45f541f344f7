"""Shared column types and the fields every record that travels between machines carries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import uuid6
from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from app.clock import utcnow


def new_id() -> str:
    """Time-ordered UUID (v7): rows travel between machines, so keys are never small integers."""
    return str(uuid6.uuid7())


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC, always hands back an aware datetime (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utc_field(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class SyncedRecord(SQLModel):
    """Fields of every row that may travel to the township: its key, its origin device, its times."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    origin: str = Field(default="", max_length=36, description="device that created the row; only it edits")
    created_at: dt.datetime = utc_field(default_factory=utcnow)
    updated_at: dt.datetime = utc_field(default_factory=utcnow)
