"""Points entry as a person does it: quick entry by keyboard only (find the household, pick the rule, Enter),
caps shown inline with nothing saved, undo by reversal; batch entry for many households at once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.clock import today
from app.models.points import PointsEntry
from app.services import points
from app.services.context import Actor
from app.services.points import EntryInput
from app.store.engine import Store
from app.ui.points import PointsPage
from app.ui.points.accounts import AccountsView
from app.ui.points.batch import BatchEntryView
from app.ui.points.quick_entry import QuickEntryView
from tests.ui import make_ctx, type_text


def settled(qtbot: QtBot, page: PointsPage) -> None:
    """The accounts (the first view) add up the points on a worker: let them finish."""
    accounts = page.views.get("accounts")
    assert isinstance(accounts, AccountsView)
    qtbot.waitUntil(lambda: not accounts.loading, timeout=5000)


def open_page(qtbot: QtBot, store: Store, actor: Actor, view: str) -> tuple[PointsPage, QWidget]:
    page = PointsPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    settled(qtbot, page)
    widget = page.show_view(view)
    assert widget is not None
    return page, widget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def keys(qtbot: QtBot, text: str) -> None:
    """Type into whatever has the focus, as a person at the keyboard does."""
    qtbot.keyClicks(focused(), text)


def enter(qtbot: QtBot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def entries(store: Store, household_id: str) -> list[PointsEntry]:
    with store.read() as session:
        return list(session.exec(select(PointsEntry).where(PointsEntry.household_id == household_id)).all())


def test_quick_entry_by_keyboard_only(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    _page, view = open_page(qtbot, store, admin, "quick")
    assert isinstance(view, QuickEntryView)
    finder = view.household_finder.edit
    assert focused() is finder

    keys(qtbot, "zs")
    enter(qtbot)  # the top match is picked at once, even before the list has caught up
    assert view.household is not None and view.household.number == "0001"
    assert focused() is view.rule_finder.edit
    keys(qtbot, "A01")
    enter(qtbot)
    assert view.rule is not None and view.rule.code == "A01"
    enter(qtbot)  # saves

    with store.read() as session:
        lines = points.ledger(session, admin, village["h1"])
    assert [(line.rule_code, line.points, line.status) for line in lines] == [("A01", 5, "counted")]
    assert focused() is finder and finder.text() == ""
    assert view.message.kind == "ok" and "0001" in view.message.text()

    # the second household: by its number; the rule is typed again over the one kept from before
    keys(qtbot, "0002")
    enter(qtbot)
    assert focused() is view.rule_finder.edit
    keys(qtbot, "A01")
    enter(qtbot)
    enter(qtbot)
    assert [(e.rule_code, e.points) for e in entries(store, village["h2"])] == [("A01", 5)]
    assert focused() is finder and finder.text() == ""
    assert [r.household for r in view.recent] == ["0002 𠮷䶮", "0001 张三"]

    # a rule found by part of its wording; the same household, then Enter, Enter, Enter
    keys(qtbot, "0001")
    enter(qtbot)
    type_text(qtbot, focused(), "邻里矛盾")  # Chinese comes as an input method commits it
    enter(qtbot)
    assert view.rule is not None and view.rule.code == "C02"
    enter(qtbot)
    assert sorted(e.rule_code for e in entries(store, village["h1"])) == ["A01", "C02"]


def test_a_cap_is_shown_inline_and_nothing_is_saved(qtbot: QtBot, store: Store, admin: Actor,
                                                     village: dict[str, str]) -> None:
    with store.write() as session:  # G01: +3, at most 3 a year
        points.add_entry(session, admin, EntryInput(village["h1"], today(), "G01"))
    _page, view = open_page(qtbot, store, admin, "quick")
    assert isinstance(view, QuickEntryView)
    keys(qtbot, "zs")
    enter(qtbot)
    keys(qtbot, "G01")
    enter(qtbot)
    enter(qtbot)
    assert view.message.kind == "error" and view.message.isVisible()
    assert "G01" in view.message.text() and "at most 3" in view.message.text()
    assert len(entries(store, village["h1"])) == 1
    assert view.recent == []
    assert focused() is view.rule_finder.edit  # to choose another rule

    # a household that does not exist: said inline, nothing saved
    view.focus_first()
    finder = view.household_finder.edit
    finder.clear()
    keys(qtbot, "nobody")
    enter(qtbot)
    assert view.message.kind == "error" and "nobody" in view.message.text()
    assert view.household is None


def test_undo_records_a_reversal(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    _page, view = open_page(qtbot, store, admin, "quick")
    assert isinstance(view, QuickEntryView)
    keys(qtbot, "zs")
    enter(qtbot)
    keys(qtbot, "A01")
    enter(qtbot)
    enter(qtbot)
    assert view.undo_button.isVisible() and view.undo_button.isEnabled()
    qtbot.keyClick(focused(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    box = view.dialog
    assert isinstance(box, QMessageBox)
    qtbot.waitExposed(box)
    yes = next(b for b in box.findChildren(QPushButton) if b.text() == "Undo")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    with store.read() as session:
        lines = points.ledger(session, admin, village["h1"])
        assert points.balance(session, village["h1"]) == 0
    assert sorted((line.kind, line.status) for line in lines) == [("reversal", "counted"), ("rule", "reversed")]
    assert view.recent[0].status == "reversed" and not view.undo_button.isEnabled()


def test_batch_entry_saves_every_ticked_household_in_one_batch(qtbot: QtBot, store: Store, admin: Actor,
                                                                village: dict[str, str]) -> None:
    _page, view = open_page(qtbot, store, admin, "batch")
    assert isinstance(view, BatchEntryView)
    view.rule_combo.setCurrentIndex(view.rule_combo.findData("A02"))
    assert view.list.count() == 2 and not view.save_button.isEnabled()

    # narrowed to a group, "tick all shown" ticks only those; the other group's household is ticked by hand
    view.group_combo.setCurrentIndex(view.group_combo.findText("一组"))
    assert view.list.count() == 1
    qtbot.mouseClick(view.select_all_button, Qt.MouseButton.LeftButton)
    view.group_combo.setCurrentIndex(view.group_combo.findText("二组"))
    item = view.list.item(0)
    assert item.text().startswith("0002") and item.checkState() == Qt.CheckState.Unchecked
    item.setCheckState(Qt.CheckState.Checked)
    assert view.ticked == {village["h1"], village["h2"]}
    assert "2 households" in view.count_label.text()

    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    saved = entries(store, village["h1"]) + entries(store, village["h2"])
    assert [e.rule_code for e in saved] == ["A02", "A02"]
    assert len({e.batch_id for e in saved}) == 1 and saved[0].batch_id is not None
    assert view.message.kind == "ok" and view.ticked == set()


def test_a_batch_that_fails_for_one_household_saves_nothing(qtbot: QtBot, store: Store, admin: Actor,
                                                             village: dict[str, str]) -> None:
    with store.write() as session:
        points.add_entry(session, admin, EntryInput(village["h2"], today(), "G01"))  # 𠮷䶮 has this year's G01
    _page, view = open_page(qtbot, store, admin, "batch")
    assert isinstance(view, BatchEntryView)
    view.rule_combo.setCurrentIndex(view.rule_combo.findData("G01"))
    qtbot.mouseClick(view.select_all_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert view.message.kind == "error" and "0002" in view.message.text()
    assert entries(store, village["h1"]) == [] and len(entries(store, village["h2"])) == 1
    assert view.ticked == {village["h1"], village["h2"]}  # still ticked, to try again
