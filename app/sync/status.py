"""Where sync stands: this desk's identity, and for each enrolled desk what is pending, what was last
exported, received and acknowledged, what is held and why. Read by `sync status`, the status bar, the
Sync section, the home page and the township's villages list."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.i18n import _, format_datetime, ngettext
from app.models.sync import BundleRecord, BundleStatus, ChangeLog, CursorDirection, SyncCursor
from app.sync.changelog import local_identity
from app.sync.export import audiences
from app.sync.identity import kind_label, own_identity, peers


@dataclass
class PeerStatus:
    device_id: str
    name: str
    code: str
    kind: str
    revoked: bool
    revoked_reason: str
    url: str
    pending: int  # our changes it has not acknowledged
    last_export: dt.datetime | None
    last_receipt: dt.datetime | None
    last_import: dt.datetime | None  # last bundle of theirs applied here
    applied_seq: int  # their changes applied here (current epoch we know of)
    held: int
    missing: str  # e.g. "120–180" when a gap holds bundles
    rejected: int
    last_problem: str


@dataclass
class SyncSummary:
    device_id: str
    kind: str
    name: str
    fingerprint: str
    epoch: int
    last_seq: int
    peers: list[PeerStatus] = field(default_factory=list)

    @property
    def last_sync(self) -> dt.datetime | None:
        times = [t for p in self.peers for t in (p.last_receipt, p.last_import) if t is not None]
        return max(times) if times else None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_sync"] = self.last_sync
        return data


def _latest(session: Session, peer: str, direction: str, statuses: tuple[str, ...]) -> dt.datetime | None:
    return session.execute(
        select(func.max(col(BundleRecord.created_at))).where(
            col(BundleRecord.peer) == peer, col(BundleRecord.direction) == direction, col(BundleRecord.status).in_(statuses)
        )
    ).scalar_one()


def summary(session: Session, data_dir: Path) -> SyncSummary:
    me = own_identity(session, data_dir)
    device, epoch = local_identity(session.connection())
    last_seq = (
        session.execute(
            select(func.max(col(ChangeLog.seq))).where(col(ChangeLog.device) == device, col(ChangeLog.epoch) == epoch)
        ).scalar_one()
        or 0
    )
    result = SyncSummary(device, me.kind, me.committee_name, me.fingerprint, epoch, int(last_seq))
    for peer in peers(session):
        out = session.get(SyncCursor, (peer.device_id, CursorDirection.OUT.value, epoch))
        acked = out.seq if out else 0
        pending = session.execute(
            select(func.count())
            .select_from(ChangeLog)
            .where(
                col(ChangeLog.device) == device,
                col(ChangeLog.epoch) == epoch,
                col(ChangeLog.seq) > acked,
                col(ChangeLog.audience).in_(audiences(peer.device_id, me.kind)),
            )
        ).scalar_one()
        cursor_in = (
            session.execute(
                select(SyncCursor)
                .where(col(SyncCursor.peer) == peer.device_id, col(SyncCursor.direction) == CursorDirection.IN.value)
                .order_by(col(SyncCursor.epoch).desc())
            )
            .scalars()
            .first()
        )
        held = list(
            session.execute(
                select(BundleRecord)
                .where(col(BundleRecord.peer) == peer.device_id, col(BundleRecord.status) == BundleStatus.HELD)
                .order_by(col(BundleRecord.seq_from))
            ).scalars()
        )
        applied = cursor_in.seq if cursor_in else 0
        missing = f"{applied + 1}–{held[0].seq_from - 1}" if held else ""
        rejected = session.execute(
            select(func.count())
            .select_from(BundleRecord)
            .where(col(BundleRecord.peer) == peer.device_id, col(BundleRecord.status).in_((BundleStatus.REJECTED, BundleStatus.CONFLICT)))
        ).scalar_one()
        problem = (
            session.execute(
                select(col(BundleRecord.reason))
                .where(
                    col(BundleRecord.peer) == peer.device_id, col(BundleRecord.status).in_((BundleStatus.REJECTED, BundleStatus.CONFLICT))
                )
                .order_by(col(BundleRecord.created_at).desc())
                .limit(1)
            ).scalar_one_or_none()
            or ""
        )
        result.peers.append(
            PeerStatus(
                peer.device_id,
                peer.committee_name,
                peer.committee_code,
                peer.kind,
                peer.revoked_at is not None,
                peer.revoked_reason,
                peer.url,
                int(pending),
                _latest(session, peer.device_id, "out", (BundleStatus.EXPORTED, BundleStatus.DELIVERED)),
                _latest(session, peer.device_id, "in", ("receipt",)),
                _latest(session, peer.device_id, "in", (BundleStatus.IMPORTED,)),
                applied,
                len(held),
                missing,
                int(rejected),
                problem,
            )
        )
    return result


def _when(value: dt.datetime | None) -> str:
    return format_datetime(value) if value else _("never")


def lines(s: SyncSummary) -> list[str]:
    out = [
        _("{name} ({kind}): {n} changes made here (sync period {epoch})").format(
            name=s.name, kind=_(kind_label(s.kind)), n=s.last_seq, epoch=s.epoch
        )
    ]
    if not s.peers:
        out.append(_("No desk enrolled yet."))
    for p in s.peers:
        out.append(
            _("{name} ({kind}){revoked}").format(name=p.name, kind=_(kind_label(p.kind)), revoked=_(" — revoked") if p.revoked else "")
        )
        out.append(
            _("  not yet acknowledged: {n}; last export: {export}; last receipt: {receipt}").format(
                n=p.pending, export=_when(p.last_export), receipt=_when(p.last_receipt)
            )
        )
        out.append(_("  their changes applied here: {n}; last import: {when}").format(n=p.applied_seq, when=_when(p.last_import)))
        if p.held:
            out.append(ngettext("  {n} bundle held: changes {missing} are missing", "  {n} bundles held: changes {missing} are missing",
                                p.held).format(n=p.held, missing=p.missing))
        if p.rejected:
            out.append(ngettext("  {n} file refused; last reason: {reason}", "  {n} files refused; last reason: {reason}",
                                p.rejected).format(n=p.rejected, reason=p.last_problem))
    return out
