"""The audit trail: every write records who, when, which record and each changed field's before and after.

Events are append-only and hash-chained: each event's hash covers its content and the previous hash,
and the head (last sequence and hash) is also kept in the settings table, so `verify_chain` detects an
edited, deleted, inserted or truncated event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from app.clock import utcnow
from app.models.audit import AuditEvent
from app.models.committee import Setting
from app.services.context import Actor

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
# Values never written into the audit trail in clear.
SECRET_FIELDS = frozenset({"password_hash"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: SQLModel, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The record's column values as JSON-friendly data."""
    skip = set(exclude) | {"created_at", "updated_at"}
    table = obj.__table__  # type: ignore[attr-defined]
    return {c.name: _jsonable(getattr(obj, c.name)) for c in table.columns if c.name not in skip}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    before = before or {}
    after = after or {}
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            if key in SECRET_FIELDS:
                old, new = ("***" if old else None), "***"
            changes[key] = [old, new]
    return changes


def _digest(prev_hash: str, seq: int, event: AuditEvent) -> str:
    body = json.dumps(
        [seq, event.at.isoformat(), event.user_id, event.username, event.action, event.table_name,
         event.record_id, event.summary, event.changes],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    table: str = "",
    record_id: str = "",
    summary: str = "",
    changes: Mapping[str, list[Any]] | None = None,
) -> AuditEvent:
    """Append one event. Call inside the write transaction that makes the change."""
    last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
    seq = (last.seq or 0) + 1 if last else 1
    prev_hash = last.hash if last else GENESIS
    event = AuditEvent(
        seq=seq,
        at=utcnow().replace(microsecond=0),
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        table_name=table,
        record_id=record_id,
        summary=summary[:200],
        changes=json.dumps(dict(changes or {}), ensure_ascii=False, sort_keys=True),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _digest(prev_hash, seq, event)
    session.add(event)
    head = session.get(Setting, HEAD_KEY)
    value = f"{seq}:{event.hash}"
    if head is None:
        session.add(Setting(key=HEAD_KEY, value=value))
    else:
        head.value = value
        head.updated_at = utcnow()
    session.flush()
    return event


def record_change(
    session: Session, actor: Actor, obj: SQLModel, before: Mapping[str, Any] | None, summary: str
) -> AuditEvent | None:
    """Audit a create (before=None) or an update of `obj`; nothing is recorded when nothing changed."""
    after = snapshot(obj)
    changes = diff(before, after)
    if before is not None and not changes:
        return None
    return record(
        session, actor, "create" if before is None else "update",
        table=obj.__tablename__,  # type: ignore[arg-type]
        record_id=str(getattr(obj, "id", "")), summary=summary, changes=changes,
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    problem: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole trail; report the first event that does not fit the chain."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()  # type: ignore[arg-type]
    for event in rows:
        count += 1
        if event.seq != expected_seq:
            return ChainReport(False, count, f"event {expected_seq} is missing (found {event.seq})")
        if event.prev_hash != prev_hash or _digest(prev_hash, expected_seq, event) != event.hash:
            return ChainReport(False, count, f"event {event.seq} was altered")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    head = session.get(Setting, HEAD_KEY)
    last = f"{expected_seq - 1}:{prev_hash}"
    if (head is None and count) or (head is not None and head.value != last):
        return ChainReport(False, count, "the last events were removed (chain head does not match)")
    return ChainReport(True, count)


def count_events(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


@dataclass(frozen=True)
class AuditRow:
    """One event of the trail as plain data for a list: who, when, what, and each field's before and after."""

    seq: int
    at: dt.datetime
    username: str
    action: str
    table: str
    record_id: str
    summary: str
    changes: dict[str, list[Any]]


@dataclass(frozen=True)
class AuditFacets:
    """The values the trail's filters can take: users, actions and tables that occur in it."""

    usernames: list[str]
    actions: list[str]
    tables: list[str]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_events(
    session: Session,
    actor: Actor,
    *,
    username: str | None = None,
    action: str | None = None,
    table: str | None = None,
    text: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 200,
) -> tuple[int, list[AuditRow]]:
    """A page of the trail, newest first, and how many events match in all.

    `text` is looked for in the summary, the record id and the changes; `since` is inclusive and
    `until` exclusive (aware datetimes)."""
    from sqlalchemy import or_

    from app.services.context import require

    require(actor, "audit.read")
    conditions: list[Any] = []
    if username:
        conditions.append(AuditEvent.username == username)
    if action:
        conditions.append(AuditEvent.action == action)
    if table:
        conditions.append(AuditEvent.table_name == table)
    if text and text.strip():
        pattern = _like_pattern(text.strip())
        conditions.append(or_(
            AuditEvent.summary.like(pattern, escape="\\"),  # type: ignore[attr-defined]
            AuditEvent.record_id.like(pattern, escape="\\"),  # type: ignore[attr-defined]
            AuditEvent.changes.like(pattern, escape="\\"),  # type: ignore[attr-defined]
        ))
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    total = int(session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one())
    query = (select(AuditEvent).where(*conditions).order_by(AuditEvent.seq.desc())  # type: ignore[union-attr]
             .offset(max(0, offset)).limit(max(0, limit)))
    rows = [
        AuditRow(seq=e.seq or 0, at=e.at, username=e.username, action=e.action, table=e.table_name,
                 record_id=e.record_id, summary=e.summary, changes=_load_changes(e.changes))
        for e in session.exec(query).all()
    ]
    return total, rows


def _load_changes(raw: str) -> dict[str, list[Any]]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def event_facets(session: Session, actor: Actor) -> AuditFacets:
    """The distinct users, actions and tables of the trail, for the filter lists."""
    from app.services.context import require

    require(actor, "audit.read")

    def distinct(column: Any) -> list[str]:
        return [v for v in session.exec(select(column).distinct().order_by(column)).all() if v]

    return AuditFacets(distinct(AuditEvent.username), distinct(AuditEvent.action), distinct(AuditEvent.table_name))
