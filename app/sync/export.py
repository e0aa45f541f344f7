"""Export: this desk's changes after what the peer acknowledged (or all of them) as one bundle for that
peer, written to a folder (a USB stick, a shared drive) or handed to the HTTP pusher.

A village sends everything it made. A township sends each village only the rows meant for it (its
decisions on that village's cases); the other changes of the township travel as their digests alone,
so the village can still follow the township's hash chain without seeing other villages' business.
"""

from __future__ import annotations

import errno
import json
import re
from dataclasses import dataclass
from pathlib import Path

from nacl.public import PublicKey
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import NotFound, StoreError, ValidationError
from app.files import write_atomic
from app.i18n import _
from app.models.base import new_id
from app.models.sync import BundleRecord, BundleStatus, ChangeLog, ChangeOp, CursorDirection, PeerKind, SyncCursor, SyncPeer
from app.models.township import EVERY_VILLAGE
from app.services import audit
from app.services.case_flow import attachment_path
from app.services.context import Actor, require
from app.store.migrate import HEAD_REVISION
from app.sync.bundle import FORMAT, build_bundle, change_line, sha256_hex
from app.sync.changelog import local_identity
from app.sync.identity import own_identity, own_keys, peers
from app.sync.keys import unb64

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
BUNDLE_SUFFIX = ".mdbundle"


@dataclass(frozen=True)
class Built:
    data: bytes
    bundle_id: str
    peer: str
    epoch: int
    seq_from: int
    seq_to: int
    changes: int
    sha256: str
    file_name: str


def audiences(peer: str, my_kind: str) -> tuple[str, ...]:
    """The change-log audiences a peer receives in full. A village sends its township all its own changes
    (audience ''); a township sends a village what is addressed to it and what is meant for every village."""
    return ("", peer) if my_kind == PeerKind.VILLAGE else (peer, EVERY_VILLAGE)


def out_cursor(session: Session, peer: str, epoch: int) -> SyncCursor | None:
    return session.get(SyncCursor, (peer, CursorDirection.OUT.value, epoch))


def pending_count(session: Session, peer: str) -> int:
    """How many of this desk's changes the peer has not acknowledged yet."""
    from sqlalchemy import func

    conn = session.connection()
    device, epoch = local_identity(conn)
    cursor = out_cursor(session, peer, epoch)
    after = cursor.seq if cursor else 0
    return int(session.execute(select(func.count()).select_from(ChangeLog).where(
        col(ChangeLog.device) == device, col(ChangeLog.epoch) == epoch, col(ChangeLog.seq) > after)).scalar_one())


def build_for(session: Session, data_dir: Path, peer: SyncPeer, *, everything: bool = False, after: int | None = None) -> Built | None:
    """The bundle of our changes for `peer`, or None when there is nothing to send."""
    me = own_identity(session, data_dir)
    keys = own_keys(session, data_dir)
    device, epoch = local_identity(session.connection())
    cursor = out_cursor(session, peer.device_id, epoch)
    start = 0 if everything else after if after is not None else cursor.seq if cursor else 0
    rows = session.execute(select(col(ChangeLog.seq), col(ChangeLog.table_name), col(ChangeLog.row_id), col(ChangeLog.op),  # type: ignore[call-overload]
                                  col(ChangeLog.data), col(ChangeLog.audience), col(ChangeLog.digest), col(ChangeLog.chain))
                           .where(col(ChangeLog.device) == device, col(ChangeLog.epoch) == epoch, col(ChangeLog.seq) > start)
                           .order_by(col(ChangeLog.seq))).all()
    if not rows:
        return None
    chain_from = ""
    if start > 0:
        chain_from = session.execute(select(col(ChangeLog.chain)).where(
            col(ChangeLog.device) == device, col(ChangeLog.epoch) == epoch, col(ChangeLog.seq) == start)).scalar_one_or_none() or ""
    bundle_id = new_id()
    seq_from, seq_to = rows[0][0], rows[-1][0]
    header = {"bundle_id": bundle_id, "sender": device, "epoch": epoch, "seq_from": seq_from, "seq_to": seq_to}
    lines = [json.dumps(header, separators=(",", ":")).encode()]
    counts: dict[str, int] = {}
    blobs: set[str] = set()
    sent = 0
    wanted = audiences(peer.device_id, me.kind)
    for seq, table, row_id, op, data, audience, digest, _chain in rows:
        if audience not in wanted:
            lines.append(json.dumps({"s": seq, "h": digest}, separators=(",", ":")).encode())
            continue
        lines.append(change_line({"s": seq, "t": table, "i": row_id, "o": op}, data))
        counts[table] = counts.get(table, 0) + 1
        sent += 1
        if table == "attachment" and op == ChangeOp.UPSERT:
            sha = json.loads(data).get("sha256", "")
            if SHA_RE.match(sha):
                blobs.add(sha)
    for sha in sorted(blobs):
        path = attachment_path(data_dir, sha)
        if path.exists():
            content = path.read_bytes()
            if sha256_hex(content) == sha:
                import base64

                lines.append(json.dumps({"blob": sha, "b64": base64.b64encode(content).decode()}).encode())
    manifest = {
        "format": FORMAT, "kind": "changes", "bundle_id": bundle_id, "sender": device, "sender_kind": me.kind,
        "sender_name": me.committee_name, "key_id": keys.current.key_id, "recipient": peer.device_id,
        "recipient_key_id": peer.key_id, "epoch": epoch, "seq_from": seq_from, "seq_to": seq_to,
        "chain_from": chain_from, "chain_to": rows[-1][7], "prev_bundle": cursor.bundle_sha256 if cursor else "",
        "schema": HEAD_REVISION, "created_at": utcnow().isoformat(), "counts": counts, "changes": sent,
        "blobs": len(blobs),
    }
    if keys.rotation is not None:
        manifest["rotation"] = keys.rotation
    data = build_bundle(manifest, lines, keys.current.signing, keys.current.box, PublicKey(unb64(peer.box_key, 32)))
    name = f"md-{device[-8:]}-to-{peer.device_id[-8:]}-e{epoch}-{seq_from:08d}-{seq_to:08d}{BUNDLE_SUFFIX}"
    return Built(data, bundle_id, peer.device_id, epoch, seq_from, seq_to, sent, sha256_hex(data), name)


def record_export(session: Session, built: Built, file_name: str) -> None:
    session.add(BundleRecord(bundle_id=built.bundle_id, direction="out", peer=built.peer, epoch=built.epoch,
                             seq_from=built.seq_from, seq_to=built.seq_to, changes=built.changes, sha256=built.sha256,
                             status=BundleStatus.EXPORTED, file_name=file_name[:255]))


def export_peers(session: Session, ref: str | None) -> list[SyncPeer]:
    """Who an export is for: the village's township, or on a township the named village (or every village)."""
    live = [p for p in peers(session) if p.revoked_at is None]
    if ref:
        from app.sync.identity import find_peer

        peer = find_peer(session, ref)
        if peer.revoked_at is not None:
            raise ValidationError("peer", _("{name} is revoked; nothing is sent to it.").format(name=peer.committee_name))
        return [peer]
    if not live:
        raise NotFound(_("No desk is enrolled yet: enroll the township center (or, at the township, the villages) first."))
    return live


def export_to_folder(session: Session, actor: Actor, data_dir: Path, folder: Path, *, peer_ref: str | None = None,
                     everything: bool = False) -> list[tuple[Built, Path]]:
    """Write one bundle per peer that has something to receive into `folder`. Returns what was written."""
    require(actor, "sync.run")
    if not folder.is_dir():
        raise ValidationError("to", _("Folder: {path} does not exist or is not a folder.").format(path=folder))
    written: list[tuple[Built, Path]] = []
    for peer in export_peers(session, peer_ref):
        built = build_for(session, data_dir, peer, everything=everything)
        if built is None:
            continue
        target = folder / built.file_name
        try:
            write_atomic(target, built.data)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StoreError(_("{path} is full: the bundle was not written. Free some space on it and export again.").format(
                    path=folder)) from exc
            raise StoreError(_("The bundle could not be written to {path}: {error}").format(
                path=folder, error=exc.strerror or exc)) from exc
        record_export(session, built, target.name)
        audit.record(session, actor, "sync.export", table="sync_bundle", record_id=built.bundle_id,
                     summary=f"{peer.committee_name} e{built.epoch} {built.seq_from}-{built.seq_to} ({built.changes})")
        written.append((built, target))
    return written
