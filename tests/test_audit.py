import json
import sqlite3
import threading

from app.models.audit import AuditEvent
from app.paths import DB_FILE
from app.services import audit, households
from app.services.context import Actor
from app.store.engine import Store, open_store


def test_every_write_records_who_what_and_each_fields_before_and_after(store: Store, admin: Actor,
                                                                        village: dict[str, str]) -> None:
    with store.write() as session:
        households.update_household(session, admin, village["h1"],
                                    households.HouseholdInput("0001", "庄墩村一组99号", micro_grid_id=village["m1"]))
    with store.read() as session:
        event = session.exec(audit.select(AuditEvent).where(AuditEvent.record_id == village["h1"],
                                                            AuditEvent.action == "update")).all()[-1]
    assert event.username == "admin" and event.table_name == "household"
    assert json.loads(event.changes) == {"address": ["庄墩村一组1号", "庄墩村一组99号"]}


def test_nothing_is_recorded_when_nothing_changed(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        before = audit.count_events(session)
    with store.write() as session:
        households.update_household(session, admin, village["h1"],
                                    households.HouseholdInput("0001", "庄墩村一组1号", micro_grid_id=village["m1"]))
    with store.read() as session:
        assert audit.count_events(session) == before


def _tamper(store: Store, sql: str) -> None:
    assert store.db_path is not None
    conn = sqlite3.connect(store.db_path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_chain_verifies_and_detects_an_edited_event(store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.read() as session:
        assert audit.verify_chain(session).ok
    _tamper(store, "UPDATE audit_event SET username = 'someone' WHERE seq = 3")
    with store.read() as session:
        report = audit.verify_chain(session)
    assert not report.ok and "3" in report.problem


def test_chain_detects_a_deleted_event(store: Store, admin: Actor, village: dict[str, str]) -> None:
    _tamper(store, "DELETE FROM audit_event WHERE seq = 4")
    with store.read() as session:
        assert "missing" in audit.verify_chain(session).problem


def test_chain_detects_removed_last_events(store: Store, admin: Actor, village: dict[str, str]) -> None:
    _tamper(store, "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    with store.read() as session:
        assert not audit.verify_chain(session).ok


def test_two_windows_writing_at_once_keep_one_unbroken_chain(store: Store, admin: Actor, data_dir) -> None:  # type: ignore[no-untyped-def]
    second = open_store(data_dir)
    errors: list[BaseException] = []

    def add_many(s: Store, prefix: str) -> None:
        try:
            for i in range(15):
                with s.write() as session:
                    households.create_household(session, admin, households.HouseholdInput(f"{prefix}{i:03d}"),
                                                [households.PersonInput("王五")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_many, args=(store, "A")), threading.Thread(target=add_many, args=(second, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.dispose()
    assert errors == []
    with store.read() as session:
        report = audit.verify_chain(session)
        assert report.ok, report.problem
        assert households.count_households(session, admin) == 30
    assert (data_dir / DB_FILE).exists()
