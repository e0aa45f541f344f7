"""The roster import dialog: file → columns → check → import, with nothing written before Import."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlmodel import func, select

from app.errors import DeskError
from app.models.audit import AuditEvent
from app.services import grid, households
from app.services.context import Actor
from app.services.roster_import import guess_mapping, read_table
from app.store.engine import Store
from app.ui.roster.import_dialog import (
    PAGE_COLUMNS,
    PAGE_FILE,
    PAGE_PREVIEW,
    PAGE_RESULT,
    ImportCancelled,
    ImportDialog,
    ListModel,
    check_plan,
    run_import,
)
from tests.ui import make_ctx

HEADERS = ["户号", "姓名", "性别", "身份证号", "与户主关系", "地址", "村民小组", "手机号"]
GOOD_ROWS = [
    ["0003", "王五", "男", "", "户主", "庄墩村三组2号", "三组", "13700000001"],
    ["0003", "赵六", "女", "", "配偶", "", "", ""],
    ["0004", "钱七", "男", "", "户主", "庄墩村一组5号", "一组", ""],
]


def _xlsx(path: Path, rows: list[list[str]], headers: list[str] = HEADERS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _snapshot(store: Store, actor: Actor) -> tuple[int, int, int, int]:
    """Households, persons, grid cells and audit events: what an import would change."""
    with store.read() as session:
        persons = sum(r.members for r in households.list_households(session, actor, limit=10_000))
        cells = len(grid.groups(session)) + len(grid.micro_grids(session))
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
        return households.count_households(session, actor), persons, cells, int(events)


def _open(qtbot: QtBot, store: Store, actor: Actor) -> ImportDialog:
    dialog = ImportDialog(make_ctx(store, actor))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _to_preview(qtbot: QtBot, dialog: ImportDialog, path: Path) -> None:
    assert dialog.pages.currentIndex() == PAGE_FILE
    assert not dialog.next_button.isEnabled()  # no file yet
    dialog.path_edit.setText(str(path))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_COLUMNS, timeout=10_000)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_PREVIEW and not dialog.working, timeout=10_000)


def _texts(model: object) -> list[tuple[str, ...]]:
    assert isinstance(model, ListModel)
    return model.row_texts()


def test_importing_an_xlsx_creates_the_households(qtbot: QtBot, store: Store, admin: Actor,
                                                 village: dict[str, str], tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "花名册.xlsx", GOOD_ROWS)
    dialog = _open(qtbot, store, admin)
    dialog.path_edit.setText(str(path))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.busy_box.isVisible()  # reading runs on the worker; the dialog stays responsive
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_COLUMNS, timeout=10_000)
    # The columns are guessed from the headers; required fields are marked.
    assert dialog.combos["household_number"].currentText() == "户号"
    assert dialog.combos["name"].currentText() == "姓名"
    assert dialog.combos["micro_grid"].currentText() == "— not imported —"
    assert dialog.examples["name"].text() == "e.g. 王五"

    before = _snapshot(store, admin)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_PREVIEW and not dialog.working, timeout=10_000)
    assert _snapshot(store, admin) == before  # checking wrote nothing
    assert _texts(dialog.rows_view.model()) == [
        ("2", "New household", "0003", "王五", "", ""),
        ("3", "New member", "0003", "赵六", "", ""),
        ("4", "New household", "0004", "钱七", "", ""),
    ]
    assert "New households: 2" in dialog.summary_label.text()
    assert "三组" in dialog.summary_label.text()  # the villager group the import adds
    assert not dialog.errors_view.isVisible()
    assert dialog.import_button.isEnabled()

    with qtbot.waitSignal(dialog.ctx.changed, timeout=10_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_RESULT, timeout=10_000)
    assert dialog.import_result is not None
    assert (dialog.import_result.households_created, dialog.import_result.persons_created,
            dialog.import_result.groups_created) == (2, 3, 1)
    assert "Households added: 2" in dialog.result_label.text()

    with store.read() as session:
        rows = {r.number: r for r in households.list_households(session, admin)}
    assert sorted(rows) == ["0001", "0002", "0003", "0004"]
    assert (rows["0003"].head_name, rows["0003"].members, rows["0003"].group_name) == ("王五", 2, "三组")
    assert (rows["0004"].head_name, rows["0004"].group_name) == ("钱七", "一组")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_cancelling_at_the_preview_writes_nothing(qtbot: QtBot, store: Store, admin: Actor,
                                                 village: dict[str, str], tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "roster.xlsx", GOOD_ROWS)
    before = _snapshot(store, admin)
    dialog = _open(qtbot, store, admin)
    _to_preview(qtbot, dialog, path)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert _snapshot(store, admin) == before


def test_a_bad_row_is_listed_with_its_number_and_reason_and_import_is_disabled(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, ["0005", "孙八", "", "110105194912310021", "户主", "", "", ""], ["", "周九", "", "", "", "", "", ""]]
    path = _xlsx(tmp_path / "roster.xlsx", rows)
    before = _snapshot(store, admin)
    dialog = _open(qtbot, store, admin)
    _to_preview(qtbot, dialog, path)

    assert dialog.errors_view.isVisible()
    assert _texts(dialog.errors_view.model()) == [
        ("5", "ID number", "ID number: the check digit is wrong; please check the number."),
        ("6", "Household number", "Household number is required."),
    ]
    assert "rows with errors: 2" in dialog.summary_label.text()
    assert not dialog.import_button.isEnabled()
    assert dialog.hint_label.text() == "Import is possible when no row has an error."
    dialog.start_import()  # even when called directly: nothing happens
    assert not dialog.working and _snapshot(store, admin) == before

    # Corrected in Excel and checked again: now it can be imported.
    _xlsx(path, GOOD_ROWS)
    qtbot.mouseClick(dialog.check_again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.working and dialog.import_button.isEnabled(), timeout=10_000)
    assert not dialog.errors_view.isVisible()


def test_the_id_numbers_in_the_preview_are_masked(qtbot: QtBot, store: Store, admin: Actor,
                                                 village: dict[str, str], tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "roster.xlsx", [["0001", "张三", "", "11010519491231002X", "", "", "", "13800138001"]])
    dialog = _open(qtbot, store, admin)
    _to_preview(qtbot, dialog, path)
    assert _texts(dialog.rows_view.model()) == [("2", "Update", "0001", "张三", "110105********002X", "Mobile number")]


def test_required_columns_must_be_chosen(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                        tmp_path: Path) -> None:
    headers = ["编号", "姓名", "性别", "身份证号", "与户主关系", "地址", "村民小组", "手机号"]
    path = _xlsx(tmp_path / "roster.xlsx", GOOD_ROWS, headers)
    dialog = _open(qtbot, store, admin)
    dialog.path_edit.setText(str(path))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PAGE_COLUMNS, timeout=10_000)
    assert dialog.combos["household_number"].currentText() == "— not imported —"
    assert not dialog.next_button.isEnabled()
    assert dialog.hint_label.text() == "Missing: Household number"

    combo = dialog.combos["household_number"]
    combo.setCurrentIndex(combo.findText("编号"))
    combo.activated.emit(combo.currentIndex())  # as when the user picks it
    assert dialog.mapping["household_number"] == 0
    assert dialog.next_button.isEnabled() and dialog.hint_label.text() == ""
    # A column feeds one field: giving 姓名 to the household number takes it from the name.
    combo.setCurrentIndex(combo.findText("姓名"))
    combo.activated.emit(combo.currentIndex())
    assert "name" not in dialog.mapping and dialog.combos["name"].currentText() == "— not imported —"
    assert not dialog.next_button.isEnabled()


def test_a_file_that_cannot_be_read_says_why_under_the_path(qtbot: QtBot, store: Store, admin: Actor,
                                                            village: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "roster.xlsx"
    bad.write_bytes(b"this is not a workbook")
    dialog = _open(qtbot, store, admin)
    dialog.path_edit.setText(str(bad))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.working and dialog.file_error.isVisible(), timeout=10_000)
    assert "roster.xlsx" in dialog.file_error.text()
    assert dialog.pages.currentIndex() == PAGE_FILE


class _Cancelled:
    cancelled = True


def test_an_import_cancelled_while_it_runs_is_rolled_back(store: Store, admin: Actor, village: dict[str, str],
                                                         tmp_path: Path) -> None:
    table = read_table(_xlsx(tmp_path / "roster.xlsx", GOOD_ROWS))
    mapping = guess_mapping(table.headers)
    plan = check_plan(store, admin, table, mapping)
    before = _snapshot(store, admin)
    with pytest.raises(ImportCancelled):
        run_import(store, admin, table, mapping, plan, _Cancelled())  # type: ignore[arg-type]
    assert _snapshot(store, admin) == before


def test_an_import_refuses_a_roster_that_changed_since_the_check(
        store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    table = read_table(_xlsx(tmp_path / "roster.xlsx", GOOD_ROWS))
    mapping = guess_mapping(table.headers)
    plan = check_plan(store, admin, table, mapping)
    with store.write() as session:
        households.create_household(session, admin, households.HouseholdInput("0004"), [households.PersonInput("钱七")])
    before = _snapshot(store, admin)

    class Going:
        cancelled = False

    with pytest.raises(DeskError, match="changed after the file was checked"):
        run_import(store, admin, table, mapping, plan, Going())  # type: ignore[arg-type]
    assert _snapshot(store, admin) == before


def test_the_list_model_passes_qt_model_tester(qtmodeltester: object) -> None:
    model = ListModel(["Row", "Name"], [("2", "王五"), ("3", "𠮷䶮")], frozenset({0}))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.rowCount(model.index(0, 0)) == 0 and model.rowCount(QModelIndex()) == 2
