"""Village-rule points (村规民约积分制): rule versions and items, the append-only household ledger with its
reviews and objections, the points shop (goods, stock-ins, redemptions) and the public notices."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import SyncedRecord, utc_field


class EntryKind(StrEnum):
    RULE = "rule"  # by a rule item of the catalog
    FREE = "free"  # a free-text reason; always reviewed by a second person
    REVERSAL = "reversal"  # cancels one earlier entry
    REDEMPTION = "redemption"  # points spent at the shop


ENTRY_KIND_LABELS = {
    EntryKind.RULE: N_("Rule"),
    EntryKind.FREE: N_("Other reason"),
    EntryKind.REVERSAL: N_("Correction"),
    EntryKind.REDEMPTION: N_("Redemption"),
}


class RuleVersion(SyncedRecord, table=True):
    """One version of the village rules, as adopted by the villagers' (representative) assembly."""

    __tablename__ = "rule_version"

    name: str = Field(max_length=100)
    adopted_on: dt.date
    adopted_by: str = Field(default="", max_length=100)
    active: bool = Field(default=False, index=True)
    note: str = Field(default="", max_length=1000)


class RuleItem(SyncedRecord, table=True):
    __tablename__ = "rule_item"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_rule_item_code"),)

    version_id: str = Field(foreign_key="rule_version.id", index=True, max_length=36)
    code: str = Field(max_length=20)
    category: str = Field(max_length=30)
    wording: str = Field(max_length=300)
    points: int  # per occurrence, + for good conduct, − for a breach
    cap: int | None = Field(default=None, description="most points a household can get from this item per cap period")
    cap_period: str = Field(default="year", max_length=10)  # month / quarter / year
    needs_review: bool = Field(default=False)
    position: int = Field(default=0)


class PointsEntry(SyncedRecord, table=True):
    """One line of a household's points account. Never updated or deleted: a correction is a reversal."""

    __tablename__ = "points_entry"
    __table_args__ = (
        # covering indexes: a balance reads (household, points); a ranking reads (date, household, points)
        Index("ix_points_entry_balance", "household_id", "points"),
        Index("ix_points_entry_period", "occurred_on", "household_id", "points", "kind", "needs_review", "id"),
    )

    household_id: str = Field(foreign_key="household.id", max_length=36)
    kind: str = Field(max_length=12)
    rule_item_id: str | None = Field(default=None, foreign_key="rule_item.id", max_length=36)
    rule_code: str = Field(default="", max_length=20)
    reason: str = Field(max_length=300)  # the rule's wording at the time, or the free text
    points: int
    occurred_on: dt.date
    note: str = Field(default="", max_length=1000)
    photo_sha256: str = Field(default="", max_length=64)
    recorded_by: str = Field(default="", max_length=40)
    needs_review: bool = Field(default=False)
    reverses_id: str | None = Field(default=None, foreign_key="points_entry.id", unique=True, max_length=36)
    batch_id: str | None = Field(default=None, max_length=36, index=True)


class PointsReview(SyncedRecord, table=True):
    """The second person's decision on an entry that needs review."""

    __tablename__ = "points_review"

    entry_id: str = Field(foreign_key="points_entry.id", unique=True, max_length=36)
    approved: bool
    reviewed_by: str = Field(max_length=40)
    reviewed_at: dt.datetime = utc_field()
    note: str = Field(default="", max_length=500)


class PointsNotice(SyncedRecord, table=True):
    """A public notice (积分公示) of a period for the village or a villager group, and its objection window."""

    __tablename__ = "points_notice"

    period: str = Field(max_length=30)
    group_id: str | None = Field(default=None, foreign_key="grid_cell.id", max_length=36)
    posted_on: dt.date
    objections_until: dt.date
    where_to_object: str = Field(default="", max_length=200)


class PointsObjection(SyncedRecord, table=True):
    __tablename__ = "points_objection"

    entry_id: str = Field(foreign_key="points_entry.id", index=True, max_length=36)
    notice_id: str | None = Field(default=None, foreign_key="points_notice.id", max_length=36)
    raised_by: str = Field(max_length=50)
    raised_on: dt.date
    content: str = Field(max_length=2000)
    decision: str = Field(default="", max_length=10)  # "" pending / upheld / dismissed
    decided_on: dt.date | None = None
    decided_by: str = Field(default="", max_length=40)
    decision_note: str = Field(default="", max_length=1000)
    reversal_id: str | None = Field(default=None, foreign_key="points_entry.id", max_length=36)


class ShopItem(SyncedRecord, table=True):
    __tablename__ = "shop_item"
    __table_args__ = (UniqueConstraint("origin", "name", name="uq_shop_item_origin_name"),)

    name: str = Field(max_length=60)
    unit: str = Field(default="件", max_length=10)
    price: int  # points
    stock: int = Field(default=0)
    active: bool = Field(default=True)


class StockIn(SyncedRecord, table=True):
    __tablename__ = "stock_in"

    item_id: str = Field(foreign_key="shop_item.id", index=True, max_length=36)
    quantity: int
    received_on: dt.date
    note: str = Field(default="", max_length=300)
    recorded_by: str = Field(default="", max_length=40)


class Redemption(SyncedRecord, table=True):
    __tablename__ = "redemption"

    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    item_id: str = Field(foreign_key="shop_item.id", index=True, max_length=36)
    quantity: int
    points: int  # total spent
    redeemed_on: dt.date
    entry_id: str = Field(foreign_key="points_entry.id", max_length=36)
    recorded_by: str = Field(default="", max_length=40)
    receipt_no: int = Field(index=True)


class PointsBalance(SQLModel, table=True):
    """A household's balance and accumulated points, kept by the points services in the same transaction as
    every entry, review and redemption (a cache of the ledger's sums: `check` compares the two)."""

    __tablename__ = "points_balance"

    household_id: str = Field(foreign_key="household.id", primary_key=True, max_length=36)
    balance: int = Field(default=0)
    accumulated: int = Field(default=0)
