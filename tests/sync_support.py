"""Desks for the sync tests: small demo villages, a township (SQLite or PostgreSQL), enrollment both ways,
and a fingerprint of a desk's synced data to compare two desks with."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.models.committee import DeskMode
from app.services import committee, demo, demo_cases, demo_points, demo_risk, users
from app.services.context import Actor
from app.store.engine import Store, open_store
from app.sync import export, identity, importer
from app.sync.changelog import local_identity
from app.sync.tables import synced_tables

PASSWORD = "secret-123"
PG_ENV = "MEDIATION_DESK_TEST_PG"


@dataclass
class Desk:
    store: Store
    data_dir: Path
    admin: Actor

    @property
    def device(self) -> str:
        with self.store.read() as session:
            return local_identity(session.connection())[0]

    def close(self) -> None:
        self.store.dispose()


def village_desk(path: Path, *, seed: int = 1, households: int = 12, cases: int = 8, entries: int = 80) -> Desk:
    store = open_store(path)
    summary = demo.build_demo(store, households=households, seed=seed)
    if cases:
        demo_cases.build_cases(store, cases=cases, seed=seed)
    if entries:
        demo_points.build_points(store, entries=entries, seed=seed)
    demo_risk.build_risk(store, seed=seed, quarters=2)
    admin = next(u for u in summary.users if u.role == "admin")
    return Desk(store, path, users.login(store, admin.username, admin.password))


def township_desk(path: Path, db_url: str | None = None) -> Desk:
    store = open_store(path, db_url=db_url)
    with store.write() as session:
        committee.set_up(session, committee.CommitteeInput("长安镇综治中心", "长镇", "长安镇综治中心", "", "长安镇", DeskMode.TOWNSHIP),
                         committee.AdminInput("clerk", "赵文", PASSWORD))
    return Desk(store, path, users.login(store, "clerk", PASSWORD))


def enroll(a: Desk, b: Desk) -> None:
    """`a` enrolls `b` after 'comparing the fingerprint over the phone'."""
    with b.store.read() as session:
        raw = identity.identity_file(session, b.data_dir)
    other = identity.read_identity(raw)
    with a.store.write() as session:
        identity.enroll(session, a.admin, a.data_dir, other, other.fingerprint)


def pair(village: Desk, township: Desk) -> None:
    enroll(township, village)
    enroll(village, township)


def bundle_for(sender: Desk, recipient: Desk, *, after: int | None = None, everything: bool = False,
               record: bool = True) -> export.Built:
    with sender.store.write() as session:
        peer = identity.find_peer(session, recipient.device)
        built = export.build_for(session, sender.data_dir, peer, after=after, everything=everything)
        assert built is not None
        if record:
            export.record_export(session, built, built.file_name)
    return built


def deliver(sender: Desk, recipient: Desk, built: export.Built) -> importer.Outcome:
    """Import at `recipient`, then carry its receipt back to `sender`."""
    outcome = importer.import_bytes(recipient.store, recipient.data_dir, built.data, actor=recipient.admin, file_name=built.file_name)
    if outcome.receipt is not None:
        back = importer.import_bytes(sender.store, sender.data_dir, outcome.receipt, actor=sender.admin)
        assert back.status == "delivered", back.reason
    return outcome


def synced_rows(store: Store, origin: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced row made by `origin`, per table, sorted: equal on two desks when sync is complete."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with store.read() as session:
        for table in synced_tables():
            rows = session.connection().execute(select(table).where(table.c.origin == origin)).all()
            result[table.name] = sorted(tuple(_plain(v) for v in row) for row in rows)
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def everything(store: Store, *, skip: tuple[str, ...] = ("sync_bundle",)) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of all tables but the bundle log: to prove a rejected bundle changed nothing."""
    from sqlmodel import SQLModel

    result: dict[str, list[tuple[Any, ...]]] = {}
    with store.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in skip:
                continue
            result[table.name] = sorted(map(repr, session.connection().execute(select(table)).all()))  # type: ignore[arg-type]
    return result


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def open_case(desk: Desk, summary: str = "两家因宅基地界址发生争执") -> str:
    """Register a fresh case between two people of the roster; returns its id."""
    from sqlmodel import col
    from sqlmodel import select as sm_select

    from app.clock import today
    from app.models.roster import Person
    from app.services import cases

    with desk.store.write() as session:
        people = session.exec(sm_select(Person).order_by(col(Person.id)).limit(2)).all()
        case = cases.register_case(session, desk.admin, cases.CaseInput(today(), "party_applied", "homestead", summary),
                                   [cases.PartyInput("applicant", person_id=people[0].id),
                                    cases.PartyInput("respondent", person_id=people[1].id)], confirm_duplicate=True)
        return case.id
