"""The roster section: the list, the search as you type, the grid tree, the detail, roles, paging."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.models.grid import GridLevel
from app.services import households
from app.services.context import Actor
from app.services.households import HouseholdInput, PersonInput
from app.store.engine import Store
from app.ui.context import UiContext
from app.ui.roster import RosterPage
from app.ui.roster.household_dialog import HouseholdDialog
from app.ui.roster.household_model import PAGE_SIZE, HouseholdModel
from app.ui.roster.person_dialog import PersonDialog
from tests.conftest import make_user
from tests.ui import CHINESE, make_ctx, type_text, use_fake_chinese


def _page(qtbot: QtBot, ctx: UiContext) -> RosterPage:
    page = RosterPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def _numbers(page: RosterPage) -> list[str]:
    rows = (page.model.row_data(i) for i in range(page.model.rowCount()))
    return [r.number for r in rows if r is not None]


def _click_tree(qtbot: QtBot, page: RosterPage, cell_id: str) -> None:
    item = page.tree.item_for(cell_id)
    assert item is not None
    rect = page.tree.tree.visualItemRect(item)
    qtbot.mouseClick(page.tree.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_row(qtbot: QtBot, page: RosterPage, row: int) -> None:
    rect = page.table.visualRect(page.model.index(row, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def _fact(page: RosterPage, key: str) -> str:
    label = page.detail.findChild(QLabel, f"fact_{key}")
    assert isinstance(label, QLabel)
    return label.text()


def _click_member(qtbot: QtBot, page: RosterPage, name: str) -> None:
    table = page.detail.members
    row = next(r for r in range(table.rowCount()) if _item(table, r, 0).text() == name)
    rect = table.visualItemRect(_item(table, row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _answer(qtbot: QtBot, button_text: str) -> None:
    """Click a button of the question box that is showing."""
    boxes: list[QMessageBox] = []

    def showing() -> bool:
        boxes[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(boxes)

    qtbot.waitUntil(showing)
    button = next(b for b in boxes[-1].findChildren(QPushButton) if b.text() == button_text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _members(store: Store, actor: Actor, household_id: str) -> list[households.MemberRow]:
    with store.read() as session:
        return households.household_detail(session, actor, household_id).members


def test_the_page_lists_the_households_with_head_grid_and_member_count(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    assert _numbers(page) == ["0001", "0002"]
    first = page.model.index(0, 0)
    row = [page.model.data(first.siblingAtColumn(c)) for c in range(page.model.columnCount())]
    assert row == ["0001", "张三", "一组", "一组第1微网格", "2", "13800138000", "庄墩村一组1号"]
    members = page.model.index(0, 4)
    assert page.model.data(members, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert page.count_label.text() == "2 households"
    assert page.table_stack.currentWidget() is page.table
    # The rare characters come through as they are stored.
    assert page.model.data(page.model.index(1, 1)) == "𠮷䶮"


def test_typing_zs_in_the_filter_leaves_only_zhang_sans_household(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    qtbot.keyClicks(page.filter_edit, "zs")
    assert _numbers(page) == ["0001", "0002"]  # not yet: the filter waits until typing pauses
    qtbot.waitUntil(lambda: _numbers(page) == ["0001"], timeout=3000)
    assert page.model.data(page.model.index(0, 1)) == "张三"
    assert page.count_label.text() == "1 household"

    page.filter_edit.clear()
    qtbot.keyClicks(page.filter_edit, "nobody-like-this")
    qtbot.waitUntil(lambda: page.model.total == 0, timeout=3000)
    assert page.table_stack.currentIndex() == 1
    assert "nobody-like-this" in page.empty_label.text()
    qtbot.mouseClick(page.empty_clear, Qt.MouseButton.LeftButton)
    assert _numbers(page) == ["0001", "0002"]


def test_ctrl_f_goes_to_the_filter(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter_edit.hasFocus()


def test_clicking_a_group_in_the_tree_filters_the_list(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    root = page.tree.tree.topLevelItem(0)
    assert root is not None and root.text(0) == "庄墩村" and root.text(1) == "2"
    group = page.tree.item_for(village["g1"])
    assert group is not None and group.text(1) == "1"

    _click_tree(qtbot, page, village["g2"])
    assert _numbers(page) == ["0002"]
    _click_tree(qtbot, page, village["m1"])
    assert _numbers(page) == ["0001"]
    _click_tree(qtbot, page, village["g1"])
    assert _numbers(page) == ["0001"]
    _click_tree(qtbot, page, village["root"])
    assert _numbers(page) == ["0001", "0002"]


def test_the_detail_shows_the_household_and_its_members(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    _click_row(qtbot, page, 0)
    detail = page.detail
    assert detail.household_id == village["h1"]
    assert detail.title.text() == "Household 0001 · 张三"
    assert _fact(page, "address") == "庄墩村一组1号"
    assert _fact(page, "micro_grid") == "一组第1微网格"
    table = detail.members
    rows = [[_item(table, r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert rows[0] == ["张三", "Female", "December 31, 1949", "110105********002X", "13800138000", "户主", ""]
    assert rows[1][0] == "李四" and rows[1][1] == "Female" and rows[1][5] == "配偶"
    assert _item(table, 0, 0).font().bold()  # the head


def test_the_detail_shows_care_flags_in_words_and_masks_id_numbers_for_a_viewer(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.write() as session:
        households.update_person(session, admin, _members(store, admin, village["h1"])[0].id, PersonInput(
            "张三", id_number="11010519491231002X", mobile="13800138000", relation_to_head="户主",
            care_flags=("elderly_alone", "subsistence")))
    viewer = make_user(store, admin, "v", "viewer")
    page = _page(qtbot, make_ctx(store, viewer))
    _click_row(qtbot, page, 0)
    table = page.detail.members
    assert _item(table, 0, 3).text() == "110105********002X"
    assert _item(table, 0, 6).text() == "Elderly living alone, Subsistence allowance"


def test_a_full_id_number_is_shown_one_member_at_a_time_and_audited(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    from app.services import audit

    page = _page(qtbot, make_ctx(store, admin))
    _click_row(qtbot, page, 0)
    detail = page.detail
    table = detail.members
    assert detail.reveal_button.isVisible() and not detail.reveal_button.isEnabled()  # choose a member first
    _click_member(qtbot, page, "张三")
    assert detail.reveal_button.isEnabled()
    qtbot.mouseClick(detail.reveal_button, Qt.MouseButton.LeftButton)
    assert _item(table, 0, 3).text() == "11010519491231002X"
    assert "audit trail" in _item(table, 0, 3).toolTip()
    with store.read() as session:
        _n, rows = audit.list_events(session, admin, action="reveal_id_number")
    assert len(rows) == 1 and rows[0].username == "admin"
    _click_member(qtbot, page, "李四")  # no ID number: nothing to show
    assert not detail.reveal_button.isEnabled()
    detail.reload()  # masked again once the household is shown anew
    assert _item(table, 0, 3).text() == "110105********002X"
    page.grab().save("/tmp/roster_reveal.png")


def test_a_viewer_cannot_show_a_full_id_number(qtbot: QtBot, store: Store, admin: Actor,
                                               village: dict[str, str]) -> None:
    viewer = make_user(store, admin, "v", "viewer")
    page = _page(qtbot, make_ctx(store, viewer))
    _click_row(qtbot, page, 0)
    assert not page.detail.reveal_button.isVisible()
    _click_member(qtbot, page, "张三")
    page.detail.reveal_id_number()  # even called directly: nothing shown
    assert _item(page.detail.members, 0, 3).text() == "110105********002X"


def test_a_viewer_sees_no_new_edit_or_import(qtbot: QtBot, store: Store, admin: Actor,
                                             village: dict[str, str]) -> None:
    viewer = make_user(store, admin, "v", "viewer")
    page = _page(qtbot, make_ctx(store, viewer))
    _click_row(qtbot, page, 0)
    for action in (page.new_action, page.edit_action, page.import_action):
        assert not action.isVisible()
        button = page.toolbar.widgetForAction(action)
        assert button is None or not button.isVisible()
    assert page.export_action.isVisible()
    detail = page.detail
    for b in (detail.add_button, detail.edit_button, detail.remove_button, detail.head_button):
        assert not b.isVisible()
    assert not page.tree.buttons.isVisible()
    # Ctrl+N does nothing for a viewer.
    page.new_household()
    assert page.dialog is None


def test_a_mediator_may_edit_the_roster_but_not_the_grid(qtbot: QtBot, store: Store, admin: Actor,
                                                        village: dict[str, str]) -> None:
    mediator = make_user(store, admin, "m", "mediator")
    page = _page(qtbot, make_ctx(store, mediator))
    assert page.new_action.isVisible() and page.import_action.isVisible()
    assert not page.tree.buttons.isVisible()
    assert page.tree.tree.contextMenuPolicy() != Qt.ContextMenuPolicy.CustomContextMenu


def test_an_empty_roster_explains_itself_and_offers_the_first_action(
        qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    assert page.table_stack.currentIndex() == 1
    assert page.empty_label.text() == (
        "No households yet. Press Ctrl+N to add the first, or import the roster from Excel.")
    assert page.empty_new.isVisible() and page.empty_import.isVisible()
    assert not page.detail.isVisible()

    viewer = make_user(store, admin, "v", "viewer")
    other = _page(qtbot, make_ctx(store, viewer))
    assert "Ctrl+N" not in other.empty_label.text()
    assert not other.empty_new.isVisible() and not other.empty_import.isVisible()


def test_new_household_with_ctrl_n_saves_it_and_shows_it(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.dialog
    assert isinstance(dialog, HouseholdDialog)
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.number, "0003")
    type_text(qtbot, dialog.address, "庄墩村二组9号")
    dialog.group.setCurrentIndex(dialog.group.findText("二组"))
    assert dialog.person is not None
    type_text(qtbot, dialog.person.name, "王五")
    type_text(qtbot, dialog.person.mobile, "13700000001")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    with store.read() as session:
        rows = households.list_households(session, admin, query="0003")
    assert [(r.number, r.head_name, r.group_name, r.head_mobile) for r in rows] == [
        ("0003", "王五", "二组", "13700000001")]
    assert _numbers(page) == ["0001", "0002", "0003"]
    assert page.detail.household_id == rows[0].id
    assert page.current_household_id() == rows[0].id
    assert page.tree.item_for(village["g2"]).text(1) == "2"  # type: ignore[union-attr]


def test_members_can_be_added_removed_and_made_head_from_the_detail(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    _click_row(qtbot, page, 0)

    qtbot.mouseClick(page.detail.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PersonDialog)
    type_text(qtbot, dialog.person.name, "张小明")
    dialog.person.relation.setCurrentText("子")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert {m.name for m in _members(store, admin, village["h1"])} == {"张三", "李四", "张小明"}
    assert page.detail.members.rowCount() == 3
    assert page.model.data(page.model.index(0, 4)) == "3"

    _click_member(qtbot, page, "李四")
    qtbot.mouseClick(page.detail.head_button, Qt.MouseButton.LeftButton)
    head = [m for m in _members(store, admin, village["h1"]) if m.is_head]
    assert [m.name for m in head] == ["李四"]

    _click_member(qtbot, page, "张小明")
    qtbot.mouseClick(page.detail.remove_button, Qt.MouseButton.LeftButton)
    _answer(qtbot, "Remove")
    qtbot.waitUntil(lambda: page.detail.members.rowCount() == 2)
    assert {m.name for m in _members(store, admin, village["h1"])} == {"张三", "李四"}


def test_a_change_elsewhere_refreshes_the_page(qtbot: QtBot, store: Store, admin: Actor,
                                              village: dict[str, str]) -> None:
    ctx = make_ctx(store, admin)
    page = _page(qtbot, ctx)
    with store.write() as session:
        households.create_household(session, admin, HouseholdInput("0003", group_id=village["g1"]),
                                    [PersonInput("王五")])
    assert _numbers(page) == ["0001", "0002"]
    ctx.changed.emit({"household", "person"})
    assert _numbers(page) == ["0001", "0002", "0003"]
    assert page.tree.item_for(village["g1"]).text(1) == "2"  # type: ignore[union-attr]


def test_a_villager_group_can_be_added_from_the_tree(qtbot: QtBot, store: Store, admin: Actor,
                                                    village: dict[str, str]) -> None:
    from PySide6.QtWidgets import QInputDialog

    page = _page(qtbot, make_ctx(store, admin))
    qtbot.mouseClick(page.tree.add_group_button, Qt.MouseButton.LeftButton)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].setTextValue("三组")
    dialogs[0].accept()
    root = page.tree.tree.topLevelItem(0)
    assert root is not None
    children = [root.child(i) for i in range(root.childCount())]
    assert [c.text(0) for c in children if c is not None] == ["一组", "二组", "三组"]
    assert children[2] is not None and children[2].data(0, Qt.ItemDataRole.UserRole + 2) == GridLevel.GROUP


def test_export_writes_the_roster_to_an_xlsx_file(qtbot: QtBot, store: Store, admin: Actor,
                                                 village: dict[str, str], tmp_path: Path) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    target = tmp_path / "roster"
    page.start_export(target)
    _answer(qtbot, "OK")
    written = tmp_path / "roster.xlsx"
    assert written.exists()
    sheet = openpyxl.load_workbook(written).active
    names = [row[4] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == sorted(["张三", "李四", "𠮷䶮"])


# ---------------------------------------------------------------- the model


def _fill(store: Store, admin: Actor, n: int) -> None:
    with store.write() as session:
        for i in range(n):
            households.create_household(session, admin, HouseholdInput(f"{i:05d}"))


def test_household_model_passes_qt_model_tester(qtmodeltester: ModelTester, store: Store, admin: Actor,
                                                village: dict[str, str]) -> None:
    model = HouseholdModel(make_ctx(store, admin))
    model.set_filter("", None)
    qtmodeltester.check(model)
    paged = HouseholdModel(make_ctx(store, admin), page_size=1)
    paged.set_filter("", None)
    qtmodeltester.check(paged)  # exercises fetchMore
    paged.fetchMore(QModelIndex())
    assert paged.rowCount() == 2 and not paged.canFetchMore(QModelIndex())


@pytest.mark.slow
def test_a_big_roster_loads_one_page_and_a_count(qtbot: QtBot, store: Store, admin: Actor) -> None:
    _fill(store, admin, 3000)
    model = HouseholdModel(make_ctx(store, admin))
    model.set_filter("", None)
    assert model.rowCount() == PAGE_SIZE == 200
    assert model.total == 3000 and model.canFetchMore(QModelIndex())

    # A re-entrant fetch (a view asking again while rows are being inserted) loads nothing more.
    reentered: list[int] = []

    def again(*_args: object) -> None:
        model.fetchMore(QModelIndex())
        reentered.append(model.rowCount())

    model.rowsAboutToBeInserted.connect(again)
    model.fetchMore(QModelIndex())
    assert reentered == [200] and model.rowCount() == 400
    model.rowsAboutToBeInserted.disconnect(again)

    model.set_filter("00299", None)
    assert model.rowCount() == 1 and model.total == 1 and not model.canFetchMore(QModelIndex())
    model.set_filter("", None)
    assert model.rowCount() == 200
    model.refresh()  # after a change: reloads what was loaded, not the whole roster
    assert model.rowCount() == 200


def test_opening_the_page_asks_for_one_page_only(qtbot: QtBot, store: Store, admin: Actor,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(store, admin, 25)
    calls: list[tuple[int, int]] = []
    real: Callable[..., list[households.HouseholdRow]] = households.list_households

    def spy(*args: object, **kwargs: object) -> list[households.HouseholdRow]:
        calls.append((int(str(kwargs.get("offset", 0))), int(str(kwargs.get("limit", 0)))))
        return real(*args, **kwargs)

    monkeypatch.setattr(households, "list_households", spy)
    page = RosterPage(make_ctx(store, admin))
    qtbot.addWidget(page)
    assert calls == [(0, PAGE_SIZE)]
    assert page.model.total == 25 and page.model.rowCount() == 25


def test_the_page_relabels_itself_when_the_language_changes(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_ctx(store, admin)
    page = _page(qtbot, ctx)
    _click_row(qtbot, page, 0)
    for english, chinese in (("New household", "新建住户"), ("Household no.", "户号"),
                             ("Search name, pinyin, initials, household no., phone, ID number", "搜索姓名、拼音、户号"),
                             ("Add member…", "添加成员…"), ("Female", "女")):
        monkeypatch.setitem(CHINESE, english, chinese)
    use_fake_chinese(monkeypatch)
    ctx.retranslate.emit()
    assert page.new_action.text() == "新建住户"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "户号"
    assert page.filter_edit.placeholderText() == "搜索姓名、拼音、户号"
    assert page.detail.add_button.text() == "添加成员…"
    assert _item(page.detail.members, 0, 1).text() == "女"
    assert _item(page.detail.members, 0, 2).text() == "1949年12月31日"


def test_f5_refresh_keeps_the_chosen_household(qtbot: QtBot, store: Store, admin: Actor,
                                              village: dict[str, str]) -> None:
    page = _page(qtbot, make_ctx(store, admin))
    _click_row(qtbot, page, 1)
    with store.write() as session:
        households.create_household(session, admin, HouseholdInput("0000"), [PersonInput("王五")])
    page.refresh()
    assert _numbers(page) == ["0000", "0001", "0002"]
    assert page.current_household_id() == village["h2"] and page.detail.household_id == village["h2"]
