"""Roster import: reading .xlsx/.csv files, guessing columns, planning (no writes) and applying."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select
from stdnum.iso7064 import mod_11_2

from app.errors import PermissionDenied, ValidationError
from app.models.audit import AuditEvent
from app.models.grid import GridCell, GridLevel
from app.models.roster import Household, Person
from app.models.users import Role
from app.services import audit, households
from app.services.context import Actor
from app.services.roster_import import (
    FIELD_KEYS,
    ROSTER_FIELDS,
    ImportPlan,
    RawTable,
    apply_import,
    field_label,
    guess_mapping,
    map_column,
    plan_import,
    read_table,
)
from app.store.engine import Store
from tests.conftest import make_user

HEADER = ["户号", "地址", "村民小组", "微网格", "姓名", "性别", "出生日期", "身份证号码", "联系电话", "与户主关系",
          "关爱对象", "职业", "备注"]


def make_id(birth: str, seq: int, area: str = "110105") -> str:
    """A valid resident ID number (GB 11643): odd sequence = male, even = female."""
    body = f"{area}{birth}{seq:03d}"
    return body + mod_11_2.calc_check_digit(body)


ID_ZHAO = make_id("19800101", 11)   # male
ID_QIAN = make_id("19820202", 22)   # female
ID_SUN = make_id("20100303", 31)    # male
ID_LI = make_id("19550404", 42)     # female


def good_rows() -> list[list[Any]]:
    return [
        ["0101", "庄墩村三组5号", "三组", "三组第1微网格", "赵大", "男", "", ID_ZHAO, "13800000001", "户主", "", "农民", ""],
        ["0101", "", "", "", "钱二", "女", "1982-02-02", ID_QIAN, "", "配偶", "", "", ""],
        ["0101", "", "", "", "赵小", "", "", ID_SUN, "", "子", "留守儿童", "学生", ""],
        ["0102", "庄墩村三组9号", "三组", "", "孙婆婆", "女", "", ID_LI, "13800000002", "户主", "孤寡老人、低保", "", "独居"],
    ]


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER,
               title: str | None = "庄墩村花名册") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    if title:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, *,
              encoding: str = "utf-8", delimiter: str = ",", title: str | None = None) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter)
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def plan_file(store: Store, actor: Actor, path: Path) -> ImportPlan:
    table = read_table(path)
    with store.read() as session:
        return plan_import(session, actor, table, guess_mapping(table.headers))


def import_file(store: Store, actor: Actor, path: Path) -> tuple[ImportPlan, Any]:
    table = read_table(path)
    with store.write() as session:
        plan = plan_import(session, actor, table, guess_mapping(table.headers))
        assert plan.errors == []
        result = apply_import(session, actor, plan)
    return plan, result


def counts(store: Store) -> tuple[int, int, int, int]:
    with store.read() as session:
        return (int(session.exec(select(func.count()).select_from(Household)).one()),
                int(session.exec(select(func.count()).select_from(Person)).one()),
                int(session.exec(select(func.count()).select_from(GridCell)).one()),
                audit.count_events(session))


def person_named(store: Store, name: str) -> Person:
    with store.read() as session:
        return session.exec(select(Person).where(Person.name == name)).one()


# ---------------------------------------------------------------- fields and columns


def test_fields_are_ordered_and_labelled() -> None:
    assert FIELD_KEYS[:5] == ("household_number", "address", "group", "micro_grid", "name")
    assert [f.key for f in ROSTER_FIELDS][-1] == "note" and len(ROSTER_FIELDS) == 14
    key, label = ROSTER_FIELDS[0]
    assert (key, label) == ("household_number", "Household number")
    assert field_label("id_number") == "ID number"
    assert field_label("mobile") == "Mobile number"


@pytest.mark.parametrize(("header", "field"), [
    ("户编号", "household_number"), ("家庭住址", "address"), ("组别", "group"), ("组", "group"),
    ("网格", "micro_grid"), ("户主姓名", "name"), ("出生年月", "birth_date"), ("公民身份号码", "id_number"),
    ("身份证号码（18位）", "id_number"), ("手机号", "mobile"), ("电话", "mobile"), ("关系", "relation_to_head"),
    ("特殊人群", "care_flags"), ("职业", "occupation"), ("备注", "note"), ("* 姓 名 ：", "name"),
    ("Household Number", "household_number"), ("  ID number ", "id_number"), ("MOBILE NUMBER", "mobile"),
    ("Micro-grid", "micro_grid"), ("villager group", "group"), ("Care flags", "care_flags"),
])
def test_guess_mapping_knows_common_headers(header: str, field: str) -> None:
    assert guess_mapping(["序号", header]) == {field: 1}


def test_guess_mapping_prefers_the_better_header_and_uses_a_column_once() -> None:
    mapping = guess_mapping(["户主姓名", "姓名", "户号", "网格", "微网格", "备注", "备注"])
    assert mapping == {"name": 1, "household_number": 2, "micro_grid": 4, "note": 5}


def test_map_column_changes_one_field_and_names_unknown_columns() -> None:
    headers = ["户号", "成员", "户主姓名"]
    mapping = guess_mapping(headers)
    assert mapping == {"household_number": 0, "name": 2}
    assert map_column(mapping, headers, "name", "成员") == {"household_number": 0, "name": 1}
    assert mapping == {"household_number": 0, "name": 2}  # a new mapping; the old one is left alone
    assert map_column(mapping, headers, "note", "户主姓名") == {"household_number": 0, "note": 2}
    assert map_column(mapping, headers, "name", "") == {"household_number": 0}
    with pytest.raises(ValidationError, match="no column “电话”") as info:
        map_column(mapping, headers, "mobile", "电话")
    assert info.value.field == "mobile" and "Mobile number" in info.value.message
    with pytest.raises(ValidationError, match="no field “phone_number”"):
        map_column(mapping, headers, "phone_number", "成员")


# ---------------------------------------------------------------- reading files


def test_read_xlsx_finds_the_header_under_a_title_row(tmp_path: Path) -> None:
    table = read_table(write_xlsx(tmp_path / "roster.xlsx", good_rows()))
    assert table.headers == HEADER and table.header_row == 2 and table.sheet == "花名册"
    assert table.source_rows == [3, 4, 5, 6]
    assert table.rows[0][:5] == ["0101", "庄墩村三组5号", "三组", "三组第1微网格", "赵大"]
    assert table.rows[0][7] == ID_ZHAO


def test_read_xlsx_keeps_digits_dates_and_leading_zeros(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["户号", "姓名", "出生日期", "身份证号", "手机", "备注"])
    ws.append([1, "赵大", dt.datetime(1980, 1, 1), ID_ZHAO, 13800000001, 12.5])
    ws.append([2, "钱二", dt.date(1982, 2, 2), 620702198202020222, 13800000002.0, None])
    ws.append([None, None, None, None, None, None])  # an empty row is skipped
    ws.append([3, "孙三", "1990/3/3", 110105194912310, None, "'0003"])
    ws["A2"].number_format = "0000"
    ws["A3"].number_format = "0000"
    path = tmp_path / "numbers.xlsx"
    wb.save(path)
    table = read_table(path)
    assert table.rows[0] == ["0001", "赵大", "1980-01-01", ID_ZHAO, "13800000001", "12.5"]
    # openpyxl, like Excel, keeps a long number as a float: 15 significant digits, as Excel shows them
    assert table.rows[1] == ["0002", "钱二", "1982-02-02", "620702198202020000", "13800000002", ""]
    assert table.rows[2] == ["3", "孙三", "1990/3/3", "110105194912310", "", "0003"]
    assert table.source_rows == [2, 3, 5]


def test_an_id_number_kept_as_a_number_is_explained(store: Store, admin: Actor, village: dict[str, str],
                                                    tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ids.xlsx", [["0901", "", "", "", "冯一", "", "", int(ID_ZHAO[:17] + "0"), "", "",
                                                "", "", ""]])
    plan = plan_file(store, admin, path)
    assert [(e.row, e.field) for e in plan.errors] == [(3, "id_number")]
    assert "kept as a number in Excel" in plan.errors[0].message


def test_read_a_chosen_sheet_and_name_the_missing_one(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.append(["说明：第二个工作表是花名册"])
    second = wb.create_sheet("二组")
    second.append(["户号", "姓名"])
    second.append(["0201", "周五"])
    path = tmp_path / "sheets.xlsx"
    wb.save(path)
    table = read_table(path, sheet="二组")
    assert table.rows == [["0201", "周五"]] and table.sheet == "二组"
    with pytest.raises(ValidationError, match=r"no worksheet “三组”.*二组") as info:
        read_table(path, sheet="三组")
    assert info.value.field == "file"


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ","), ("gbk", ","), ("gb18030", "\t"),
                                                     ("utf-8", ";"), ("utf-16", "\t")])
def test_read_csv_in_the_encodings_chinese_excel_writes(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "roster.csv", good_rows(), encoding=encoding, delimiter=delimiter,
                     title="庄墩村花名册")
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_table(path)
    assert table.headers == HEADER and table.header_row == 2 and table.sheet is None
    assert [r[4] for r in table.rows] == ["赵大", "钱二", "赵小", "孙婆婆"]
    assert table.rows[3][10] == "孤寡老人、低保"
    assert table.source_rows == [3, 4, 5, 6]


def test_csv_with_a_quoted_multiline_cell_reports_source_rows(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('户号,姓名,备注\r\n0001,赵大,"第一行\r\n第二行"\r\n0002,钱二,\r\n', encoding="utf-8")
    table = read_table(path)
    assert table.rows == [["0001", "赵大", "第一行\r\n第二行"], ["0002", "钱二", ""]]
    assert table.source_rows == [2, 4]


def test_header_falls_back_to_the_first_non_empty_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", [["0001", "赵大"]], header=["编号", "人"])
    table = read_table(path)
    assert table.headers == ["编号", "人"] and table.rows == [["0001", "赵大"]]
    assert guess_mapping(table.headers) == {}


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", "\ufeff".encode()])
def test_empty_csv_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match="empty") as info:
        read_table(path)
    assert info.value.field == "file"


def test_empty_xlsx_and_header_only_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ValidationError, match="empty"):
        read_table(path)
    with pytest.raises(ValidationError, match=r"header row \(row 2\) but no rows"):
        read_table(write_xlsx(tmp_path / "header.xlsx", []))
    (tmp_path / "zero.xlsx").write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        read_table(tmp_path / "zero.xlsx")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


@pytest.mark.parametrize(("name", "content"), [
    ("photo.xlsx", PNG),
    ("photo.csv", PNG),
    ("noise.xlsx", bytes(range(256)) * 8),
    ("noise.csv", bytes(range(256)) * 8),
    ("fake.xlsx", b"PK\x03\x04" + b"\x00" * 100),
    ("letter.xlsx", "户号,姓名\n0001,赵大\n".encode()),
])
def test_files_that_are_not_spreadsheets_are_refused(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match="not a spreadsheet") as info:
        read_table(path)
    assert info.value.field == "file" and name in info.value.message


def test_a_docx_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ValidationError, match="not a spreadsheet"):
        read_table(path)


def test_missing_file_unknown_type_and_old_xls(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="File not found") as info:
        read_table(tmp_path / "nope.xlsx")
    assert info.value.field == "file"
    with pytest.raises(ValidationError, match="File not found"):
        read_table(tmp_path / ("花名册" * 30 + ".xlsx"))  # a name too long for the file system
    with pytest.raises(ValidationError, match="File not found"):
        read_table(tmp_path)
    (tmp_path / "roster.docx").write_bytes(b"x")
    with pytest.raises(ValidationError, match=r"“\.docx” cannot be imported; use \.xlsx or \.csv"):
        read_table(tmp_path / "roster.docx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ValidationError, match=r"old \.xls"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ValidationError, match="password-protected"):
        read_table(tmp_path / "locked.xlsx")


def test_too_big_files_are_refused_with_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(ValidationError, match=r"too big: 21.0 MB; at most 20 MB and 100000 rows"):
        read_table(path)
    lines = ["户号,姓名"] + [f"{i},张{chr(0x4e00 + i % 500)}" for i in range(100_001)]
    many = tmp_path / "many.csv"
    many.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ValidationError, match="more than 100000 rows"):
        read_table(many)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=2000),
                         st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),
                         st.text(max_size=500).map(lambda t: t.encode("utf-8")),
                         st.text(max_size=500).map(lambda t: t.encode("gb18030"))),
       suffix=st.sampled_from([".xlsx", ".csv"]))
def test_arbitrary_bytes_give_a_table_or_a_validation_error(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(content)
    try:
        table = read_table(path)
    except ValidationError as exc:
        assert exc.field == "file" and exc.message
    else:
        assert isinstance(table, RawTable)
        assert len(table.rows) == len(table.source_rows) > 0
        assert all(len(r) == len(table.headers) for r in table.rows)


_VALID_XLSX: list[bytes] = []


def _valid_xlsx_bytes() -> bytes:
    if not _VALID_XLSX:
        buf = io.BytesIO()
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(HEADER)
        for row in good_rows():
            ws.append(row)
        wb.save(buf)
        _VALID_XLSX.append(buf.getvalue())
    return _VALID_XLSX[0]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
                      min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_a_damaged_xlsx_gives_a_table_or_a_validation_error(tmp_path: Path, flips: list[tuple[int, int]],
                                                            cut: int | None) -> None:
    data = bytearray(_valid_xlsx_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    try:
        table = read_table(path)
    except ValidationError as exc:
        assert exc.field == "file"
    else:
        assert isinstance(table, RawTable)


# ---------------------------------------------------------------- planning and applying


def test_import_a_good_xlsx_with_a_title_row(store: Store, admin: Actor, village: dict[str, str],
                                             tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "roster.xlsx", good_rows())
    before = counts(store)
    plan = plan_file(store, admin, path)
    assert plan.errors == []
    assert counts(store) == before  # planning writes nothing
    assert [(r.row, r.action, r.household_number, r.name) for r in plan.rows] == [
        (3, "new_household", "0101", "赵大"), (4, "new_person", "0101", "钱二"), (5, "new_person", "0101", "赵小"),
        (6, "new_household", "0102", "孙婆婆")]
    assert plan.rows[0].id_number == ID_ZHAO  # the director may read ID numbers
    assert plan.new_groups == ["三组"] and plan.new_micro_grids == [("三组", "三组第1微网格")]
    assert plan.summary() == {"new_household": 2, "new_person": 2, "update": 0, "unchanged": 0, "errors": 0}

    _, result = import_file(store, admin, path)
    assert (result.households_created, result.persons_created, result.persons_updated, result.unchanged,
            result.groups_created, result.micro_grids_created) == (2, 4, 0, 0, 1, 1)
    with store.read() as session:
        h = households.get_by_number(session, "0101")
        detail = households.household_detail(session, admin, h.id)
        micro = session.get(GridCell, h.micro_grid_id)
        group = session.get(GridCell, h.group_id)
        assert micro is not None and micro.name == "三组第1微网格" and micro.level == GridLevel.MICRO
        assert group is not None and group.name == "三组" and micro.parent_id == group.id
        assert detail.address == "庄墩村三组5号"
        assert next((m.name, m.is_head, m.relation_to_head, m.sex) for m in detail.members) == ("赵大", True, "户主", "male")
        small = next(m for m in detail.members if m.name == "赵小")
        assert small.care_flags == ("left_behind_child",) and small.birth_date == dt.date(2010, 3, 3)
        old = households.household_detail(session, admin, households.get_by_number(session, "0102").id).members[0]
        assert set(old.care_flags) == {"elderly_alone", "subsistence"} and old.is_head
        assert households.count_households(session, admin, query="孙婆婆") == 1  # search text kept up to date
        report = audit.verify_chain(session)
        assert report.ok, report.problem
        events = session.exec(select(AuditEvent).where(AuditEvent.table_name == "person",
                                                       AuditEvent.action == "create")).all()
        assert len(events) == 3 + 4  # three from the village fixture, four imported


def test_reimporting_the_same_file_changes_nothing(store: Store, admin: Actor, village: dict[str, str],
                                                   tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "roster.xlsx", good_rows())
    import_file(store, admin, path)
    before = counts(store)
    plan, result = import_file(store, admin, path)
    assert {r.action for r in plan.rows} == {"unchanged"} and len(plan.rows) == 4
    assert plan.new_groups == [] and plan.new_micro_grids == []
    assert (result.households_created, result.persons_created, result.persons_updated, result.unchanged) == (0, 0, 0, 4)
    assert counts(store) == before  # not even an audit event


def test_reimport_with_a_changed_phone_updates_that_person(store: Store, admin: Actor, village: dict[str, str],
                                                           tmp_path: Path) -> None:
    import_file(store, admin, write_xlsx(tmp_path / "v1.xlsx", good_rows()))
    rows = good_rows()
    rows[3][8] = "139 0000 0009"
    households_before, persons_before, _, events_before = counts(store)
    plan, result = import_file(store, admin, write_xlsx(tmp_path / "v2.xlsx", rows))
    changed = [r for r in plan.rows if r.action == "update"]
    assert [(r.row, r.name, r.changed) for r in changed] == [(6, "孙婆婆", ("mobile",))]
    assert result.persons_updated == 1 and result.persons_created == 0 and result.unchanged == 3
    assert counts(store)[:2] == (households_before, persons_before)
    assert person_named(store, "孙婆婆").mobile == "13900000009"
    with store.read() as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()  # type: ignore[union-attr]
        assert event is not None and event.action == "update" and "13900000009" in event.changes
        assert audit.count_events(session) > events_before and audit.verify_chain(session).ok


def test_rows_match_existing_people_by_id_then_by_name(store: Store, admin: Actor, village: dict[str, str],
                                                       tmp_path: Path) -> None:
    """0001 is in the roster: 张三 (with ID number) and 李四 (without). The file gives 李四 an ID number, a new
    member 王五, and 张三 by ID number with a new occupation but an empty phone cell (which keeps the phone)."""
    li_id = make_id("19520607", 44)
    rows = [
        ["0001", "", "", "", "李四", "女", "", li_id, "", "配偶", "", "", ""],
        ["0001", "", "", "", "王五", "", "", "", "13700000003", "孙子", "", "", ""],
        ["0001", "", "", "", "张三", "", "", "11010519491231002X", "", "", "", "退休", ""],
    ]
    plan, result = import_file(store, admin, write_csv(tmp_path / "more.csv", rows, encoding="utf-8-sig"))
    assert [(r.name, r.action, r.changed) for r in plan.rows] == [
        ("李四", "update", ("birth_date", "id_number")), ("王五", "new_person", ()), ("张三", "update", ("occupation",))]
    assert result.persons_created == 1 and result.persons_updated == 2
    li = person_named(store, "李四")
    assert li.id_number == li_id and li.birth_date == dt.date(1952, 6, 7) and li.household_id == village["h1"]
    zhang = person_named(store, "张三")
    assert zhang.occupation == "退休" and zhang.mobile == "13800138000"
    assert person_named(store, "王五").household_id == village["h1"]
    with store.read() as session:
        assert len(households.household_detail(session, admin, village["h1"]).members) == 3


def test_head_of_a_new_household_is_the_row_that_says_so(store: Store, admin: Actor, village: dict[str, str],
                                                         tmp_path: Path) -> None:
    rows = [["0301", "", "", "", "周子", "", "", "", "", "子", "", "", ""],
            ["0301", "", "", "", "周父", "", "", "", "", "户主", "", "", ""]]
    plan, _ = import_file(store, admin, write_csv(tmp_path / "head.csv", rows))
    assert [(r.name, r.action) for r in plan.rows] == [("周子", "new_person"), ("周父", "new_household")]
    with store.read() as session:
        h = households.get_by_number(session, "0301")
        head = session.get(Person, h.head_person_id)
        assert head is not None and head.name == "周父"


def test_a_household_with_two_heads_is_an_error(store: Store, admin: Actor, village: dict[str, str],
                                                tmp_path: Path) -> None:
    rows = [["0301", "", "", "", "周一", "", "", "", "", "户主", "", "", ""],
            ["0301", "", "", "", "周二", "", "", "", "", "户主", "", "", ""]]
    plan = plan_file(store, admin, write_csv(tmp_path / "heads.csv", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(3, "relation_to_head")]
    assert "more than one head" in plan.errors[0].message


def test_every_bad_row_is_listed_and_nothing_is_written(store: Store, admin: Actor, village: dict[str, str],
                                                        tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    bad_checksum = ID_ZHAO[:-1] + ("0" if ID_ZHAO[-1] != "0" else "1")
    rows = [
        *good_rows(),
        ["0201", "", "", "", "周一", "", "", bad_checksum, "", "", "", "", ""],
        ["0202", "", "", "", "周二", "", future, "", "", "", "", "", ""],
        ["0203", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["0204", "村" * 10_000, "", "", "周四", "", "", "", "", "", "", "", ""],
        ["0205", "", "", "", "周五😀", "", "", "", "", "", "", "", ""],
        ["0206", "", "", "", "周六", "", "", "", "12345", "", "", "", ""],
        ["0207", "", "", "", "周七", "不详", "", "", "", "", "", "", ""],
        ["0208", "", "", "", "周八", "", "", "", "", "", "有钱人", "", ""],
        ["", "", "", "", "周九", "", "", "", "", "", "", "", ""],
        ["0210", "", "", "", "周十", "", "1990-02-30", "", "", "", "", "", ""],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = counts(store)
    plan = plan_file(store, admin, path)
    got = [(e.row, e.field) for e in plan.errors]
    assert got == [(7, "id_number"), (8, "birth_date"), (9, "name"), (10, "address"), (11, "name"), (12, "mobile"),
                   (13, "sex"), (14, "care_flags"), (15, "household_number"), (16, "birth_date")]
    messages = {e.field + str(e.row): e.message for e in plan.errors}
    assert "check digit" in messages["id_number7"]
    assert "future" in messages["birth_date8"]
    assert messages["name9"] == "Name is required."
    assert "too long: 10000 characters, at most 200" in messages["address10"]
    assert "😀" in messages["name11"]
    assert "11 digits" in messages["mobile12"]
    assert "“不详”" in messages["sex13"] and "“有钱人”" in messages["care_flags14"]
    assert messages["household_number15"] == "Household number is required."
    assert "not a date" in messages["birth_date16"]
    assert plan.summary()["errors"] == 10
    with pytest.raises(ValidationError, match="10 error"), store.write() as session:
        apply_import(session, admin, plan)
    assert counts(store) == before


def test_no_name_column_is_one_clear_error(store: Store, admin: Actor, village: dict[str, str],
                                           tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "cols.xlsx", [["0001", "赵大"]], header=["户号", "人员"])
    plan = plan_file(store, admin, path)
    assert len(plan.errors) == 1 and plan.rows == []
    error = plan.errors[0]
    assert error.field == "name" and error.row == 2
    assert "No column is chosen for Name" in error.message and "户号、人员" in error.message
    table = read_table(path)
    mapping = map_column(guess_mapping(table.headers), table.headers, "name", "人员")
    with store.read() as session:
        assert plan_import(session, admin, table, mapping).errors == []


def test_a_mapping_to_a_column_that_is_not_there_is_an_error(store: Store, admin: Actor, village: dict[str, str],
                                                             tmp_path: Path) -> None:
    table = read_table(write_xlsx(tmp_path / "r.xlsx", good_rows()))
    with store.read() as session:
        plan = plan_import(session, admin, table, {"household_number": 0, "name": 4, "mobile": 99})
    assert [(e.field, e.row) for e in plan.errors] == [("mobile", 2)]


def test_duplicate_id_number_in_the_file(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    rows = good_rows()
    rows.append(["0103", "", "", "", "冒名", "", "", ID_QIAN, "", "", "", "", ""])
    plan = plan_file(store, admin, write_xlsx(tmp_path / "dup.xlsx", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(7, "id_number")]
    assert plan.errors[0].message == "ID number is the same as on row 4."


def test_id_number_of_a_person_in_another_household_is_an_error(store: Store, admin: Actor, village: dict[str, str],
                                                                tmp_path: Path) -> None:
    rows = [["0002", "", "", "", "张三", "", "", "11010519491231002X", "", "", "", "", ""],
            ["0099", "", "", "", "张三", "", "", "11010519491231002X", "", "", "", "", ""]]
    plan = plan_file(store, admin, write_csv(tmp_path / "moved.csv", rows[:1]))
    assert [(e.row, e.field) for e in plan.errors] == [(2, "id_number")]
    assert "another household (张三, household 0001)" in plan.errors[0].message
    plan = plan_file(store, admin, write_csv(tmp_path / "new.csv", rows[1:]))
    assert [(e.row, e.field) for e in plan.errors] == [(2, "id_number")]


def test_household_fields_that_disagree_within_a_household(store: Store, admin: Actor, village: dict[str, str],
                                                           tmp_path: Path) -> None:
    rows = good_rows()
    rows[1][1] = "庄墩村三组7号"
    plan = plan_file(store, admin, write_xlsx(tmp_path / "addr.xlsx", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(4, "address")]
    assert "differs from “庄墩村三组5号” on row 3" in plan.errors[0].message


def test_an_existing_household_moves_to_another_group(store: Store, admin: Actor, village: dict[str, str],
                                                      tmp_path: Path) -> None:
    rows = [["0001", "庄墩村二组1号", "二组", "", "张三", "", "", "", "", "", "", "", ""]]
    plan, result = import_file(store, admin, write_csv(tmp_path / "move.csv", rows))
    assert [(r.action, r.changed) for r in plan.rows] == [("update", ("address", "group", "micro_grid"))]
    assert result.households_updated == 1 and result.persons_updated == 0
    with store.read() as session:
        h = households.get_by_number(session, "0001")
        assert (h.address, h.group_id, h.micro_grid_id) == ("庄墩村二组1号", village["g2"], None)


def test_a_micro_grid_alone_finds_its_group(store: Store, admin: Actor, village: dict[str, str],
                                            tmp_path: Path) -> None:
    rows = [["0401", "", "", "一组第1微网格", "吴一", "", "", "", "", "", "", "", ""]]
    import_file(store, admin, write_csv(tmp_path / "micro.csv", rows))
    with store.read() as session:
        h = households.get_by_number(session, "0401")
        assert (h.group_id, h.micro_grid_id) == (village["g1"], village["m1"])


def test_group_and_micro_grid_may_come_from_different_rows_of_a_household(
        store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    rows = [["0402", "", "五组", "", "吴二", "", "", "", "", "", "", "", ""],
            ["0402", "", "", "五组第1微网格", "吴三", "", "", "", "", "", "", "", ""],
            ["0403", "", "", "无名网格", "吴四", "", "", "", "", "", "", "", ""]]
    plan = plan_file(store, admin, write_csv(tmp_path / "split.csv", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(4, "micro_grid")]
    assert "fill in its villager group" in plan.errors[0].message
    plan, _ = import_file(store, admin, write_csv(tmp_path / "split2.csv", rows[:2]))
    assert plan.new_groups == ["五组"] and plan.new_micro_grids == [("五组", "五组第1微网格")]
    with store.read() as session:
        h = households.get_by_number(session, "0402")
        micro = session.get(GridCell, h.micro_grid_id)
        assert micro is not None and micro.name == "五组第1微网格" and micro.parent_id == h.group_id


def test_a_grid_worker_may_import_but_not_create_groups(store: Store, admin: Actor, village: dict[str, str],
                                                        tmp_path: Path) -> None:
    worker = make_user(store, admin, "grid1", Role.GRID_WORKER)
    path = write_xlsx(tmp_path / "roster.xlsx", good_rows())
    plan = plan_file(store, worker, path)
    assert [(e.row, e.field) for e in plan.errors] == [(3, "group"), (6, "group")]
    assert "Villager group “三组” does not exist" in plan.errors[0].message
    assert plan.new_groups == []
    # with the groups in place, the same worker imports the file
    rows = [[*r[:2], "一组", "一组第1微网格", *r[4:]] for r in good_rows()]
    _, result = import_file(store, worker, write_xlsx(tmp_path / "ok.xlsx", rows))
    assert result.households_created == 2 and result.groups_created == 0
    # a new micro-grid in an existing group is also the director's job
    rows = [["0501", "", "一组", "一组第9微网格", "郑一", "", "", "", "", "", "", "", ""]]
    plan = plan_file(store, worker, write_csv(tmp_path / "m.csv", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(2, "micro_grid")]
    plan = plan_file(store, admin, write_csv(tmp_path / "m.csv", rows))
    assert plan.errors == [] and plan.new_micro_grids == [("一组", "一组第9微网格")]


def test_a_viewer_may_not_import(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    viewer = make_user(store, admin, "viewer1", Role.VIEWER)
    table = read_table(write_xlsx(tmp_path / "roster.xlsx", good_rows()))
    with pytest.raises(PermissionDenied), store.read() as session:
        plan_import(session, viewer, table, guess_mapping(table.headers))
    with store.read() as session:
        plan = plan_import(session, admin, table, guess_mapping(table.headers))
    with pytest.raises(PermissionDenied), store.write() as session:
        apply_import(session, viewer, plan)


def test_a_mediator_sees_full_id_numbers_in_the_plan(
        store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    mediator = make_user(store, admin, "med1", Role.MEDIATOR)
    rows = [[*r[:2], "一组", "", *r[4:]] for r in good_rows()]
    plan = plan_file(store, mediator, write_xlsx(tmp_path / "r.xlsx", rows))
    assert plan.errors == [] and [r.id_number for r in plan.rows] == [ID_ZHAO, ID_QIAN, ID_SUN, ID_LI]


def test_masked_id_numbers_are_refused_with_a_reason(store: Store, admin: Actor, village: dict[str, str],
                                                     tmp_path: Path) -> None:
    rows = [["0001", "", "", "", "张三", "", "", households.mask_id_number("11010519491231002X"), "", "", "", "", ""]]
    plan = plan_file(store, admin, write_csv(tmp_path / "masked.csv", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(2, "id_number")] and "masked" in plan.errors[0].message


def test_sex_care_flags_and_dates_as_villages_write_them(store: Store, admin: Actor, village: dict[str, str],
                                                         tmp_path: Path) -> None:
    rows = [["0601", "", "", "", "甲", "M", "1960年3月8日", "", "", "", "独居老人；残疾人 重病", "", ""],
            ["0601", "", "", "", "乙", "female", "1961.3", make_id("19610309", 2), "", "", "Subsistence allowance", "", ""],
            ["0601", "", "", "", "丙", "男", "", "", "", "", "无", "", ""],
            ["0601", "", "", "", "丁", "女", "1970-05", "", "", "", "", "", ""]]
    plan = plan_file(store, admin, write_csv(tmp_path / "words.csv", rows))
    assert [(e.row, e.field) for e in plan.errors] == [(5, "birth_date")]
    assert "has no day" in plan.errors[0].message
    _, result = import_file(store, admin, write_csv(tmp_path / "words2.csv", rows[:3]))
    assert result.persons_created == 3
    first = person_named(store, "甲")
    assert (first.sex, first.birth_date) == ("male", dt.date(1960, 3, 8))
    assert set(first.care_flags.split(",")) == {"elderly_alone", "disabled", "serious_illness"}
    second = person_named(store, "乙")
    assert (second.sex, second.birth_date, second.care_flags) == ("female", dt.date(1961, 3, 9), "subsistence")
    assert person_named(store, "丙").care_flags == ""


def test_rare_characters_survive_import(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    rows = [["0701", "𠮷家村", "", "", "𠮷䶮", "男", "", "", "", "", "", "", ""],
            ["0701", "", "", "", "䶮𠮷", "女", "", "", "", "", "", "", ""]]
    for name, path in (("x", write_xlsx(tmp_path / "rare.xlsx", rows)),
                       ("c", write_csv(tmp_path / "rare.csv", [[r[0].replace("07", "08"), *r[1:]] for r in rows],
                                       encoding="gb18030"))):
        _, result = import_file(store, admin, path)
        assert result.persons_created == 2, name
    with store.read() as session:
        names = [p.name for p in session.exec(select(Person).where(Person.name.in_(["𠮷䶮", "䶮𠮷"]))).all()]  # type: ignore[attr-defined]
        assert sorted(names) == sorted(["𠮷䶮", "𠮷䶮", "䶮𠮷", "䶮𠮷", "𠮷䶮"])  # 𠮷䶮 of 0002 too
        assert households.get_by_number(session, "0801").address == "𠮷家村"


def test_a_stale_plan_rolls_back_everything(store: Store, admin: Actor, village: dict[str, str],
                                            tmp_path: Path) -> None:
    """Planned in one transaction, applied in another after someone took household number 0102: the apply
    fails part-way and the caller's transaction leaves nothing behind (not the group, not household 0101)."""
    plan = plan_file(store, admin, write_xlsx(tmp_path / "roster.xlsx", good_rows()))
    with store.write() as session:
        households.create_household(session, admin, households.HouseholdInput("0102"), [households.PersonInput("抢先")])
    before = counts(store)
    with pytest.raises(ValidationError, match="already used"), store.write() as session:
        apply_import(session, admin, plan)
    assert counts(store) == before
    with store.read() as session:
        assert session.exec(select(Household).where(Household.number == "0101")).first() is None
        assert audit.verify_chain(session).ok


@pytest.mark.slow
def test_two_thousand_rows_import_in_seconds(store: Store, admin: Actor, village: dict[str, str],
                                             tmp_path: Path) -> None:
    rows: list[list[Any]] = []
    for h in range(500):
        number = f"{1000 + h:05d}"
        for m in range(4):
            seq = (h * 4 + m) % 1000
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=h * 17 + m * 3000)
            rows.append([number, f"庄墩村{h % 7 + 1}组{h}号", f"{h % 7 + 1}组", "", f"村民{chr(0x4e00 + h)}{chr(0x4e00 + m)}",
                         "", "", make_id(birth.strftime("%Y%m%d"), seq, area=f"{110105 + h // 250:06d}"),
                         f"13{h * 4 + m:09d}", "户主" if m == 0 else "", "", "", ""])
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    started = time.perf_counter()
    table = read_table(path)
    with store.write() as session:
        plan = plan_import(session, admin, table, guess_mapping(table.headers))
        assert plan.errors == []
        planned = time.perf_counter()
        result = apply_import(session, admin, plan)
    done = time.perf_counter()
    print(f"\n2,000 rows: read+plan {planned - started:.2f} s, apply+commit {done - planned:.2f} s")
    assert result.households_created == 500 and result.persons_created == 2000
    started = time.perf_counter()
    plan = plan_file(store, admin, path)
    assert plan.summary()["unchanged"] == 2000
    print(f"2,000 rows re-checked (all unchanged): {time.perf_counter() - started:.2f} s")
