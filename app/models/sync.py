"""Sync bookkeeping: the per-device change log, the enrolled peers, the cursors (what was applied from a
peer, what a peer acknowledged of ours) and the log of every bundle and receipt that came or went."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.i18n import N_
from app.models.base import new_id, utc_field


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"  # a tombstone: the row is gone on the origin


class ChangeLog(SQLModel, table=True):
    """One change of one row, written in the same transaction as the change itself.

    `digest` hashes the change (table, row, op, data); `chain` hashes the previous chain value with it,
    so a receiver can tell that sequence N holds the same content it already has (DESIGN: a cloned
    device or a stolen key shows up as the same sequence with different content).
    """

    __tablename__ = "change_log"
    __table_args__ = (UniqueConstraint("device", "epoch", "seq", name="uq_change_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    device: str = Field(max_length=36)
    epoch: int
    seq: int
    table_name: str = Field(max_length=60)
    row_id: str = Field(max_length=36)
    op: str = Field(max_length=10)
    data: str = Field(default="", sa_type=Text)
    audience: str = Field(default="", max_length=36, description="'' for every peer, else the one device it is for")
    digest: str = Field(max_length=64)
    chain: str = Field(max_length=64)
    recorded_at: dt.datetime = utc_field(default_factory=utcnow)


class PeerKind(StrEnum):
    VILLAGE = "village"
    TOWNSHIP = "township"


class SyncPeer(SQLModel, table=True):
    """Another installation this one exchanges bundles with, enrolled from its identity file."""

    __tablename__ = "sync_peer"

    device_id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=10)
    committee_name: str = Field(max_length=100)
    committee_code: str = Field(default="", max_length=10)
    village: str = Field(default="", max_length=60)
    township: str = Field(default="", max_length=60)
    key_id: str = Field(max_length=16)
    sign_key: str = Field(max_length=64, description="Ed25519 public key, base64")
    box_key: str = Field(max_length=64, description="X25519 public key, base64")
    url: str = Field(default="", max_length=300, description="the township receiver's address (village side)")
    enrolled_at: dt.datetime = utc_field(default_factory=utcnow)
    enrolled_by: str = Field(default="", max_length=40)
    revoked_at: dt.datetime | None = utc_field(default=None)
    revoked_reason: str = Field(default="", max_length=500)


class CursorDirection(StrEnum):
    IN = "in"  # the highest sequence of the peer's changes applied here
    OUT = "out"  # the highest sequence of our changes the peer acknowledged


class SyncCursor(SQLModel, table=True):
    __tablename__ = "sync_cursor"

    peer: str = Field(primary_key=True, max_length=36)
    direction: str = Field(primary_key=True, max_length=3)
    epoch: int = Field(primary_key=True)
    seq: int = 0
    chain: str = Field(default="", max_length=64)
    bundle_sha256: str = Field(default="", max_length=64)
    updated_at: dt.datetime = utc_field(default_factory=utcnow)


class BundleStatus(StrEnum):
    EXPORTED = "exported"
    DELIVERED = "delivered"
    IMPORTED = "imported"
    ALREADY = "already"
    HELD = "held"
    REJECTED = "rejected"
    CONFLICT = "conflict"


BUNDLE_STATUS_LABELS = {
    BundleStatus.EXPORTED: N_("Exported, waiting for the receipt"),
    BundleStatus.DELIVERED: N_("Delivered"),
    BundleStatus.IMPORTED: N_("Imported"),
    BundleStatus.ALREADY: N_("Already imported"),
    BundleStatus.HELD: N_("Held: an earlier bundle is missing"),
    BundleStatus.REJECTED: N_("Refused"),  # not "Rejected": that word is the points review's (未通过)
    BundleStatus.CONFLICT: N_("Conflict: same sequence, different content"),
}
# what the importer reports besides a bundle's fate (not stored as a BundleStatus)
OTHER_STATUS_LABELS = {
    "own": N_("Own file: skipped"),  # app.sync.importer.OWN: this desk's own file found on the stick
    "receipt": N_("Receipt received"),
}


class BundleRecord(SQLModel, table=True):
    """Every bundle written or read, and receipts read: what happened to it and why."""

    __tablename__ = "sync_bundle"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    bundle_id: str = Field(default="", max_length=36, index=True)
    direction: str = Field(max_length=3)  # out / in
    peer: str = Field(default="", max_length=36, index=True)
    epoch: int = 0
    seq_from: int = 0
    seq_to: int = 0
    changes: int = 0
    sha256: str = Field(default="", max_length=64, index=True)
    status: str = Field(max_length=12)
    reason: str = Field(default="", max_length=1000)
    file_name: str = Field(default="", max_length=255, description="shown to the user only, never used as a path")
    staged: str = Field(default="", max_length=80, description="name of the held copy in the staging folder")
    created_at: dt.datetime = utc_field(default_factory=utcnow)
    updated_at: dt.datetime = utc_field(default_factory=utcnow)
