"""Roster export to .xlsx: layout, text ID cells, masking by role, audit, atomic write, and the round trip
back through the import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from app.errors import NotFound, ValidationError
from app.models.audit import AuditEvent
from app.models.roster import Person
from app.models.users import Role
from app.services import audit, households
from app.services.context import Actor
from app.services.roster_export import export_roster
from app.services.roster_import import (
    EXPORT_HEADERS,
    FIELD_KEYS,
    apply_import,
    guess_mapping,
    plan_import,
    read_table,
)
from app.store.engine import Store, open_store
from tests.conftest import ADMIN_PASSWORD, make_user

HEADERS = ["户号", "地址", "村民小组", "微网格", "姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "与户主关系",
           "关爱标记", "职业", "备注"]


def export(store: Store, actor: Actor, path: Path, cell_id: str | None = None) -> int:
    with store.write() as session:
        return export_roster(session, actor, path, cell_id)


def sheet_rows(path: Path) -> list[list[object]]:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.fixture
def more(store: Store, admin: Actor, village: dict[str, str]) -> dict[str, str]:
    """Households 0010 and 2 (to check the natural order of 户号), and care flags and a note on 张三."""
    with store.write() as session:
        h10 = households.create_household(session, admin, households.HouseholdInput("0010", "庄墩村一组10号"),
                                          [households.PersonInput("周十", sex="male")])
        h2 = households.create_household(session, admin, households.HouseholdInput("2", "庄墩村二组2号"),
                                         [households.PersonInput("吴二", sex="female", ethnicity="回族")])
        head = households.household_detail(session, admin, village["h1"]).members[0]
        stored = session.get(Person, head.id)
        assert stored is not None
        current = households.person_input(stored)
        households.update_person(session, admin, head.id, households.PersonInput(
            current.name, current.sex, current.ethnicity, current.birth_date, current.id_number, current.mobile,
            current.relation_to_head, ("elderly_alone", "subsistence"), "农民", "腿脚不便\n需上门"))
    return {"h10": h10.id, "h2": h2.id}


def test_export_layout_text_ids_dates_and_order(store: Store, admin: Actor, village: dict[str, str],
                                                more: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "花名册.xlsx"
    assert export(store, admin, path) == 5
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    assert ws.title == "花名册"
    assert ws["A1"].value == "庄墩村人民调解委员会 人员花名册"
    assert str(ws["A2"].value).startswith("Exported on " + dt.date.today().isoformat()[:4])
    assert [c.value for c in ws[3]] == HEADERS == [EXPORT_HEADERS[k] for k in FIELD_KEYS]
    assert ws.freeze_panes == "A4"
    assert all((ws.column_dimensions[letter].width or 0) >= 6 for letter in "ABCDEFGHIJKLMN")
    assert ws.column_dimensions["I"].width >= 18  # a whole ID number is visible
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [(r[0], r[4]) for r in data] == [("0001", "张三"), ("0001", "李四"), ("0002", "𠮷䶮"), ("2", "吴二"),
                                            ("0010", "周十")]
    zhang = data[0]
    assert zhang[1:4] == ["庄墩村一组1号", "一组", "一组第1微网格"]
    assert zhang[5:8] == ["女", "汉族", dt.datetime(1949, 12, 31)]
    assert zhang[8] == "11010519491231002X" and zhang[9] == "13800138000"
    assert zhang[10] == "户主" and zhang[11] == "孤寡老人、低保" and zhang[12] == "农民" and zhang[13] == "腿脚不便\n需上门"
    id_cell, mobile_cell, number_cell, date_cell = ws["I4"], ws["J4"], ws["A4"], ws["H4"]
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert mobile_cell.data_type == "s" and number_cell.data_type == "s"
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"
    assert ws["C6"].value == "二组" and ws["D6"].value is None  # 0002: a group, no micro-grid
    with store.read() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.table_name == "person" and event.username == "admin"
        assert "5 persons, full ID numbers" in event.summary and "花名册.xlsx" in event.summary
        assert audit.verify_chain(session).ok


def test_numbers_sort_naturally(store: Store, admin: Actor, village: dict[str, str], more: dict[str, str],
                                tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    export(store, admin, path)
    numbers = [r[0] for r in sheet_rows(path)[3:]]
    assert numbers == ["0001", "0001", "0002", "2", "0010"]  # 10 after 2, whatever the zeros


def test_a_viewer_gets_masked_id_numbers(store: Store, admin: Actor, village: dict[str, str],
                                         tmp_path: Path) -> None:
    viewer = make_user(store, admin, "viewer1", Role.VIEWER)
    path = tmp_path / "viewer.xlsx"
    assert export(store, viewer, path) == 3
    rows = sheet_rows(path)
    assert rows[3][8] == "110105********002X"
    assert all("********" in str(r[8]) for r in rows[3:] if r[8])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None and ws["I4"].data_type == "s"
    with store.read() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.username == "viewer1" and "masked ID numbers" in event.summary


def test_export_of_one_group_or_micro_grid(store: Store, admin: Actor, village: dict[str, str],
                                           tmp_path: Path) -> None:
    assert export(store, admin, tmp_path / "g2.xlsx", village["g2"]) == 1
    assert [r[4] for r in sheet_rows(tmp_path / "g2.xlsx")[3:]] == ["𠮷䶮"]
    assert export(store, admin, tmp_path / "m1.xlsx", village["m1"]) == 2
    assert export(store, admin, tmp_path / "all.xlsx", village["root"]) == 3
    with pytest.raises(NotFound), store.write() as session:
        export_roster(session, admin, tmp_path / "x.xlsx", "no-such-cell")


def test_removed_people_are_not_exported(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    with store.write() as session:
        li = next(m for m in households.household_detail(session, admin, village["h1"]).members if m.name == "李四")
        households.remove_member(session, admin, li.id)
    assert export(store, admin, tmp_path / "r.xlsx") == 2
    assert "李四" not in [r[4] for r in sheet_rows(tmp_path / "r.xlsx")]


def test_rare_characters_survive_export_and_import(store: Store, admin: Actor, village: dict[str, str],
                                                   tmp_path: Path) -> None:
    path = tmp_path / "rare.xlsx"
    export(store, admin, path)
    table = read_table(path)
    assert "𠮷䶮" in [r[4] for r in table.rows]


def test_export_then_reimport_changes_nothing(store: Store, admin: Actor, village: dict[str, str],
                                              more: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    count = export(store, admin, path)
    table = read_table(path)
    assert table.header_row == 3 and table.source_rows == [4, 5, 6, 7, 8]
    mapping = guess_mapping(table.headers)
    assert mapping == {key: i for i, key in enumerate(FIELD_KEYS)}
    with store.write() as session:
        plan = plan_import(session, admin, table, mapping)
        assert plan.errors == []
        assert plan.summary() == {"new_household": 0, "new_person": 0, "update": 0, "unchanged": count, "errors": 0}
        events = audit.count_events(session)
        result = apply_import(session, admin, plan)
        assert result.unchanged == count and audit.count_events(session) == events


def test_export_imports_into_a_new_desk_and_exports_the_same(store: Store, admin: Actor, village: dict[str, str],
                                                             more: dict[str, str], tmp_path: Path) -> None:
    """Moving a roster to another PC: export here, import there (groups and micro-grids are created),
    export there: the same people, cell for cell (apart from the title and date rows)."""
    from app.services import committee, users

    first = tmp_path / "here.xlsx"
    export(store, admin, first)
    other = open_store(tmp_path / "other-desk")
    try:
        with other.write() as session:
            committee.set_up(session, committee.CommitteeInput("庄墩村人民调解委员会", "甘", "", "庄墩村", "长安镇"),
                             committee.AdminInput("admin", "王丽", ADMIN_PASSWORD))
        director = users.login(other, "admin", ADMIN_PASSWORD)
        table = read_table(first)
        with other.write() as session:
            plan = plan_import(session, director, table, guess_mapping(table.headers))
            assert plan.errors == [] and plan.new_groups == ["一组", "二组"]
            result = apply_import(session, director, plan)
            assert (result.households_created, result.persons_created, result.micro_grids_created) == (4, 5, 1)
        second = tmp_path / "there.xlsx"
        with other.write() as session:
            export_roster(session, director, second)
            assert audit.verify_chain(session).ok
    finally:
        other.dispose()
    assert sheet_rows(first)[2:] == sheet_rows(second)[2:]


def test_export_writes_atomically_and_replaces_the_old_file(store: Store, admin: Actor, village: dict[str, str],
                                                            tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"old contents")
    export(store, admin, path)
    assert openpyxl.load_workbook(path).active is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk", "roster.xlsx"]  # no temporary file left


def test_bad_export_paths_are_clear_errors(store: Store, admin: Actor, village: dict[str, str],
                                           tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"must end in \.xlsx") as info, store.write() as session:
        export_roster(session, admin, tmp_path / "roster.csv")
    assert info.value.field == "file"
    with pytest.raises(ValidationError, match="does not exist"), store.write() as session:
        export_roster(session, admin, tmp_path / "no-such-folder" / "roster.xlsx")
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(ValidationError, match="is a folder"), store.write() as session:
        export_roster(session, admin, tmp_path / "dir.xlsx")
    with store.read() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "export")).first() is None


def test_a_failed_write_leaves_no_file_and_no_audit(store: Store, admin: Actor, village: dict[str, str],
                                                    tmp_path: Path) -> None:
    """A file name the file system refuses (over 255 bytes): the message names the file, no temporary file is
    left, and the audit event rolls back with the caller's transaction."""
    target = tmp_path / ("花名册" * 30 + ".xlsx")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ValidationError, match="Cannot write") as info, store.write() as session:
        export_roster(session, admin, target)
    assert info.value.field == "file" and "花名册花名册" in info.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    with store.read() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "export")).first() is None


def test_every_role_may_export(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    worker = make_user(store, admin, "grid1", Role.GRID_WORKER)
    assert export(store, worker, tmp_path / "w.xlsx") == 3
    assert sheet_rows(tmp_path / "w.xlsx")[3][8] == "11010519491231002X"
