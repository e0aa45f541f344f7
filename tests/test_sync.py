"""Sync end to end with real desks: change log, bundles over a folder, receipts, ordering, gaps, tampering,
conflicts, rotation and revocation, and the township's decisions travelling back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from app.errors import PermissionDenied, ValidationError, VerificationFailed
from app.models.cases import Case, CaseDecision, CaseMediator, CaseStatus
from app.models.points import PointsBalance
from app.models.sync import BundleRecord, ChangeLog
from app.services import case_flow, cases, points
from app.services.cases import MediatorInput
from app.sync import export, identity, importer, status
from app.sync.bundle import BundleError
from app.sync.keys import load_keys
from tests.sync_support import (
    Desk,
    bundle_for,
    deliver,
    enroll,
    everything,
    open_case,
    pair,
    synced_rows,
    township_desk,
    village_desk,
)


@pytest.fixture
def desks(tmp_path: Path, township_db: str | None) -> tuple[Desk, Desk]:
    """A demo village and a township center (on SQLite, then on PostgreSQL), enrolled both ways."""
    village = village_desk(tmp_path / "village")
    township = township_desk(tmp_path / "township", township_db)
    pair(village, township)
    yield village, township
    village.close()
    township.close()


def test_every_write_lands_in_the_change_log_in_its_own_transaction(desks: tuple[Desk, Desk]) -> None:
    village, _ = desks
    with village.store.read() as session:
        before = session.exec(select(ChangeLog)).all()
        case = session.exec(select(Case)).first()
    assert before and all(c.device == village.device for c in before)
    with village.store.write() as session:
        cases.add_mediator(session, village.admin, case.id, MediatorInput("调解员甲", "peoples_mediator"))
    with pytest.raises(RuntimeError), village.store.write() as session:  # rolled back: no change logged
        cases.add_mediator(session, village.admin, case.id, MediatorInput("调解员乙", "peoples_mediator"))
        raise RuntimeError("power cut")
    with village.store.read() as session:
        after = session.exec(select(ChangeLog).order_by(ChangeLog.seq)).all()
    new = after[len(before) :]
    assert [c.table_name for c in new] == ["case_mediator"]
    assert '"调解员甲"' in new[0].data and new[0].seq == before[-1].seq + 1
    assert [c.seq for c in after] == list(range(1, len(after) + 1))


def test_round_trip_village_to_township_and_receipt_back(desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    village, township = desks
    usb = tmp_path / "usb"
    usb.mkdir()
    with village.store.write() as session:
        written = export.export_to_folder(session, village.admin, village.data_dir, usb)
    [(built, path)] = written
    assert path.exists() and not list(usb.glob(".*part"))
    outcome = importer.import_path(township.store, township.data_dir, path, actor=township.admin)
    assert outcome.status == "imported", outcome.reason
    assert outcome.applied == built.changes
    receipt = path.with_name(path.name + ".receipt")
    assert receipt.exists()
    back = importer.import_path(village.store, village.data_dir, receipt, actor=village.admin)
    assert back.status == "delivered"
    # cases, points and risk: every row the village made is at the township, equal field by field
    rows_v, rows_t = synced_rows(village.store, village.device), synced_rows(township.store, village.device)
    assert rows_v == rows_t
    for table in ("dispute_case", "case_party", "agreement", "points_entry", "risk_assessment", "household", "person"):
        assert rows_t[table], table
    # derived data is rebuilt at the township: balances and search
    with village.store.read() as session:
        balances_v = {b.household_id: b.balance for b in session.exec(select(PointsBalance))}
    with township.store.read() as session:
        balances_t = {b.household_id: b.balance for b in session.exec(select(PointsBalance))}
        assert points.balance_mismatches(session) == []
        some_case = session.exec(select(Case)).first()
        found = cases.list_cases(session, township.admin, cases.CaseFilter(query=some_case.number))
    assert balances_t == balances_v
    assert [c.id for c in found] == [some_case.id]
    with village.store.read() as session:
        summary = status.summary(session, village.data_dir)
        assert summary.peers[0].pending == 0 and summary.peers[0].last_receipt is not None
        assert session.exec(select(BundleRecord).where(BundleRecord.direction == "out")).one().status == "delivered"
    # nothing new: the next export writes nothing
    with village.store.write() as session:
        assert export.export_to_folder(session, village.admin, village.data_dir, usb) == []


def test_later_changes_travel_incrementally_and_tombstones_delete(desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    deliver(village, township, bundle_for(village, township))
    with village.store.write() as session:
        case = session.exec(select(Case)).first()
        row = cases.add_mediator(session, village.admin, case.id, MediatorInput("新调解员", "peoples_mediator"))
    with village.store.write() as session:
        session.delete(session.get(CaseMediator, row.id))
    second = bundle_for(village, township)
    assert second.seq_from > 1 and second.changes == 2
    assert deliver(village, township, second).status == "imported"
    with township.store.read() as session:
        assert session.get(CaseMediator, row.id) is None
    assert synced_rows(village.store, village.device) == synced_rows(township.store, village.device)


def test_search_text_follows_a_person_who_moved_to_another_household(desks: tuple[Desk, Desk]) -> None:
    from app.models.roster import Household, HouseholdSearch, Person
    from app.services import households

    village, township = desks
    deliver(village, township, bundle_for(village, township))
    with village.store.write() as session:
        person = session.exec(select(Person).where(Person.retired == False)).first()  # noqa: E712
        old, name = person.household_id, person.name
        new = session.exec(select(Household.id).where(Household.id != old)).first()
        person.household_id = new
        session.add(person)
    deliver(village, township, bundle_for(village, township))
    with township.store.read() as session:
        assert name in session.exec(select(HouseholdSearch.text).where(HouseholdSearch.household_id == new)).one()
        assert name not in session.exec(select(HouseholdSearch.text).where(HouseholdSearch.household_id == old)).one()
    with village.store.write() as session:
        person = session.get(Person, person.id)
        person.name = "𠮷䶮迁户"
        session.add(person)
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    with township.store.read() as session:
        found = set(session.exec(select(Household.id).where(col(Household.id).in_(households.matching_household_ids(session, "𠮷䶮迁户")))))
        old_text = session.exec(select(HouseholdSearch.text).where(HouseholdSearch.household_id == old)).one()
    assert found == {new}
    assert "𠮷䶮迁户" not in old_text


def test_references_are_checked_as_a_set_at_the_township(desks: tuple[Desk, Desk]) -> None:
    """The import writes with SQLite's row-by-row foreign keys off and checks them itself: a row naming a
    parent the township does not have, or a tombstone of a parent others still name, is rejected whole."""
    from sqlalchemy.exc import IntegrityError

    from app.models.roster import Household, Person

    village, township = desks
    deliver(village, township, bundle_for(village, township))
    before = everything(township.store)
    with village.store.write(references_checked_by_caller=True) as session:  # a desk with a broken file
        case = session.exec(select(Case)).first()
        session.add(CaseMediator(case_id="00000000-dangling", name="无此案", role="peoples_mediator", origin=village.device))
        case.summary = case.summary + "。"
    dangling = bundle_for(village, township, record=False)
    outcome = importer.import_bytes(township.store, township.data_dir, dangling.data)
    assert outcome.status == "rejected" and "does not have" in outcome.reason
    assert everything(township.store) == before
    with village.store.write(references_checked_by_caller=True) as session:
        for row in session.exec(select(CaseMediator).where(CaseMediator.case_id == "00000000-dangling")):
            session.delete(row)
        household = session.exec(select(Household).where(col(Household.id).in_(select(Person.household_id)))).first()
        session.delete(household)  # its people still name it
    orphaning = bundle_for(village, township, record=False)
    outcome = importer.import_bytes(township.store, township.data_dir, orphaning.data)
    assert outcome.status == "rejected" and "still refer to" in outcome.reason
    assert everything(township.store) == before
    # and the pooled connection that wrote unchecked is checked again for everyone else
    with pytest.raises(IntegrityError), village.store.write() as session:
        session.add(CaseMediator(case_id="00000000-other", name="无此案", role="peoples_mediator", origin=village.device))


def test_the_same_bundle_twice_is_already_imported(desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    built = bundle_for(village, township)
    assert deliver(village, township, built).status == "imported"
    before = everything(township.store)
    again = deliver(village, township, built)
    assert again.status == "already" and again.applied == 0
    assert everything(township.store) == before


def test_bundles_out_of_order_are_held_then_applied(desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    village, township = desks
    first = bundle_for(village, township)
    with village.store.write() as session:
        case = session.exec(select(Case)).first()
        cases.add_mediator(session, village.admin, case.id, MediatorInput("后来的调解员", "peoples_mediator"))
    second = bundle_for(village, township, after=first.seq_to)
    held = importer.import_bytes(township.store, township.data_dir, second.data, actor=township.admin)
    assert held.status == "held" and f"{1}–{first.seq_to}" in held.reason
    with township.store.read() as session:
        gap = status.summary(session, township.data_dir).peers[0]
    assert gap.held == 1 and gap.missing == f"1–{first.seq_to}"
    now = importer.import_bytes(township.store, township.data_dir, first.data, actor=township.admin)
    assert now.status == "imported"
    assert [r.status for r in now.released] == ["imported"]
    assert synced_rows(village.store, village.device) == synced_rows(township.store, village.device)
    with township.store.read() as session:
        assert status.summary(session, township.data_dir).peers[0].held == 0
        assert not list((township.data_dir / "sync" / "held").iterdir())


def test_two_villages_into_one_township(tmp_path: Path, township_db: str | None) -> None:
    township = township_desk(tmp_path / "township", township_db)
    one = village_desk(tmp_path / "one", seed=1)
    two = village_desk(tmp_path / "two", seed=2, households=9)
    for v in (one, two):
        pair(v, township)
        assert deliver(v, township, bundle_for(v, township)).status == "imported"
    for v in (one, two):
        assert synced_rows(v.store, v.device) == synced_rows(township.store, v.device)
    from app.services import township as township_service

    with township.store.read() as session:
        rows = township_service.villages(session, township.admin, township.data_dir)
    assert sorted(r.households for r in rows) == [9, 12]
    for d in (township, one, two):
        d.close()


def test_a_bundle_from_an_unenrolled_or_revoked_desk_or_for_another_township_is_rejected(tmp_path: Path, township_db: str | None) -> None:
    township = township_desk(tmp_path / "township", township_db)
    other_town = township_desk(tmp_path / "other")
    village = village_desk(tmp_path / "village", cases=0, entries=0)
    enroll(village, other_town)  # the village sends to the other township ...
    enroll(other_town, village)
    stray = bundle_for(village, other_town)
    outcome = importer.import_bytes(township.store, township.data_dir, stray.data)  # ... and the stick ends up here
    assert outcome.status == "rejected" and "addressed to another desk" in outcome.reason
    enroll(township, village)
    assert "addressed to another desk" in importer.import_bytes(township.store, township.data_dir, stray.data).reason
    with village.store.write() as session:  # the village now reports to this township
        identity.revoke(session, village.admin, other_town.device, "换到长安镇")
    enroll(village, township)
    built = bundle_for(village, township)
    with township.store.write() as session:
        identity.revoke(session, township.admin, village.device, "笔记本电脑丢失")
    before = everything(township.store)
    outcome = importer.import_bytes(township.store, township.data_dir, built.data)
    assert outcome.status == "rejected" and "revoked" in outcome.reason and "笔记本电脑丢失" in outcome.reason
    assert outcome.receipt is None
    assert everything(township.store) == before
    stranger = township_desk(tmp_path / "stranger")
    with village.store.write() as session:
        identity.revoke(session, village.admin, township.device, "换到另一个镇")
    enroll(village, stranger)
    unknown = importer.import_bytes(stranger.store, stranger.data_dir, bundle_for(village, stranger).data)
    assert unknown.status == "rejected" and "not enrolled" in unknown.reason
    for d in (township, other_town, village, stranger):
        d.close()


def test_same_sequence_with_different_content_is_a_conflict(desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    village, township = desks
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    import shutil

    from app.store.engine import open_store

    clone_dir = tmp_path / "clone"  # a copy of the village's disk, keys and all
    village.store.dispose()
    shutil.copytree(village.data_dir, clone_dir)
    clone = Desk(open_store(clone_dir), clone_dir, village.admin)
    with village.store.write() as session:
        case = session.exec(select(Case)).first()
        cases.add_mediator(session, village.admin, case.id, MediatorInput("真的", "peoples_mediator"))
    with clone.store.write() as session:
        case = session.exec(select(Case)).first()
        cases.add_mediator(session, village.admin, case.id, MediatorInput("假的", "peoples_mediator"))
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    before = everything(township.store)
    outcome = importer.import_bytes(township.store, township.data_dir, bundle_for(clone, township).data)
    assert outcome.status == "conflict" and "cloned device" in outcome.reason and outcome.receipt is None
    assert everything(township.store) == before
    clone.close()


def test_every_flipped_byte_and_every_truncation_is_rejected(tmp_path: Path) -> None:
    village = village_desk(tmp_path / "village", households=1, cases=0, entries=0)
    township = township_desk(tmp_path / "township")
    pair(village, township)
    raw = bundle_for(village, township).data
    before = everything(township.store)
    with township.store.read() as session:
        me = township.device
        keys = load_keys(township.data_dir, me)
        importer._verify(session, keys, me, raw)  # the untouched bundle passes
        for i in range(len(raw)):
            for bad in (raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1 :], raw[:i]):
                with pytest.raises(BundleError):
                    importer._verify(session, keys, me, bad)
    for i in range(0, len(raw), max(1, len(raw) // 60)):  # and through the whole import, a sample of them
        flipped = raw[:i] + bytes([raw[i] ^ 0x80]) + raw[i + 1 :]
        assert importer.import_bytes(township.store, township.data_dir, flipped).status == "rejected"
        assert importer.import_bytes(township.store, township.data_dir, raw[:i]).status == "rejected"
    assert everything(township.store) == before
    assert importer.import_bytes(township.store, township.data_dir, raw).status == "imported"
    village.close()
    township.close()


def test_a_key_rotation_is_announced_under_the_old_key(desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    old = bundle_for(village, township, record=False)
    with village.store.write() as session:
        keys = identity.rotate(session, village.admin, village.data_dir)
    built = bundle_for(village, township)
    assert deliver(village, township, built).status == "imported"
    with township.store.read() as session:
        assert identity.find_peer(session, village.device).key_id == keys.current.key_id
    assert load_keys(village.data_dir, village.device).rotation is None  # the receipt showed the township knows it
    # the retired key signs nothing any more
    assert importer.import_bytes(township.store, township.data_dir, old.data).status == "rejected"


def test_the_township_decision_travels_back_to_the_village(desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    village, township = desks
    case_id = open_case(village)
    with village.store.write() as session:
        case = case_flow.transfer(session, village.admin, case_id, "township_center", "涉及两个村，需镇里协调")
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    from app.services import township as township_service

    with township.store.read() as session:
        inbox = township_service.inbox(session, township.admin)
    mine = next(r for r in inbox if r.case_id == case.id)
    assert mine.state == "waiting" and "需镇里协调" in mine.reason
    with township.store.write() as session:
        township_service.decide(session, township.admin, case.id, "accepted", "")
    with township.store.write() as session:
        with pytest.raises(ValidationError):
            township_service.decide(session, township.admin, case.id, "decided", "")
        township_service.decide(session, township.admin, case.id, "decided", "由镇司法所牵头，两村共同调解，已达成协议。")
    with pytest.raises(PermissionDenied), township.store.write() as session:  # the village's case stays the village's
        session.get(Case, case.id).summary = "改掉"
    usb = tmp_path / "usb"
    usb.mkdir()
    with township.store.write() as session:
        [(back, path)] = export.export_to_folder(session, township.admin, township.data_dir, usb)
    assert back.changes == 2
    outcome = importer.import_path(village.store, village.data_dir, path, actor=village.admin)
    assert outcome.status == "imported"
    with village.store.read() as session:
        view = cases.case_view(session, village.admin, case.id)
        assert [d.kind for d in view.decisions] == ["accepted", "decided"]
        assert session.exec(select(CaseDecision)).all() and len(session.exec(select(Case)).all()) >= 8
        assert session.get(Case, case.id).status == CaseStatus.TRANSFERRED
    receipt = importer.import_path(township.store, township.data_dir, path.with_name(path.name + ".receipt"))
    assert receipt.status == "delivered"
    with township.store.read() as session:
        assert status.summary(session, township.data_dir).peers[0].pending == 0


def test_a_village_only_receives_what_is_meant_for_it(tmp_path: Path, township_db: str | None) -> None:
    township = township_desk(tmp_path / "township", township_db)
    one = village_desk(tmp_path / "one", seed=1)
    two = village_desk(tmp_path / "two", seed=2)
    ids = {}
    for v in (one, two):
        pair(v, township)
        case_id = open_case(v)
        with v.store.write() as session:
            case_flow.transfer(session, v.admin, case_id, "township_center", "转镇")
        ids[v.device] = case_id
        deliver(v, township, bundle_for(v, township))
    from app.services import township as township_service

    with township.store.write() as session:
        for case_id in ids.values():
            township_service.decide(session, township.admin, case_id, "returned", "退回村里继续调解")
    back = bundle_for(township, one)
    assert back.changes == 1 and back.seq_to - back.seq_from + 1 > 1  # the other village's row travels as a digest only
    assert importer.import_bytes(one.store, one.data_dir, back.data).status == "imported"
    with one.store.read() as session:
        assert [d.case_id for d in session.exec(select(CaseDecision))] == [ids[one.device]]
    for d in (township, one, two):
        d.close()


def test_identity_files_are_checked(desks: tuple[Desk, Desk]) -> None:
    village, township = desks
    with village.store.read() as session:
        raw = identity.identity_file(session, village.data_dir)
    good = identity.read_identity(raw)
    assert len(good.fingerprint.split()) == 8
    tampered = raw.replace("庄墩村".encode(), "李家村".encode(), 1) if "庄墩村".encode() in raw else raw.replace(b'"kind"', b'"kinD"')
    with pytest.raises(VerificationFailed):
        identity.read_identity(tampered)
    for junk in (b"", b"{}", b"\xff" * 10, raw[:-5], b"[" * 100_000):
        with pytest.raises(VerificationFailed):
            identity.read_identity(junk)
    with township.store.write() as session, pytest.raises(ValidationError) as err:
        identity.enroll(session, township.admin, township.data_dir, good, "12345 67890")
    assert err.value.field == "fingerprint"


def test_an_export_killed_half_way_leaves_no_file_under_the_final_name(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    target = tmp_path / "usb" / "big.mdbundle"
    target.parent.mkdir()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"""
import sys, time
from pathlib import Path
from app.files import atomic_writer
with atomic_writer(Path({str(target)!r})) as fh:
    for i in range(1000):
        fh.write(b"x" * 65536)
        fh.flush()
        if i == 3:
            print("writing", flush=True)
        time.sleep(0.01)
""",
        ],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"writing"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert not target.exists()
    assert any(p.name.endswith(".part") for p in target.parent.iterdir())  # only the temporary name was written


def test_a_restored_village_starts_a_new_epoch_and_the_township_follows(desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    from app.services import backup
    from app.store.engine import open_store

    village, township = desks
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    saved = backup.create_backup(village.store, tmp_path / "stick", actor=village.admin)
    case_id = open_case(village, "备份之后登记的案件")
    assert deliver(village, township, bundle_for(village, township)).status == "imported"
    backup.restore_backup(village.store, saved.path, village.admin)  # the case registered after the backup is gone here
    restored = Desk(open_store(village.data_dir), village.data_dir, village.admin)
    with restored.store.read() as session:
        assert session.get(Case, case_id) is None
        epochs = {c.epoch for c in session.exec(select(ChangeLog).where(ChangeLog.device == restored.device))}
    assert epochs == {1, 2}  # the new epoch begins with the restored state, sequence numbers never reused
    with restored.store.write() as session:
        case = session.exec(select(Case)).first()
        cases.add_mediator(session, village.admin, case.id, MediatorInput("恢复后的调解员", "peoples_mediator"))
    built = bundle_for(restored, township)
    assert (built.epoch, built.seq_from) == (2, 1)
    assert deliver(restored, township, built).status == "imported"
    village.store = restored.store  # so the fixture closes the open one
    rows_v = synced_rows(restored.store, restored.device)
    rows_t = synced_rows(township.store, restored.device)
    # the township keeps the case the restore lost (it never deletes what it was sent), and holds all the rest as restored
    assert {k: v for k, v in rows_t.items() if k not in ("dispute_case", "case_party", "case_event", "case_household")} == \
        {k: v for k, v in rows_v.items() if k not in ("dispute_case", "case_party", "case_event", "case_household")}


def test_check_notices_a_tampered_change_log(desks: tuple[Desk, Desk]) -> None:
    from sqlalchemy import text

    from app.services import check

    village, _ = desks
    report = check.run_checks(village.store)
    assert report.ok and report.changes > 100
    with village.store.write() as session:
        session.execute(text("UPDATE change_log SET data = replace(data, '庄墩村', '李家村') WHERE seq = 1"))
    report = check.run_checks(village.store)
    assert not report.ok and "change 1 was altered" in report.changes_problem


def test_attachments_travel_by_content_hash(desks: tuple[Desk, Desk], tmp_path: Path) -> None:
    village, township = desks
    scan = tmp_path / "申请书扫描件.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    case_id = open_case(village)
    with village.store.write() as session:
        row = case_flow.add_attachment(session, village.admin, village.data_dir, case_id, scan, "application", "申请书")
    built = bundle_for(village, township)
    assert deliver(village, township, built).status == "imported"
    copy = case_flow.attachment_path(township.data_dir, row.sha256)
    assert copy.read_bytes() == scan.read_bytes()
    # a bundle whose attached file was changed on the way is refused as a whole
    flipped = importer.import_bytes(township.store, township.data_dir, built.data[:-40] + bytes(40))
    assert flipped.status == "rejected"
