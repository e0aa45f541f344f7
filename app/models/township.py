"""Rows the township center publishes to every village it has enrolled: reference catalogs of the village
rules for points (a model the villages' assemblies may adopt) and notices of revoked desks. They are the
township's own rows (DESIGN: the township never edits a village's row) and travel in every return bundle."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Text
from sqlmodel import Field

from app.models.base import SyncedRecord, utc_field

EVERY_VILLAGE = "*"  # the change-log audience of a row meant for every enrolled village


class CatalogRelease(SyncedRecord, table=True):
    """A points catalog the township recommends (乡镇村规民约积分参考目录). Never edited once published:
    a new release replaces it, and `withdrawn` hides it from the villages."""

    __tablename__ = "catalog_release"

    name: str = Field(max_length=100)
    issued_on: dt.date
    issued_by: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=1000)
    items: str = Field(sa_type=Text, description="JSON list of the rule items (code, category, wording, points, cap...)")
    item_count: int = Field(default=0)
    withdrawn: bool = Field(default=False)
    audience: str = Field(default=EVERY_VILLAGE, max_length=36)


class RevocationNotice(SyncedRecord, table=True):
    """The township revoked a desk's key (a lost or replaced laptop): every village hears of it."""

    __tablename__ = "revocation_notice"

    device_id: str = Field(max_length=36, index=True)
    committee_name: str = Field(max_length=100)
    committee_code: str = Field(default="", max_length=10)
    revoked_at: dt.datetime = utc_field()
    reason: str = Field(default="", max_length=500)
    audience: str = Field(default=EVERY_VILLAGE, max_length=36)
