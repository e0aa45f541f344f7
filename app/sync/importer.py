"""Import of bundles and receipts, in the order DESIGN.md gives and before anything touches the database:
size limits, parse, sender enrolled and not revoked, signature, payload hash, decryption (the header
inside compared with the manifest), every change's digest and the hash chain, sequence continuity.
Then all changes, the sender's high-water mark and the bundle log in one transaction, and a signed
receipt for the sender.

The same bundle twice is "already imported"; the same sequence with different content is a conflict
(a cloned device or a stolen key); a gap holds the bundle in local staging until the missing one
arrives; anything else wrong is rejected with its reason, and nothing but the bundle log changes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from nacl.public import PublicKey
from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from app.clock import utcnow
from app.files import write_atomic
from app.i18n import _
from app.models.base import new_id
from app.models.sync import BundleRecord, BundleStatus, ChangeOp, CursorDirection, SyncCursor, SyncPeer
from app.services import audit
from app.services.case_flow import attachment_path
from app.services.context import SYSTEM, Actor
from app.store.engine import Store
from app.store.migrate import HEAD_REVISION
from app.sync.bundle import (
    MAX_BUNDLE_BYTES,
    BundleError,
    ParsedBundle,
    build_receipt,
    check_payload,
    decrypt_payload,
    iter_lines,
    kind_of,
    parse_bundle,
    sha256_hex,
    verify_signature,
)
from app.sync.changelog import APPLYING, chain_of, digest_of, local_identity, topological
from app.sync.keys import Keys, b64, load_keys, unb64, verify_rotation
from app.sync.tables import decode_row, referring_columns, self_references, sqlite_values, synced_table, table_order

HEX64 = re.compile(r"^[0-9a-f]{64}$")
STAGING = Path("sync") / "staging"
HELD = Path("sync") / "held"
OWN = "own"  # a bundle this desk wrote, found in the folder being imported: skipped, not an error


@dataclass
class Outcome:
    """What became of one file: shown per file by the CLI and the GUI, returned by the HTTP receiver."""

    kind: str  # bundle / receipt
    status: str
    reason: str = ""
    sender: str = ""
    sender_name: str = ""
    bundle_id: str = ""
    epoch: int = 0
    seq_from: int = 0
    seq_to: int = 0
    applied: int = 0
    receipt: bytes | None = None
    file_name: str = ""
    released: list[Outcome] = field(default_factory=list)  # held bundles this one let through

    @property
    def ok(self) -> bool:
        return self.status not in (BundleStatus.REJECTED, BundleStatus.CONFLICT)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "kind": self.kind,
            "status": self.status,
            "reason": self.reason,
            "sender": self.sender,
            "sender_name": self.sender_name,
            "bundle_id": self.bundle_id,
            "epoch": self.epoch,
            "seq_from": self.seq_from,
            "seq_to": self.seq_to,
            "applied": self.applied,
            "released": [r.as_json() for r in self.released],
        }


@dataclass(slots=True)
class Change:
    seq: int
    table: str
    row_id: str
    op: str
    data: str
    row: dict[str, Any] | None = None  # `data` parsed (upserts)


@dataclass
class Verified:
    parsed: ParsedBundle
    sender: SyncPeer
    epoch: int
    seq_from: int
    seq_to: int
    chains: dict[int, str]  # chain value after each sequence, and at seq_from - 1
    changes: list[Change]
    blobs: dict[str, bytes]
    new_keys: tuple[str, bytes, bytes] | None  # a rotation the sender announced and its old key signed


def _int(manifest: dict[str, Any], key: str, minimum: int = 0) -> int:
    value = manifest.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum or value > 2**53:
        raise BundleError(_("the manifest is damaged ({field})").format(field=key))
    return value


def _str(manifest: dict[str, Any], key: str, limit: int = 64) -> str:
    value = manifest.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise BundleError(_("the manifest is damaged ({field})").format(field=key))
    return value


def _verify(session: Session, keys: Keys, me: str, raw: bytes) -> Verified:
    parsed = parse_bundle(raw)
    m = parsed.manifest
    if m.get("format") != 1 or m.get("kind") != "changes":
        raise BundleError(_("the bundle is of a format this version does not know"))
    sender_id = _str(m, "sender", 36)
    if _str(m, "recipient", 36) != me:
        raise BundleError(_("the bundle is addressed to another desk, not to this one"))
    sender = session.get(SyncPeer, sender_id)
    if sender is None:
        raise BundleError(_("the sender ({name}) is not enrolled here").format(name=_str(m, "sender_name", 100) or sender_id))
    if sender.revoked_at is not None:
        raise BundleError(
            _("the sender's key was revoked on {date}: {reason}").format(
                date=sender.revoked_at.date().isoformat(), reason=sender.revoked_reason
            )
        )
    new_keys = None
    sign_key = unb64(sender.sign_key, 32)
    box_key = unb64(sender.box_key, 32)
    if _str(m, "key_id", 16) != sender.key_id:
        rotation = m.get("rotation")
        if rotation is None:
            raise BundleError(_("the bundle is signed with a key that is not enrolled here"))
        try:
            new_keys = verify_rotation(rotation, sign_key, sender_id)
        except ValueError as exc:
            raise BundleError(_("the bundle announces a new key that the enrolled key did not sign")) from exc
        if new_keys[0] != m.get("key_id"):
            raise BundleError(_("the bundle is signed with a key that is not enrolled here"))
        sign_key, box_key = new_keys[1], new_keys[2]
    verify_signature(parsed.signed, parsed.signature, sign_key)
    check_payload(parsed)
    schema = _str(m, "schema", 20)
    if schema > HEAD_REVISION:
        raise BundleError(_("the bundle was made by a newer version of Mediation Desk; install it here first"))
    pair = next((p for p in (keys.current, *keys.retired) if p.key_id == m.get("recipient_key_id")), None)
    if pair is None:
        raise BundleError(_("the bundle is encrypted to a key this desk does not have"))
    plain = decrypt_payload(parsed.payload, pair.box, PublicKey(box_key))
    epoch = _int(m, "epoch", 1)
    seq_from = _int(m, "seq_from", 1)
    seq_to = _int(m, "seq_to", seq_from)
    lines = iter_lines(plain)
    header = next(lines, None)
    expected = {"bundle_id": m.get("bundle_id"), "sender": sender_id, "epoch": epoch, "seq_from": seq_from, "seq_to": seq_to}
    if header != expected:
        raise BundleError(_("the inside of the bundle does not match its manifest"))
    chain = _str(m, "chain_from")
    chains = {seq_from - 1: chain}
    changes: list[Change] = []
    blobs: dict[str, bytes] = {}
    seq = seq_from - 1
    for line in lines:
        if "blob" in line:
            sha = line.get("blob")
            try:
                content = base64.b64decode(str(line.get("b64", "")), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise BundleError(_("an attached file in the bundle is damaged")) from exc
            if not isinstance(sha, str) or not HEX64.match(sha) or sha256_hex(content) != sha:
                raise BundleError(_("an attached file in the bundle is damaged"))
            blobs[sha] = content
            continue
        seq += 1
        if line.get("s") != seq or blobs:
            raise BundleError(_("the changes in the bundle are not in sequence"))
        if "h" in line:  # a change of the sender that is not for us: its digest keeps the chain
            digest = line["h"]
            if not isinstance(digest, str) or not HEX64.match(digest):
                raise BundleError(_("the payload is damaged"))
        else:
            change = _change(line, seq, sender_id)
            digest = digest_of(change.table, change.row_id, change.op, change.data)
            changes.append(change)
        chain = chain_of(chain, digest)
        chains[seq] = chain
    if seq != seq_to or chain != m.get("chain_to"):
        raise BundleError(_("the changes in the bundle do not match its manifest"))
    if len(changes) != m.get("changes"):
        raise BundleError(_("the changes in the bundle do not match its manifest"))
    return Verified(parsed, sender, epoch, seq_from, seq_to, chains, changes, blobs, new_keys)


_UPSERT, _DELETE = ChangeOp.UPSERT.value, ChangeOp.DELETE.value


def _change(line: dict[str, Any], seq: int, sender: str) -> Change:
    """One change line checked: a table we keep, a row id, an op, and for an upsert the row's own JSON
    naming the sender as its origin. Runs once per change of a 100,000-change import: kept lean."""
    table, row_id, op, data = line.get("t"), line.get("i"), line.get("o"), line.get("d")
    if type(table) is not str or synced_table(table) is None:
        raise BundleError(_("the bundle holds a kind of record this desk does not keep"))
    if type(row_id) is not str or not 0 < len(row_id) <= 36 or type(data) is not str:
        raise BundleError(_("the payload is damaged"))
    if op == _UPSERT:
        try:
            row = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise BundleError(_("the payload is damaged")) from exc
        if type(row) is not dict or row.get("id") != row_id:
            raise BundleError(_("the payload is damaged"))
        if row.get("origin") != sender:
            raise BundleError(_("the bundle holds records another desk made; a desk may only send its own"))
        return Change(seq, table, row_id, _UPSERT, data, row)
    if op != _DELETE or data:
        raise BundleError(_("the payload is damaged"))
    return Change(seq, table, row_id, _DELETE, data)


# ---------------------------------------------------------------- applying


def _upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert or update the rows (decoded by `decode_row`) through SQLAlchemy: PostgreSQL's path."""
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for keys, group in by_keys.items():
        stmt = pg_insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.id], set_={k: stmt.excluded[k] for k in keys if k != "id"})
        for start in range(0, len(group), 5000):
            session.connection().execute(stmt, group[start : start + 5000])


def _upsert_sqlite(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """The same on SQLite straight through the driver's executemany: at 100,000 rows SQLAlchemy's
    per-parameter processing cost more than SQLite's own work (see benchmarks/bench_sync.py)."""
    by_keys: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        keys = tuple(sorted(row))
        by_keys.setdefault(keys, []).append(sqlite_values(table.name, keys, row))
    for keys, values in by_keys.items():
        unknown = set(keys) - set(table.c.keys())
        if unknown:
            raise ValueError(f"unknown column {table.name}.{sorted(unknown)[0]}")
        sql = (f'INSERT INTO "{table.name}" ({", ".join(keys)}) VALUES ({", ".join("?" for _ in keys)}) '
               f'ON CONFLICT (id) DO UPDATE SET {", ".join(f"{k} = excluded.{k}" for k in keys if k != "id")}')
        session.connection().exec_driver_sql(sql, values)


def _ids_query(table: str, column: str, where: str) -> str:
    """SQLite: one statement over a JSON array of ids (the first parameter) instead of chunks of IN lists."""
    return f'SELECT {column} FROM "{table}" WHERE id IN (SELECT value FROM json_each(?)) {where}'


def _foreign_rows(session: Session, table: Table, ids: list[str], sender: str) -> bool:
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        sql = _ids_query(table.name, "1", "AND origin != ? LIMIT 1")
        return conn.exec_driver_sql(sql, (orjson.dumps(ids).decode(), sender)).first() is not None
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if conn.execute(select(table.c.id).where(table.c.id.in_(chunk), table.c.origin != sender).limit(1)).first():
            return True
    return False


def _column_values(session: Session, table: Table, column: str, ids: Iterable[str]) -> set[str]:
    """The non-empty values of `column` in the rows `ids` of `table`, as the database holds them now."""
    id_list = sorted(ids)
    if not id_list:
        return set()
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        found = conn.exec_driver_sql(_ids_query(table.name, column, ""), (orjson.dumps(id_list).decode(),))
        return {v for (v,) in found if v}
    values: set[str] = set()
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        values.update(v for (v,) in conn.execute(select(table.c[column]).where(table.c.id.in_(chunk))) if v)
    return values


# Derived data (search text, balance caches) hangs on these parents of the synced rows.
DERIVED_PARENTS = {"person": "household_id", "case_party": "case_id", "points_entry": "household_id", "points_review": "entry_id"}


@dataclass
class Applied:
    touched: dict[str, set[str]]  # ids per table
    parents: dict[str, set[str]]  # per table of DERIVED_PARENTS: the parent ids before and after the changes


def apply_changes(session: Session, sender: str, changes: Iterable[Change]) -> Applied:
    """Bring the rows to the state the changes describe: the last change of each row wins; upserts
    parents first, tombstones children first."""
    final: dict[tuple[str, str], Change] = {}
    for change in changes:  # a row's place is its first change; self-references are ordered below
        final[(change.table, change.row_id)] = change
    order = table_order()
    upserts: dict[str, list[Change]] = {}
    deletes: dict[str, list[str]] = {}
    for (table_name, row_id), change in final.items():
        if change.op == ChangeOp.UPSERT:
            upserts.setdefault(table_name, []).append(change)
        else:
            deletes.setdefault(table_name, []).append(row_id)
    applied = Applied({}, {})
    sqlite = session.get_bind().dialect.name == "sqlite"
    written: dict[str, list[dict[str, Any]]] = {}
    for table_name in sorted(upserts, key=order.__getitem__):
        table = synced_table(table_name)
        assert table is not None
        rows = {c.row_id: c.row if c.row is not None else orjson.loads(c.data) for c in upserts[table_name]}
        ids = list(rows)
        refs = self_references(table_name)
        if refs and any(r.get(k) for r in rows.values() for k in refs):
            ids = topological(ids, {i: {r[k] for k in refs if r.get(k)} for i, r in rows.items()})
        if _foreign_rows(session, table, ids, sender):
            raise BundleError(_("the bundle would change records another desk made"))
        parent = DERIVED_PARENTS.get(table_name)
        if parent:  # a person moved to another household refreshes both households
            found = _column_values(session, table, parent, ids) | {r[parent] for r in rows.values() if r.get(parent)}
            applied.parents.setdefault(table_name, set()).update(found)
        try:
            if sqlite:
                _upsert_sqlite(session, table, [rows[i] for i in ids])
            else:
                _upsert(session, table, [decode_row(table, rows[i]) for i in ids])
        except (ValueError, TypeError, KeyError) as exc:
            raise BundleError(_("the bundle holds a record this desk cannot read: {error}").format(error=str(exc)[:200])) from exc
        applied.touched.setdefault(table_name, set()).update(ids)
        written[table_name] = list(rows.values())
    for table_name in sorted(deletes, key=order.__getitem__, reverse=True):
        table = synced_table(table_name)
        assert table is not None
        ids = deletes[table_name]
        if _foreign_rows(session, table, ids, sender):
            raise BundleError(_("the bundle would change records another desk made"))
        parent = DERIVED_PARENTS.get(table_name)
        if parent:
            applied.parents.setdefault(table_name, set()).update(_column_values(session, table, parent, ids))
        for start in range(0, len(ids), 500):
            session.connection().execute(delete(table).where(table.c.id.in_(ids[start : start + 500])))
        applied.touched.setdefault(table_name, set()).update(ids)
    if sqlite:
        _check_references(session, written, deletes)
    return applied


def _check_references(session: Session, written: dict[str, list[dict[str, Any]]], deleted: dict[str, list[str]]) -> None:
    """What SQLite's foreign keys would check at commit, as a few set queries (the importer's write runs
    with them off): every parent a written row names exists, and no row left names a deleted one."""
    conn = session.connection()
    for table_name, rows in written.items():
        table = synced_table(table_name)
        assert table is not None
        for fk in table.foreign_keys:
            column, parent = fk.parent.name, fk.column.table.name
            wanted = sorted({r[column] for r in rows if r.get(column) is not None})
            if not wanted:
                continue
            sql = f'SELECT count(*) FROM "{parent}" WHERE "{fk.column.name}" IN (SELECT value FROM json_each(?))'
            if conn.exec_driver_sql(sql, (orjson.dumps(wanted).decode(),)).scalar_one() != len(wanted):
                raise BundleError(_("the bundle refers to records this desk does not have ({table})").format(table=table_name))
    for table_name, ids in deleted.items():
        for child, column in referring_columns(table_name):
            sql = f'SELECT 1 FROM "{child}" WHERE "{column}" IN (SELECT value FROM json_each(?)) LIMIT 1'
            if conn.exec_driver_sql(sql, (orjson.dumps(ids).decode(),)).first() is not None:
                raise BundleError(_("the bundle deletes records that others still refer to ({table})").format(table=table_name))


def refresh_derived(session: Session, applied: Applied) -> None:
    """Search text and balance caches of what the bundle brought (they are local, not synced)."""
    from app.models.points import PointsEntry
    from app.services import cases, households, points

    touched, parents = applied.touched, applied.parents
    households.refresh_search_many(session, touched.get("household", set()) | parents.get("person", set()))
    cases.refresh_search_many(session, touched.get("dispute_case", set()) | parents.get("case_party", set()))
    entries = PointsEntry.__table__  # type: ignore[attr-defined]
    reviewed = _column_values(session, entries, "household_id", parents.get("points_review", set()))
    points_households = parents.get("points_entry", set()) | reviewed
    if points_households:
        points.refill_balances(session, points_households)


# ---------------------------------------------------------------- the whole import


def _log(store: Store, record: BundleRecord) -> None:
    with store.write() as session:
        session.info[APPLYING] = True
        session.add(record)


def _reject(
    store: Store, raw: bytes, reason: str, file_name: str, status: str = BundleStatus.REJECTED, manifest: dict[str, Any] | None = None
) -> Outcome:
    m = manifest or {}

    def num(key: str) -> int:
        value = m.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53 else 0

    def text(key: str) -> str:
        value = m.get(key)
        return value[:36] if isinstance(value, str) else ""

    _log(
        store,
        BundleRecord(
            bundle_id=text("bundle_id"),
            direction="in",
            peer=text("sender"),
            epoch=num("epoch"),
            seq_from=num("seq_from"),
            seq_to=num("seq_to"),
            sha256=sha256_hex(raw),
            status=status,
            reason=reason[:1000],
            file_name=file_name[:255],
        ),
    )
    return Outcome(
        "bundle",
        status,
        reason,
        sender=text("sender"),
        bundle_id=text("bundle_id"),
        epoch=num("epoch"),
        seq_from=num("seq_from"),
        seq_to=num("seq_to"),
        file_name=file_name,
    )


def _receipt(keys: Keys, me: str, verified: Verified, status: str, applied_seq: int, chain: str) -> bytes:
    body = {
        "receipt_id": new_id(),
        "bundle_id": verified.parsed.manifest.get("bundle_id"),
        "bundle_sha256": verified.parsed.sha256,
        "from": me,
        "key_id": keys.current.key_id,
        "to": verified.sender.device_id,
        "sender_key_id": verified.new_keys[0] if verified.new_keys else verified.sender.key_id,
        "epoch": verified.epoch,
        "applied_seq": applied_seq,
        "chain": chain,
        "status": status,
        "at": utcnow().isoformat(),
    }
    return build_receipt(body, keys.current.signing)


def import_bytes(
    store: Store, data_dir: Path, raw: bytes, *, actor: Actor = SYSTEM, file_name: str = "", release_held: bool = True
) -> Outcome:
    """Import one bundle or receipt given as bytes (already copied off the stick or received over HTTP)."""
    if kind_of(raw) == "receipt":
        from app.sync.receipts import import_receipt

        return import_receipt(store, data_dir, raw, actor=actor, file_name=file_name)
    if len(raw) > MAX_BUNDLE_BYTES:
        return _reject(store, b"", _("the file is larger than a bundle may be"), file_name)
    try:
        with store.read() as session:
            me, _epoch = local_identity(session.connection())
            if _own(raw, me):
                return Outcome("bundle", OWN, _("this desk's own bundle, waiting to be carried to the other side"), file_name=file_name)
            keys = load_keys(data_dir, me)
            verified = _verify(session, keys, me, raw)
    except BundleError as exc:
        manifest = None
        with contextlib.suppress(BundleError):
            manifest = parse_bundle(raw).manifest
        return _reject(store, raw, exc.reason, file_name, manifest=manifest)
    outcome = _apply(store, data_dir, keys, me, verified, raw, actor, file_name)
    if release_held and outcome.status == BundleStatus.IMPORTED:
        outcome.released = release_held_bundles(store, data_dir, verified.sender.device_id, actor)
    return outcome


def _own(raw: bytes, me: str) -> bool:
    try:
        return parse_bundle(raw).manifest.get("sender") == me
    except BundleError:
        return False


FOREIGN_KEY_RE = re.compile(r'(insert or update|update or delete) on table "(\w+)" violates foreign key constraint')


def _database_refusal(exc: SQLAlchemyError) -> str:
    """The reason for a bundle the database itself refused. PostgreSQL checks references row by row (SQLite's
    are checked as sets by `_check_references`); its refusal is said in the same words."""
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    found = FOREIGN_KEY_RE.search(detail)
    if found and found.group(1) == "insert or update":
        return _("the bundle refers to records this desk does not have ({table})").format(table=found.group(2))
    if found:
        return _("the bundle deletes records that others still refer to ({table})").format(table=found.group(2))
    return _("the bundle does not fit this database: {error}").format(error=detail[:300])


def _apply(store: Store, data_dir: Path, keys: Keys, me: str, v: Verified, raw: bytes, actor: Actor, file_name: str) -> Outcome:
    sender = v.sender.device_id
    base = Outcome(
        "bundle",
        "",
        sender=sender,
        sender_name=v.sender.committee_name,
        bundle_id=str(v.parsed.manifest["bundle_id"]),
        epoch=v.epoch,
        seq_from=v.seq_from,
        seq_to=v.seq_to,
        file_name=file_name,
    )
    for sha, content in v.blobs.items():  # content-addressed: harmless if the transaction below fails
        path = attachment_path(data_dir, sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, content)
    status = ""
    reason = ""
    try:
        with store.write(references_checked_by_caller=True) as session:  # apply_changes checks them
            session.info[APPLYING] = True
            if session.get_bind().dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serializes writers
                session.connection().execute(text("SELECT pg_advisory_xact_lock(hashtext(:sender))"), {"sender": sender})
            cursor = session.get(SyncCursor, (sender, CursorDirection.IN.value, v.epoch))
            applied = cursor.seq if cursor else 0
            head = cursor.chain if cursor else ""
            if v.seq_from - 1 <= applied <= v.seq_to and v.chains.get(applied, head) != head:
                status = BundleStatus.CONFLICT
                reason = _(
                    "sequence {seq} of this desk arrived before with different content: a cloned device or a stolen key? "
                    "Nothing was imported; call the desk."
                ).format(seq=applied)
            elif v.seq_to <= applied:
                status, reason = BundleStatus.ALREADY, _("already imported")
            elif v.seq_from > applied + 1:
                status = BundleStatus.HELD
                reason = _("held: changes {first}–{last} are missing; it is imported when they arrive").format(
                    first=applied + 1, last=v.seq_from - 1
                )
                held = data_dir / HELD
                held.mkdir(parents=True, exist_ok=True)
                write_atomic(held / f"{v.parsed.sha256}.mdbundle", raw)
            else:
                fresh = [c for c in v.changes if c.seq > applied]
                refresh_derived(session, apply_changes(session, sender, fresh))
                if cursor is None:
                    cursor = SyncCursor(peer=sender, direction=CursorDirection.IN.value, epoch=v.epoch)
                cursor.seq, cursor.chain, cursor.bundle_sha256, cursor.updated_at = v.seq_to, v.chains[v.seq_to], v.parsed.sha256, utcnow()
                session.add(cursor)
                if v.new_keys is not None:
                    peer = session.get(SyncPeer, sender)
                    assert peer is not None
                    old = peer.key_id
                    peer.key_id, peer.sign_key, peer.box_key = v.new_keys[0], b64(v.new_keys[1]), b64(v.new_keys[2])
                    session.add(peer)
                    audit.record(
                        session,
                        actor,
                        "sync.key_rotated",
                        table="sync_peer",
                        record_id=sender,
                        summary=f"{peer.committee_name} {old} -> {peer.key_id}",
                    )
                audit.record(
                    session,
                    actor,
                    "sync.import",
                    table="sync_bundle",
                    record_id=base.bundle_id,
                    summary=f"{v.sender.committee_name} e{v.epoch} {v.seq_from}-{v.seq_to} ({len(fresh)})",
                )
                status, base.applied = BundleStatus.IMPORTED, len(fresh)
            session.add(
                BundleRecord(
                    bundle_id=base.bundle_id,
                    direction="in",
                    peer=sender,
                    epoch=v.epoch,
                    seq_from=v.seq_from,
                    seq_to=v.seq_to,
                    changes=len(v.changes),
                    sha256=v.parsed.sha256,
                    status=status,
                    reason=reason[:1000],
                    file_name=file_name[:255],
                    staged=f"{v.parsed.sha256}.mdbundle" if status == BundleStatus.HELD else "",
                )
            )
            final = cursor.seq if cursor else 0
            chain = cursor.chain if cursor else ""
    except BundleError as exc:
        return _reject(store, raw, exc.reason, file_name, manifest=v.parsed.manifest)
    except SQLAlchemyError as exc:
        return _reject(store, raw, _database_refusal(exc), file_name, manifest=v.parsed.manifest)
    base.status, base.reason = status, reason
    if status != BundleStatus.CONFLICT:
        base.receipt = _receipt(keys, me, v, status, final, chain)
    return base


def release_held_bundles(store: Store, data_dir: Path, sender: str, actor: Actor) -> list[Outcome]:
    """Import the held bundles of `sender` that the last import made applicable, until none moves."""
    released: list[Outcome] = []
    progress = True
    while progress:
        progress = False
        with store.read() as session:
            held = list(
                session.execute(
                    select(col(BundleRecord.id), col(BundleRecord.staged), col(BundleRecord.file_name))
                    .where(col(BundleRecord.peer) == sender, col(BundleRecord.status) == BundleStatus.HELD)
                    .order_by(col(BundleRecord.seq_from))
                ).all()
            )
        for record_id, staged, file_name in held:
            path = data_dir / HELD / staged
            if not HEX64.match(staged.removesuffix(".mdbundle")) or not path.exists():
                continue
            outcome = import_bytes(store, data_dir, path.read_bytes(), actor=actor, file_name=file_name, release_held=False)
            if outcome.status == BundleStatus.HELD:
                _drop_latest_held_duplicate(store, sender, staged)
                continue
            with store.write() as session:
                session.info[APPLYING] = True
                record = session.get(BundleRecord, record_id)
                if record is not None:
                    record.status, record.updated_at = BundleStatus.IMPORTED if outcome.ok else outcome.status, utcnow()
                    record.reason = _("imported after the missing changes arrived") if outcome.ok else outcome.reason
                    session.add(record)
            path.unlink(missing_ok=True)
            released.append(outcome)
            progress = progress or outcome.status == BundleStatus.IMPORTED
    return released


def _drop_latest_held_duplicate(store: Store, sender: str, staged: str) -> None:
    """A retry that is still held logged a second 'held' row for the same file; keep only the first."""
    with store.write() as session:
        session.info[APPLYING] = True
        rows = list(
            session.execute(
                select(BundleRecord)
                .where(col(BundleRecord.peer) == sender, col(BundleRecord.staged) == staged, col(BundleRecord.status) == BundleStatus.HELD)
                .order_by(col(BundleRecord.created_at))
            ).scalars()
        )
        for extra in rows[1:]:
            session.delete(extra)


def stage(data_dir: Path, source: Path) -> bytes:
    """Copy a file off the stick into local staging and read it from there (a pulled stick then cannot
    change it under us). The name on the stick is only shown, never used to build a path here."""
    import shutil

    folder = data_dir / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    size = source.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        raise BundleError(_("the file is larger than a bundle may be"))
    local = folder / f"{new_id()}.part"
    try:
        with open(source, "rb") as src, open(local, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        data = local.read_bytes()
    finally:
        local.unlink(missing_ok=True)
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(_("the file is larger than a bundle may be"))
    return data


def import_path(store: Store, data_dir: Path, source: Path, *, actor: Actor = SYSTEM, write_receipt: bool = True) -> Outcome:
    """Import a file from a folder; a bundle's receipt is written next to it (`<name>.receipt`)."""
    try:
        raw = stage(data_dir, source)
    except OSError as exc:
        return Outcome(
            "bundle", BundleStatus.REJECTED, _("the file cannot be read: {error}").format(error=exc.strerror or exc), file_name=source.name
        )
    except BundleError as exc:
        return _reject(store, b"", exc.reason, source.name)
    outcome = import_bytes(store, data_dir, raw, actor=actor, file_name=source.name)
    if write_receipt and outcome.receipt is not None:
        try:
            write_atomic(source.with_name(source.name + ".receipt"), outcome.receipt)
        except OSError as exc:
            outcome.reason = (outcome.reason + " " if outcome.reason else "") + _(
                "The receipt could not be written next to the bundle: {error}"
            ).format(error=exc.strerror or exc)
    return outcome


def files_in(paths: Iterable[Path]) -> list[Path]:
    """The bundle and receipt files among `paths`; a folder stands for the files directly in it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".mdbundle", ".receipt"))
        else:
            found.append(path)
    # receipts first: they may clear a rotation or mark bundles delivered before new bundles are read
    return sorted(found, key=lambda p: (p.suffix != ".receipt", p.name))
