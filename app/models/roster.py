"""The village roster: households (户) and the persons in them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import SyncedRecord


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


SEX_LABELS = {Sex.MALE: N_("Male"), Sex.FEMALE: N_("Female")}


class CareFlag(StrEnum):
    """Vulnerable people the grid worker looks after. Not risk factors."""

    LEFT_BEHIND_CHILD = "left_behind_child"
    ELDERLY_ALONE = "elderly_alone"
    DISABLED = "disabled"
    SUBSISTENCE = "subsistence"
    SERIOUS_ILLNESS = "serious_illness"


CARE_FLAG_LABELS = {
    CareFlag.LEFT_BEHIND_CHILD: N_("Left-behind child"),
    CareFlag.ELDERLY_ALONE: N_("Elderly living alone"),
    CareFlag.DISABLED: N_("Person with disability"),
    CareFlag.SUBSISTENCE: N_("Subsistence allowance"),
    CareFlag.SERIOUS_ILLNESS: N_("Serious illness"),
}


class Household(SyncedRecord, table=True):
    __table_args__ = (UniqueConstraint("origin", "number", name="uq_household_origin_number"),)

    number: str = Field(max_length=30, index=True)  # 户号
    address: str = Field(default="", max_length=200)
    group_id: str | None = Field(default=None, foreign_key="grid_cell.id", index=True, max_length=36)
    micro_grid_id: str | None = Field(default=None, foreign_key="grid_cell.id", index=True, max_length=36)
    head_person_id: str | None = Field(default=None, max_length=36)
    note: str = Field(default="", max_length=1000)
    retired: bool = Field(default=False, description="moved away or merged; kept for history")


class Person(SyncedRecord, table=True):
    household_id: str | None = Field(default=None, foreign_key="household.id", index=True, max_length=36)
    name: str = Field(max_length=50, index=True)
    sex: str = Field(default="", max_length=10)
    ethnicity: str = Field(default="汉族", max_length=20)
    birth_date: dt.date | None = None
    id_number: str | None = Field(default=None, max_length=18, index=True)
    mobile: str = Field(default="", max_length=11, index=True)
    relation_to_head: str = Field(default="", max_length=20)
    care_flags: str = Field(default="", max_length=200, description="comma-separated CareFlag values")
    occupation: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=1000)
    retired: bool = Field(default=False)


class HouseholdSearch(SQLModel, table=True):
    """One line of searchable text per household: its 户号, address, members' names, pinyin, initials, phones.

    Kept by the roster service on every write; mirrored into the FTS5 trigram table `household_fts`
    (made by the migration) for queries of three or more characters.
    """

    __tablename__ = "household_search"

    rowid: int | None = Field(default=None, primary_key=True)
    household_id: str = Field(foreign_key="household.id", unique=True, max_length=36)
    text: str = Field(max_length=4000)
