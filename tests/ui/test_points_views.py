"""The points section's other views: the accounts table (a sound model, search by initials, groups), the
review queue with a second person, reversal from a household's ledger, what a viewer sees, the rules."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import today
from app.models.users import Role
from app.services import points
from app.services.context import Actor
from app.services.points import EntryInput
from app.store.engine import Store
from app.ui.points import PointsPage
from app.ui.points.accounts import AccountsView
from app.ui.points.catalog import AdoptDialog, CatalogView, ItemDialog, StarsDialog
from app.ui.points.dialogs import ReasonDialog
from app.ui.points.ledger import LedgerView
from app.ui.points.review import ReviewView
from tests.conftest import make_user
from tests.ui import make_ctx, type_text


def settled(qtbot: QtBot, page: PointsPage) -> None:
    """The accounts (the first view) add up the points on a worker: let them finish."""
    accounts = page.views.get("accounts")
    assert isinstance(accounts, AccountsView)
    qtbot.waitUntil(lambda: not accounts.loading, timeout=5000)


def make_page(qtbot: QtBot, store: Store, actor: Actor) -> PointsPage:
    page = PointsPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    settled(qtbot, page)
    return page


def add(store: Store, actor: Actor, household_id: str, code: str) -> str:
    with store.write() as session:
        return points.add_entry(session, actor, EntryInput(household_id, today(), code)).id


def loaded(view: AccountsView) -> bool:
    return not view.loading and view.model.total > 0


def test_the_accounts_table(qtbot: QtBot, qtmodeltester: ModelTester, store: Store, admin: Actor,
                            village: dict[str, str]) -> None:
    add(store, admin, village["h1"], "A01")  # +5
    add(store, admin, village["h1"], "A03")  # -5
    add(store, admin, village["h2"], "A01")  # +5
    with store.write() as session:
        points.set_star_thresholds(session, admin, [5, 10, 20])
    page = make_page(qtbot, store, admin)
    view = page.current_view()
    assert isinstance(view, AccountsView)
    qtbot.waitUntil(lambda: loaded(view), timeout=5000)
    qtmodeltester.check(view.model)

    model = view.model

    def row(number: str) -> list[str]:
        r = next(i for i in range(model.rowCount()) if model.data(model.index(i, 0)) == number)
        return [model.data(model.index(r, c)) for c in range(model.columnCount())]

    assert row("0001") == ["0001", "张三", "一组", "5", "−5", "0", "0", "0", "2", "☆☆☆"]
    assert row("0002") == ["0002", "𠮷䶮", "二组", "5", "0", "+5", "5", "5", "1", "★☆☆"]
    assert view.count_label.text() == "2 households"

    type_text(qtbot, view.filter_edit, "zs")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert model.data(model.index(0, 1)) == "张三"
    assert view.count_label.text() == "1 of 2 households"
    view.filter_edit.clear()
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)

    view.group_combo.setCurrentIndex(view.group_combo.findText("二组"))
    qtbot.waitUntil(lambda: not view.loading and model.total == 1, timeout=5000)
    assert model.data(model.index(0, 0)) == "0002"
    qtmodeltester.check(view.model)

    # double-click opens the household's ledger
    rect = view.table.visualRect(model.index(0, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    ledger = page.current_view()
    assert isinstance(ledger, LedgerView)
    assert ledger.data is not None and ledger.data.household.number == "0002" and ledger.data.balance == 5


def test_the_review_queue_needs_a_second_person(qtbot: QtBot, store: Store, admin: Actor,
                                                 village: dict[str, str]) -> None:
    entry_id = add(store, admin, village["h1"], "B01")  # +10, reviewed

    # the recorder cannot approve: the service's message is shown, nothing changes
    page = make_page(qtbot, store, admin)
    view = page.show_view("review")
    assert isinstance(view, ReviewView)
    assert [p.id for p in view.pending] == [entry_id]
    assert page.nav.item(page.view_keys().index("review")).text() == "Review queue (1)"
    view.table.selectRow(0)
    qtbot.mouseClick(view.approve_button, Qt.MouseButton.LeftButton)
    assert view.message.kind == "error" and "cannot review" in view.message.text()
    with store.read() as session:
        assert points.balance(session, village["h1"]) == 0

    mediator = make_user(store, admin, "liu", Role.MEDIATOR)
    page2 = make_page(qtbot, store, mediator)
    view2 = page2.show_view("review")
    assert isinstance(view2, ReviewView)
    view2.table.selectRow(0)
    qtbot.mouseClick(view2.approve_button, Qt.MouseButton.LeftButton)
    assert view2.message.kind == "ok"
    assert view2.pending == [] and view2.stack.currentWidget() is view2.empty_label
    with store.read() as session:
        assert points.balance(session, village["h1"]) == 10
        assert [line.status for line in points.ledger(session, admin, village["h1"])] == ["counted"]


def test_reject_needs_a_reason(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    entry_id = add(store, admin, village["h2"], "E02")  # -20, reviewed
    mediator = make_user(store, admin, "liu", Role.MEDIATOR)
    page = make_page(qtbot, store, mediator)
    view = page.show_view("review")
    assert isinstance(view, ReviewView)
    view.table.selectRow(0)
    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "required" in dialog.errors.error("reason").text()
    type_text(qtbot, dialog.reason, "核实无此事")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    with store.read() as session:
        lines = points.ledger(session, admin, village["h2"])
    assert [(line.id, line.status) for line in lines] == [(entry_id, "rejected")]


def test_reverse_from_the_ledger_with_a_reason(qtbot: QtBot, store: Store, admin: Actor,
                                               village: dict[str, str]) -> None:
    entry_id = add(store, admin, village["h1"], "C01")  # +5
    page = make_page(qtbot, store, admin)
    page.open_ledger(village["h1"])
    view = page.current_view()
    assert isinstance(view, LedgerView)
    assert view.table.rowCount() == 1 and not view.reverse_button.isEnabled()
    assert view.chart.history[-1][1:] == (5, 0, 5)
    view.select_line(entry_id)
    assert view.reverse_button.isEnabled()
    qtbot.mouseClick(view.reverse_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ReasonDialog)
    type_text(qtbot, dialog.reason, "记错了户")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    with store.read() as session:
        lines = points.ledger(session, admin, village["h1"])
        assert points.balance(session, village["h1"]) == 0
    reversal = next(line for line in lines if line.kind == "reversal")
    assert reversal.reason == "记错了户" and reversal.reverses_id == entry_id and reversal.points == -5
    assert view.table.rowCount() == 2 and view.data is not None and view.data.balance == 0
    assert view.message.kind == "ok"


def test_a_viewer_sees_no_entry_buttons(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    add(store, admin, village["h1"], "A01")
    viewer = make_user(store, admin, "viewer", Role.VIEWER)
    page = make_page(qtbot, store, viewer)
    assert page.view_keys() == ["accounts", "ledger", "catalog", "shop", "notice"]
    assert not page.new_action.isEnabled()
    buttons: list[QPushButton] = []
    for key in page.view_keys():
        widget = page.show_view(key)
        assert widget is not None
        buttons += [b for b in widget.findChildren(QPushButton) if b.isVisibleTo(widget)]
    names = {b.objectName() for b in buttons}
    assert names <= {"exportCatalog", "previewNotice"}, names
    page.open_ledger(village["h1"])
    ledger = page.current_view()
    assert isinstance(ledger, LedgerView) and ledger.table.rowCount() == 1


def test_the_rules_can_be_edited_by_the_admin(qtbot: QtBot, store: Store, admin: Actor,
                                              village: dict[str, str]) -> None:
    page = make_page(qtbot, store, admin)
    view = page.show_view("catalog")
    assert isinstance(view, CatalogView)
    assert view.table.rowCount() > 10 and view.table.item(0, 0).text() == "A01"  # type: ignore[union-attr]
    view.select("A01")
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ItemDialog) and dialog.code.isReadOnly()
    dialog.points.setValue(0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "not 0" in dialog.errors.error("points").text()
    dialog.points.setValue(6)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert view.table.item(0, 3).text() == "+6"  # type: ignore[union-attr]
    assert view.message.kind == "ok"


def test_a_new_version_is_adopted_from_excel(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str],
                                              tmp_path: Path) -> None:
    page = make_page(qtbot, store, admin)
    view = page.show_view("catalog")
    assert isinstance(view, CatalogView)
    path = view.export_xlsx(tmp_path / "rules.xlsx")
    assert path is not None and path.exists()
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    box.close()

    dialog = view.import_xlsx(path)
    assert isinstance(dialog, AdoptDialog) and "21" in dialog.items_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "required" in dialog.errors.error("name").text()
    type_text(qtbot, dialog.name, "庄墩村村规民约积分细则（2027年修订）")
    type_text(qtbot, dialog.adopted_by, "2026年第二次村民代表会议")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert view.title.text() == "庄墩村村规民约积分细则（2027年修订）"
    assert "2026年第二次村民代表会议" in view.subtitle.text()

    view.import_xlsx(tmp_path / "missing.xlsx")
    assert view.message.kind == "error" and "missing.xlsx" in view.message.text()


def test_star_thresholds(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = make_page(qtbot, store, admin)
    view = page.show_view("catalog")
    assert isinstance(view, CatalogView)
    qtbot.mouseClick(view.stars_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, StarsDialog)
    for spin in dialog.spins:
        spin.setValue(0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.errors.error("star_thresholds").text()
    dialog.spins[0].setValue(20)
    dialog.spins[1].setValue(50)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and view.thresholds == [20, 50]
    assert "★★ 50" in view.stars_label.text()
