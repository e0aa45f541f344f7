"""The installation itself: the committee it serves (village desk) or the township center, and its settings."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import SyncedRecord, utc_field


class DeskMode(StrEnum):
    VILLAGE = "village"
    TOWNSHIP = "township"


class Committee(SyncedRecord, table=True):
    """The people's mediation committee of this desk. Exactly one row on a set-up installation."""

    name: str = Field(max_length=100)  # 庄墩村人民调解委员会
    code: str = Field(max_length=10)  # 甘 — used in case numbers （2026）甘调字第0012号
    seal_text: str = Field(max_length=100)
    village: str = Field(max_length=60)
    township: str = Field(max_length=60)
    mode: str = Field(default=DeskMode.VILLAGE, max_length=10)


class Setting(SQLModel, table=True):
    """Settings of this installation (idle lock minutes, case deadline days, ...), as text."""

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=2000)
    updated_at: dt.datetime = utc_field(default_factory=utcnow)
