"""Receipts coming back: a signed statement of the peer that it applied our changes up to a sequence.
Only a verified receipt marks our bundles delivered (DESIGN: acknowledgement)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col

from app.clock import utcnow
from app.i18n import _
from app.models.sync import BundleRecord, BundleStatus, ChangeLog, CursorDirection, SyncCursor, SyncPeer
from app.services.context import SYSTEM, Actor
from app.store.engine import Store
from app.sync.bundle import BundleError, parse_receipt, sha256_hex, verify_signature
from app.sync.changelog import APPLYING, local_identity
from app.sync.importer import OWN, Outcome, _log
from app.sync.keys import clear_rotation, load_keys, unb64

RECEIPT = "receipt"


def _field(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BundleError(_("the receipt is damaged ({field})").format(field=key))
    return value


def import_receipt(store: Store, data_dir: Path, raw: bytes, *, actor: Actor = SYSTEM, file_name: str = "") -> Outcome:
    try:
        body, signed, signature = parse_receipt(raw)
        with store.read() as session:
            me, _epoch = local_identity(session.connection())
            if body.get("from") == me:
                return Outcome(RECEIPT, OWN, _("this desk's own receipt, waiting to be carried to the other side"), file_name=file_name)
            if _field(body, "to", str) != me:
                raise BundleError(_("the receipt is for another desk"))
            peer = session.get(SyncPeer, _field(body, "from", str))
            if peer is None or peer.revoked_at is not None:
                raise BundleError(_("the receipt comes from a desk that is not enrolled here"))
            if _field(body, "key_id", str) != peer.key_id:
                raise BundleError(_("the receipt is signed with a key that is not enrolled here"))
            verify_signature(signed, signature, unb64(peer.sign_key, 32))
            epoch, applied = _field(body, "epoch", int), _field(body, "applied_seq", int)
            sha = _field(body, "bundle_sha256", str)
            sent = session.execute(select(col(BundleRecord.id)).where(col(BundleRecord.direction) == "out", col(BundleRecord.sha256) == sha,
                                                                 col(BundleRecord.peer) == peer.device_id)).first()
            if sent is None:
                raise BundleError(_("the receipt is for a bundle this desk did not send"))
            ours = session.execute(select(col(ChangeLog.chain)).where(col(ChangeLog.device) == me, col(ChangeLog.epoch) == epoch,
                                                                 col(ChangeLog.seq) == applied)).scalar_one_or_none()
            if applied and ours != _field(body, "chain", str):
                raise BundleError(_("the receipt says the other side holds different content for our changes"))
    except BundleError as exc:
        _log(store, BundleRecord(direction="in", sha256=sha256_hex(raw), status=BundleStatus.REJECTED, reason=exc.reason[:1000],
                                 file_name=file_name[:255]))
        return Outcome(RECEIPT, BundleStatus.REJECTED, exc.reason, file_name=file_name)
    with store.write() as session:
        session.info[APPLYING] = True
        cursor = session.get(SyncCursor, (peer.device_id, CursorDirection.OUT.value, epoch))
        if cursor is None:
            cursor = SyncCursor(peer=peer.device_id, direction=CursorDirection.OUT.value, epoch=epoch)
        if applied >= cursor.seq:
            cursor.seq, cursor.chain, cursor.updated_at = applied, str(body.get("chain", "")), utcnow()
            cursor.bundle_sha256 = sha
        session.add(cursor)
        session.execute(update(BundleRecord).where(
            col(BundleRecord.direction) == "out", col(BundleRecord.peer) == peer.device_id, col(BundleRecord.epoch) == epoch,
            col(BundleRecord.seq_to) <= applied, col(BundleRecord.status) == BundleStatus.EXPORTED)
            .values(status=BundleStatus.DELIVERED, updated_at=utcnow()))
        session.add(BundleRecord(bundle_id=str(body.get("bundle_id", ""))[:36], direction="in", peer=peer.device_id, epoch=epoch,
                                 seq_to=applied, sha256=sha256_hex(raw), status=RECEIPT,
                                 reason=str(body.get("status", ""))[:100], file_name=file_name[:255]))
    keys = load_keys(data_dir, me)
    if keys.rotation is not None and body.get("sender_key_id") == keys.current.key_id:
        clear_rotation(data_dir, keys)  # the peer now knows our new key: stop announcing it
    return Outcome(RECEIPT, BundleStatus.DELIVERED, "", sender=peer.device_id, sender_name=peer.committee_name,
                   bundle_id=str(body.get("bundle_id", "")), epoch=epoch, seq_to=applied, file_name=file_name)
