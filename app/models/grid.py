"""The grid tree: village (level 2) → villager groups (level 3) → micro-grids of 10–20 households (level 4)."""

from __future__ import annotations

from enum import IntEnum

from sqlmodel import Field

from app.models.base import SyncedRecord


class GridLevel(IntEnum):
    VILLAGE = 2
    GROUP = 3
    MICRO = 4


class GridCell(SyncedRecord, table=True):
    __tablename__ = "grid_cell"

    parent_id: str | None = Field(default=None, foreign_key="grid_cell.id", index=True, max_length=36)
    level: int = Field(index=True)
    name: str = Field(max_length=60)
    position: int = Field(default=0, description="order among siblings")
    leader_person_id: str | None = Field(default=None, max_length=36)
    leader_phone: str = Field(default="", max_length=20)
    retired: bool = Field(default=False)
