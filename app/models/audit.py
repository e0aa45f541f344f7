"""The audit trail: append-only, each event chained to the one before it by a SHA-256 hash."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import utc_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    seq: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = utc_field(default_factory=utcnow, index=True)
    user_id: str | None = Field(default=None, max_length=36)
    username: str = Field(default="", max_length=40, index=True)
    action: str = Field(max_length=40, index=True)  # create / update / delete / login / ...
    table_name: str = Field(default="", max_length=40, index=True)
    record_id: str = Field(default="", max_length=36, index=True)
    summary: str = Field(default="", max_length=200, description="how a person names the record")
    changes: str = Field(default="{}", description="JSON: field -> [before, after]")
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
