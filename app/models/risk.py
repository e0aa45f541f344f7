"""Quarterly household risk ratings (排查评估): the factor catalog, rounds, the three-level assessments
(villager group → village committee → town work team), responsible cadres (包保责任人) and their visits."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from app.i18n import N_
from app.models.base import SyncedRecord, utc_field


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


LEVEL_LABELS = {RiskLevel.LOW: N_("Low"), RiskLevel.MEDIUM: N_("Medium"), RiskLevel.HIGH: N_("High")}
LEVEL_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class Stage(IntEnum):
    GROUP = 1  # assessed by the villager group
    VILLAGE = 2  # confirmed by the village committee
    TOWN = 3  # reviewed by the town work team


STAGE_LABELS = {Stage.GROUP: N_("Assessed by the villager group"), Stage.VILLAGE: N_("Confirmed by the village committee"),
                Stage.TOWN: N_("Reviewed by the town work team")}


class RiskFactor(SyncedRecord, table=True):
    __tablename__ = "risk_factor"
    __table_args__ = (UniqueConstraint("origin", "code", name="uq_risk_factor_origin_code"),)

    code: str = Field(max_length=30)
    name: str = Field(max_length=60)
    weight: int
    sensitive: bool = Field(default=False)
    automatic: str = Field(default="", max_length=20, description="'open_case': ticked from the household's open cases")
    position: int = Field(default=0)
    active: bool = Field(default=True)


class RiskRound(SyncedRecord, table=True):
    __tablename__ = "risk_round"
    __table_args__ = (UniqueConstraint("origin", "quarter", name="uq_risk_round_quarter"),)

    quarter: str = Field(max_length=6, index=True)  # 2026Q4
    opened_on: dt.date
    closed_on: dt.date | None = None
    closed_by: str = Field(default="", max_length=40)
    close_reason: str = Field(default="", max_length=1000, description="why households were left unassessed")


class RiskAssessment(SyncedRecord, table=True):
    """One level's rating of one household in a round. Never changed: the next level adds its own row."""

    __tablename__ = "risk_assessment"
    __table_args__ = (
        UniqueConstraint("round_id", "household_id", "stage", name="uq_risk_assessment_stage"),
        Index("ix_risk_assessment_round_household", "round_id", "household_id", "stage"),
    )

    round_id: str = Field(foreign_key="risk_round.id", max_length=36)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    stage: int
    factors: str = Field(default="", max_length=1000, description="comma-separated factor codes")
    suggested_level: str = Field(max_length=10)
    level: str = Field(max_length=10, index=True)
    reason: str = Field(default="", max_length=1000, description="why the level differs from the suggestion or the level below")
    note: str = Field(default="", max_length=2000)
    assessed_by: str = Field(max_length=50)
    assessed_at: dt.datetime = utc_field()


class CadreAssignment(SyncedRecord, table=True):
    """The cadre responsible for a household (包保责任人) from a date, with the stability measures. A new
    assignment replaces the previous one; the old row stays as history."""

    __tablename__ = "cadre_assignment"

    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    cadre_name: str = Field(max_length=50)
    cadre_user_id: str | None = Field(default=None, max_length=36, index=True)
    cadre_phone: str = Field(default="", max_length=11)
    measures: str = Field(default="", max_length=2000)
    assigned_on: dt.date
    assigned_by: str = Field(default="", max_length=40)


class RiskVisit(SyncedRecord, table=True):
    __tablename__ = "risk_visit"

    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    visited_on: dt.date = Field(index=True)
    visitor: str = Field(max_length=50)
    findings: str = Field(default="", max_length=2000)
    measures_taken: str = Field(default="", max_length=2000)
    recorded_by: str = Field(default="", max_length=40)
