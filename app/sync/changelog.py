"""The change log, written in one place: session hooks record every change of a synced row in the same
transaction as the change, so no service writes it by hand.

- `before_flush` stamps new rows with this desk's device id (`origin`) when a service left it empty.
- `after_flush` and `do_orm_execute` (bulk inserts and updates) note which rows were touched.
- `before_commit` reads those rows as they are now and appends one change per row (an upsert, or a
  tombstone when the row is gone), numbered after the last sequence of this device and epoch, each
  with its digest and the running hash chain.

Rows applied from a bundle are the sender's changes, not ours: the importer sets `APPLYING` on its
session and the hooks stand aside. A row another desk made may not be changed here: only its origin
edits it (DESIGN, data ownership).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, event, insert, select
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlmodel import Session, col

from app.clock import utcnow
from app.errors import PermissionDenied
from app.i18n import _
from app.models.base import new_id
from app.models.committee import Setting
from app.models.sync import ChangeLog, ChangeOp
from app.sync.tables import dumps, synced_table, synced_tables, table_order

APPLYING = "sync_applying"
_TOUCHED = "sync_touched"
_LOCAL = "sync_local"
DEVICE_KEY = "device_id"
EPOCH_KEY = "sync_epoch"
CHUNK = 500


def local_identity(conn: Connection) -> tuple[str, int]:
    """This desk's device id and sync epoch, creating the device id on a new database."""
    rows = dict(conn.execute(select(col(Setting.key), col(Setting.value)).where(
        col(Setting.key).in_((DEVICE_KEY, EPOCH_KEY)))).all())
    device = rows.get(DEVICE_KEY)
    if device is None:
        device = new_id()
        conn.execute(insert(Setting).values(key=DEVICE_KEY, value=device, updated_at=utcnow()))
    return device, int(rows.get(EPOCH_KEY) or 1)


def _session_identity(session: Session) -> tuple[str, int]:
    cached = session.info.get(_LOCAL)
    if cached is None:
        cached = session.info[_LOCAL] = local_identity(session.connection())
    return cached


def _touch(session: Session, table_name: str, row_ids: Iterable[str]) -> None:
    touched: dict[tuple[str, str], None] = session.info.setdefault(_TOUCHED, {})
    for row_id in row_ids:
        touched[(table_name, row_id)] = None


def _table_name(obj: Any) -> str | None:
    table = getattr(obj, "__table__", None)
    name = getattr(table, "name", None)
    return name if name is not None and synced_table(name) is not None else None


@event.listens_for(Session, "before_flush")
def _stamp_origin(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    if session.info.get(APPLYING):
        return
    for obj in session.new:
        if _table_name(obj) is not None and not getattr(obj, "origin", None):
            obj.origin = _session_identity(session)[0]


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _ctx: UOWTransaction) -> None:
    if session.info.get(APPLYING):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = _table_name(obj)
        if name is not None and (obj in session.new or obj in session.deleted or session.is_modified(obj)):
            _touch(session, name, [obj.id])


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(APPLYING):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if table is None or name is None or synced_table(name) is None:
        return
    if state.is_insert:
        params = state.parameters
        rows: list[Any] = list(params) if isinstance(params, list) else [params] if params else []
        ids = [row.get("id") for row in rows]
        if not ids or any(not i for i in ids):
            raise RuntimeError(f"bulk insert into synced table {name} must give every row its id")
        _touch(state.session, name, ids)  # type: ignore[arg-type]
    else:
        where = state.statement.whereclause  # type: ignore[attr-defined]
        query = select(table.c.id) if where is None else select(table.c.id).where(where)
        _touch(state.session, name, state.session.connection().execute(query).scalars())  # type: ignore[arg-type]


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_LOCAL, None)


event.listen(Session, "after_rollback", _forget)
event.listen(Session, "after_commit", _forget)


@event.listens_for(Session, "before_commit")
def _write_log(session: Session) -> None:
    if session.info.get(APPLYING):
        return
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        device, epoch = _session_identity(session)
        append_changes(session.connection(), device, epoch, list(touched), check_origin=True)


def digest_of(table_name: str, row_id: str, op: str, data: str) -> str:
    return hashlib.sha256(f"{table_name}\x1f{row_id}\x1f{op}\x1f{data}".encode()).hexdigest()


def chain_of(previous: str, digest: str) -> str:
    return hashlib.sha256(f"{previous}{digest}".encode()).hexdigest()


def _current_rows(conn: Connection, table_name: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    table = synced_table(table_name)
    assert table is not None
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        for row in conn.execute(select(table).where(table.c.id.in_(ids[start:start + CHUNK]))).mappings():
            found[row["id"]] = dict(row)
    return found


def append_changes(conn: Connection, device: str, epoch: int, keys: list[tuple[str, str]], *,
                   check_origin: bool) -> int:
    """Append one change per (table, row id), in an order the receiver can apply: upserts parents first
    (then in the order touched), tombstones last, children first. Returns how many were written."""
    order = table_order()
    by_table: dict[str, list[str]] = {}
    for table_name, row_id in keys:
        by_table.setdefault(table_name, []).append(row_id)
    upserts: list[tuple[int, int, str, str, str]] = []
    deletes: list[tuple[int, int, str, str]] = []
    position = {key: i for i, key in enumerate(keys)}
    for table_name, ids in by_table.items():
        rows = _current_rows(conn, table_name, ids)
        for row_id in ids:
            row = rows.get(row_id)
            if row is None:
                deletes.append((-order[table_name], position[(table_name, row_id)], table_name, row_id))
                continue
            if check_origin and row["origin"] != device:
                raise PermissionDenied(_(
                    "This record was made on another desk ({origin}); only that desk may change it.").format(origin=row["origin"]))
            upserts.append((order[table_name], position[(table_name, row_id)], table_name, row_id, dumps(row)))
    if not upserts and not deletes:
        return 0
    last = conn.execute(select(col(ChangeLog.seq), col(ChangeLog.chain)).where(
        col(ChangeLog.device) == device, col(ChangeLog.epoch) == epoch).order_by(col(ChangeLog.seq).desc()).limit(1)).first()
    seq, chain = (last[0], last[1]) if last else (0, "")
    now = utcnow()
    out: list[dict[str, Any]] = []
    changes = [(t, r, ChangeOp.UPSERT.value, d) for _o, _p, t, r, d in sorted(upserts)]
    changes += [(t, r, ChangeOp.DELETE.value, "") for _o, _p, t, r in sorted(deletes)]
    for table_name, row_id, op, data in changes:
        seq += 1
        digest = digest_of(table_name, row_id, op, data)
        chain = chain_of(chain, digest)
        audience = ""
        if data and synced_table(table_name) is not None and "audience" in synced_table(table_name).c:  # type: ignore[union-attr]
            audience = rows_audience(data)
        out.append({"device": device, "epoch": epoch, "seq": seq, "table_name": table_name, "row_id": row_id, "op": op,
                    "data": data, "audience": audience, "digest": digest, "chain": chain, "recorded_at": now})
    for start in range(0, len(out), 5000):
        conn.execute(insert(ChangeLog), out[start:start + 5000])
    return len(out)


def rows_audience(data: str) -> str:
    import json

    value = json.loads(data).get("audience") or ""
    return str(value)


def ensure_baseline(session: Session) -> int:
    """Log every row this desk made when the log of its current sync epoch is empty.

    Epoch 1: a database from before the change log existed (0.1). A later epoch: a restored backup
    (the restore starts a new epoch), so the township converges to the restored state. Runs at
    start-up right after the migrations, before any service writes; writes nothing when there is
    nothing to log. Returns how many rows it logged."""
    conn = session.connection()
    if conn.execute(select(col(Setting.key)).where(col(Setting.key) == DEVICE_KEY)).first() is None:
        return 0  # a new installation: nothing made here yet, and nothing is written before the set-up
    device, epoch = local_identity(conn)
    has_log = conn.execute(select(col(ChangeLog.id)).where(
        col(ChangeLog.device) == device, col(ChangeLog.epoch) == epoch).limit(1)).first()
    if has_log is not None:
        return 0
    written = 0
    for table in synced_tables():
        ids = [r for (r,) in conn.execute(select(table.c.id).where(table.c.origin == device).order_by(table.c.id))]
        ids = _parents_first(table.name, conn, ids)
        for start in range(0, len(ids), 50_000):
            written += append_changes(conn, device, epoch, [(table.name, i) for i in ids[start:start + 50_000]],
                                      check_origin=False)
    return written


def _parents_first(table_name: str, conn: Connection, ids: list[str]) -> list[str]:
    """Order rows of a self-referencing table so a referenced row comes before the rows pointing at it."""
    from app.sync.tables import self_references

    refs = self_references(table_name)
    if not refs:
        return ids
    table = synced_table(table_name)
    assert table is not None
    parent_of: dict[str, set[str]] = {}
    for row in conn.execute(select(table.c.id, *[table.c[r] for r in refs])):
        parent_of[row[0]] = {p for p in row[1:] if p}
    return topological(ids, parent_of)


def topological(ids: list[str], parent_of: dict[str, set[str]]) -> list[str]:
    """`ids` reordered so each one's parents (when among `ids`) come first; otherwise the given order."""
    wanted = set(ids)
    placed: set[str] = set()
    result: list[str] = []
    for start in ids:
        stack = [start]
        while stack:
            node = stack[-1]
            if node in placed:
                stack.pop()
                continue
            pending = [p for p in parent_of.get(node, ()) if p in wanted and p not in placed and p not in stack]
            if pending:
                stack.extend(pending)
            else:
                placed.add(node)
                result.append(node)
                stack.pop()
    return result


def verify_log(conn: Connection) -> tuple[int, str]:
    """Recompute the digest and the chain of this desk's change log (every epoch): (changes, problem or '')."""
    device, _epoch = local_identity(conn)
    count = 0
    current_epoch, chain, expected_seq = None, "", 1
    rows = conn.execute(select(col(ChangeLog.epoch), col(ChangeLog.seq), col(ChangeLog.table_name), col(ChangeLog.row_id),
                               col(ChangeLog.op), col(ChangeLog.data), col(ChangeLog.digest), col(ChangeLog.chain))
                        .where(col(ChangeLog.device) == device).order_by(col(ChangeLog.epoch), col(ChangeLog.seq)))
    for epoch, seq, table_name, row_id, op, data, digest, stored_chain in rows:
        if epoch != current_epoch:
            current_epoch, chain, expected_seq = epoch, "", 1
        if seq != expected_seq:
            return count, f"epoch {epoch}: sequence {expected_seq} is missing"
        if digest_of(table_name, row_id, op, data) != digest:
            return count, f"epoch {epoch}: change {seq} was altered"
        chain = chain_of(chain, digest)
        if chain != stored_chain:
            return count, f"epoch {epoch}: the chain breaks at change {seq}"
        expected_seq += 1
        count += 1
    return count, ""
