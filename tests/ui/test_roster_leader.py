"""The grid leader of a villager group or micro-grid: the admin finds the person in the roster by typing,
keeps their own mobile number or types another, and the tree then names the leader. A bad number is named
under its field and nothing is saved; only the admin sees the action."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.services import grid, households
from app.services.context import Actor
from app.store.engine import Store
from app.ui.roster import RosterPage
from app.ui.roster.leader_dialog import LeaderDialog
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def _page(qtbot: QtBot, store: Store, actor: Actor) -> RosterPage:
    page = RosterPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def _click_cell(qtbot: QtBot, page: RosterPage, cell_id: str) -> None:
    item = page.tree.item_for(cell_id)
    assert item is not None
    rect = page.tree.tree.visualItemRect(item)
    qtbot.mouseClick(page.tree.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _open_leader_dialog(qtbot: QtBot, page: RosterPage, cell_id: str) -> LeaderDialog:
    _click_cell(qtbot, page, cell_id)
    assert page.tree.leader_button.isVisible() and page.tree.leader_button.isEnabled()
    qtbot.mouseClick(page.tree.leader_button, Qt.MouseButton.LeftButton)
    dialog = page.tree.dialog
    assert isinstance(dialog, LeaderDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _leader(store: Store, cell_id: str) -> tuple[str | None, str]:
    with store.read() as session:
        cell = grid.get_cell(session, cell_id)
        return cell.leader_person_id, cell.leader_phone


def _person_id(store: Store, admin: Actor, household_id: str, name: str) -> str:
    with store.read() as session:
        return next(m.id for m in households.household_detail(session, admin, household_id).members if m.name == name)


def test_the_admin_sets_a_grid_leader_and_the_tree_names_them(qtbot: QtBot, store: Store, admin: Actor,
                                                             village: dict[str, str]) -> None:
    page = _page(qtbot, store, admin)
    assert page.tree.tree.isColumnHidden(2)  # no leader anywhere yet
    dialog = _open_leader_dialog(qtbot, page, village["g1"])
    assert dialog.windowTitle() == "Grid leader of 一组"
    assert dialog.missing_label.text() == "Missing: Grid leader" and not dialog.save_button.isEnabled()

    type_text(qtbot, dialog.search.edit, "zs")
    qtbot.keyClick(dialog.search.edit, Qt.Key.Key_Return)  # Enter picks 张三; it does not press Save
    assert dialog.isVisible()
    assert dialog.chosen.text() == "张三"
    assert dialog.mobile.text() == "13800138000"  # the person's own number
    assert dialog.save_button.isEnabled()
    dialog.mobile.selectAll()
    type_text(qtbot, dialog.mobile, "13700001111")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _leader(store, village["g1"]) == (_person_id(store, admin, village["h1"], "张三"), "13700001111")
    item = page.tree.item_for(village["g1"])
    assert item is not None and item.text(2) == "张三"
    assert not page.tree.tree.isColumnHidden(2)
    assert "Grid leader: 张三 13700001111" in item.toolTip(0)

    # Changing it later starts from the leader now; a person without a mobile number leaves the field empty.
    again = _open_leader_dialog(qtbot, page, village["g1"])
    assert (again.chosen.text(), again.mobile.text()) == ("张三", "13700001111")
    type_text(qtbot, again.search.edit, "李四")
    qtbot.keyClick(again.search.edit, Qt.Key.Key_Return)
    assert (again.chosen.text(), again.mobile.text()) == ("李四", "")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert _leader(store, village["g1"]) == (_person_id(store, admin, village["h1"], "李四"), "")
    assert page.tree.item_for(village["g1"]).text(2) == "李四"  # type: ignore[union-attr]


def test_a_bad_mobile_number_is_named_under_the_field_and_nothing_is_saved(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = _page(qtbot, store, admin)
    dialog = _open_leader_dialog(qtbot, page, village["m1"])  # a micro-grid
    type_text(qtbot, dialog.search.edit, "13912345678")  # 𠮷䶮, by phone
    qtbot.wait(250)  # the search runs after a short pause in typing
    qtbot.keyClick(dialog.search.edit, Qt.Key.Key_Return)
    assert dialog.chosen.text() == "𠮷䶮"
    dialog.mobile.selectAll()
    type_text(qtbot, dialog.mobile, "12345")
    qtbot.keyClick(dialog.mobile, Qt.Key.Key_Tab)  # the error shows the moment focus leaves the field
    assert dialog.form.error_text("leader_phone") == "Mobile number must be 11 digits starting with 1."
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.form.error_text("leader_phone") == "Mobile number must be 11 digits starting with 1."
    assert _leader(store, village["m1"]) == (None, "")
    assert page.tree.tree.isColumnHidden(2)

    dialog.mobile.selectAll()
    type_text(qtbot, dialog.mobile, "139 1234 5678")
    assert dialog.form.error_text("leader_phone") == ""  # corrected: the error goes as you type
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert _leader(store, village["m1"]) == (_person_id(store, admin, village["h2"], "𠮷䶮"), "13912345678")
    assert page.tree.item_for(village["m1"]).text(2) == "𠮷䶮"  # type: ignore[union-attr]


def test_only_the_admin_may_set_a_grid_leader(qtbot: QtBot, store: Store, admin: Actor,
                                             village: dict[str, str]) -> None:
    mediator = make_user(store, admin, "m", "mediator")
    page = _page(qtbot, store, mediator)
    _click_cell(qtbot, page, village["g1"])
    assert not page.tree.leader_button.isVisible()
    assert page.tree.set_leader() is None and page.tree.dialog is None
    assert _leader(store, village["g1"]) == (None, "")
