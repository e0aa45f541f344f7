"""Objections to a public notice, from the window: a villager's objection to an entry is recorded from the
household's ledger (only while a notice listing the entry is open), appears in the objections list with the
household number, and an upheld objection reverses the entry; posted notices are listed and print again."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu, QTableWidget
from pytestqt.qtbot import QtBot

from app.clock import today
from app.services import points, points_notice
from app.services.context import Actor
from app.services.points import EntryInput
from app.store.engine import Store
from app.ui.points import PointsPage
from app.ui.points.accounts import AccountsView
from app.ui.points.dialogs import ObjectionDialog, ReasonDialog
from app.ui.points.ledger import LedgerView
from app.ui.points.notice import NoticeView
from app.ui.print_preview import PrintPreviewDialog
from tests.ui import make_ctx, type_text

NOT_OPEN = "No notice listing this entry is open for objections."


def last_month() -> tuple[str, dt.date]:
    """Last month as a period (2026-10) and its last day."""
    day = today().replace(day=1) - dt.timedelta(days=1)
    return f"{day.year}-{day.month:02d}", day


def make_page(qtbot: QtBot, store: Store, actor: Actor) -> PointsPage:
    page = PointsPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    accounts = page.views.get("accounts")
    assert isinstance(accounts, AccountsView)
    qtbot.waitUntil(lambda: not accounts.loading, timeout=5000)  # the accounts add up on a worker
    return page


def setup_notice(store: Store, admin: Actor, village: dict[str, str]) -> tuple[str, str, str]:
    """Household 0001 has +5 of last month and +5 of today; last month's notice of 一组 is posted today.
    Returns (the entry on the notice, the entry of today, the notice)."""
    period, day = last_month()
    with store.write() as session:
        listed = points.add_entry(session, admin, EntryInput(village["h1"], day, "A01")).id  # +5 last month
        recent = points.add_entry(session, admin, EntryInput(village["h1"], today(), "C01")).id  # +5 this month
        notice = points_notice.post_notice(session, admin, period, village["g1"]).id
    return listed, recent, notice


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def row_of(view: LedgerView, entry_id: str) -> int:
    view.select_line(entry_id)
    return view.table.currentRow()


def right_click(qtbot: QtBot, view: LedgerView, entry_id: str) -> QMenu:
    """Right-click the entry's row, as a person does: the context menu pops up beside it. (QTest's click does
    not make the context-menu event the window system sends after a right-click: it is sent here.)"""
    rect = view.table.visualRect(view.table.model().index(row_of(view, entry_id), 3))
    view.table.clearSelection()
    viewport = view.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.RightButton, pos=rect.center())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, rect.center(), viewport.mapToGlobal(rect.center()))
    QApplication.sendEvent(viewport, event)
    menu = view.menu
    assert isinstance(menu, QMenu)
    qtbot.waitUntil(menu.isVisible)
    return menu


def click_action(qtbot: QtBot, menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_an_objection_from_the_ledger_is_upheld_and_reverses_the_entry(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    listed, recent, notice_id = setup_notice(store, admin, village)
    page = make_page(qtbot, store, admin)
    page.open_ledger(village["h1"])
    ledger = page.current_view()
    assert isinstance(ledger, LedgerView)
    assert ledger.data is not None and ledger.data.balance == 10

    # an entry of this month is on no notice: the action is there but disabled, and says why
    ledger.select_line(recent)
    assert ledger.objection_button.isVisible() and not ledger.objection_button.isEnabled()
    assert ledger.objection_hint.isVisible() and ledger.objection_hint.text() == NOT_OPEN
    assert ledger.objection_button.toolTip() == NOT_OPEN
    menu = right_click(qtbot, ledger, recent)
    objection_action = next(a for a in menu.actions() if a.text() == "Record objection…")
    assert not objection_action.isEnabled() and objection_action.toolTip() == NOT_OPEN
    menu.close()

    # the entry of last month is on the open notice: right-click, "Record objection…"
    menu = right_click(qtbot, ledger, listed)
    assert ledger.selected_line() is not None and ledger.selected_line().id == listed  # type: ignore[union-attr]
    assert ledger.objection_button.isEnabled() and not ledger.objection_hint.isVisible()
    click_action(qtbot, menu, "Record objection…")
    dialog = ledger.dialog
    assert isinstance(dialog, ObjectionDialog)
    qtbot.waitExposed(dialog)
    assert "0001" in dialog.entry_label.text() and "+5" in dialog.entry_label.text()
    assert dialog.notice.count() == 1 and dialog.notice_id() == notice_id and "一组" in dialog.notice.currentText()

    # errors under their field; nothing is saved
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "required" in dialog.errors.error("raised_by").text()
    assert dialog.errors.error("raised_by").isVisible()
    type_text(qtbot, dialog.raised_by, "李四")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "required" in dialog.errors.error("content").text()
    assert not dialog.errors.error("raised_by").isVisible()
    with store.read() as session:
        assert points_notice.objection_rows(session, admin) == []

    type_text(qtbot, dialog.content, "那天打扫的是我家，不是张三家")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert ledger.message.kind == "ok" and "李四" in ledger.message.text()
    with store.read() as session:
        assert [(o.raised_by, o.household_number) for o in points_notice.objection_rows(session, admin)] == [("李四", "0001")]

    # the objections list shows it with the household number and the entry
    view = page.show_view("notice")
    assert isinstance(view, NoticeView)
    assert [o.raised_by for o in view.objections] == ["李四"]
    table = view.table
    assert table.rowCount() == 1
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
    row = {h: cell(table, 0, c) for c, h in enumerate(headers)}
    _period, day = last_month()
    assert row["Household no."] == "0001"
    assert row["Entry date"] == f"{day.month}/{day.day}/{day.strftime('%y')}"
    assert row["Points"] == "+5" and row["Raised by"] == "李四" and row["Decision"] == "Pending"
    assert row["Objection"] == "那天打扫的是我家，不是张三家" and row["Entry"]
    assert not view.uphold_button.isEnabled()

    # uphold it, with a reason
    rect = table.visualRect(table.model().index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.uphold_button.isEnabled() and view.dismiss_button.isEnabled()
    qtbot.mouseClick(view.uphold_button, Qt.MouseButton.LeftButton)
    decide = view.dialog
    assert isinstance(decide, ReasonDialog)
    assert "0001" in decide.explanation.text() and "李四" in decide.explanation.text()
    type_text(qtbot, decide.reason, "经核实属实")
    qtbot.mouseClick(decide.save_button, Qt.MouseButton.LeftButton)
    assert not decide.isVisible() and view.objection_message.kind == "ok"
    assert view.objections == []  # only the undecided ones are listed
    view.pending_only.setChecked(False)
    assert [o.decision for o in view.objections] == ["upheld"] and cell(view.table, 0, 7) == "Upheld"

    # back in the ledger: the entry is reversed and the balance has dropped
    assert page.show_view("ledger") is ledger
    assert ledger.data is not None and ledger.data.balance == 5
    assert "Balance 5" in ledger.balance_label.text()
    assert cell(ledger.table, row_of(ledger, listed), 5) == "Reversed"
    assert not ledger.objection_button.isEnabled()
    assert ledger.objection_hint.isVisible() and "Only a counted entry" in ledger.objection_hint.text()
    reversal = next(line for line in ledger.data.lines if line.kind == "reversal")
    assert reversal.reverses_id == listed and reversal.points == -5 and "经核实属实" in reversal.reason


def test_objection_button_opens_the_dialog_and_a_dismissed_objection_changes_nothing(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    listed, _recent, _notice = setup_notice(store, admin, village)
    page = make_page(qtbot, store, admin)
    page.open_ledger(village["h1"])
    ledger = page.current_view()
    assert isinstance(ledger, LedgerView)
    assert not ledger.objection_button.isEnabled() and not ledger.objection_hint.isVisible()  # nothing chosen yet

    rect = ledger.table.visualRect(ledger.table.model().index(row_of(ledger, listed), 0))
    ledger.table.clearSelection()
    qtbot.mouseClick(ledger.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(ledger.objection_button, Qt.MouseButton.LeftButton)
    dialog = ledger.dialog
    assert isinstance(dialog, ObjectionDialog)
    type_text(qtbot, dialog.raised_by, "王五")
    type_text(qtbot, dialog.content, "分数记多了")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    view = page.show_view("notice")
    assert isinstance(view, NoticeView)
    view.select_objection(view.objections[0].id)
    qtbot.mouseClick(view.dismiss_button, Qt.MouseButton.LeftButton)
    decide = view.dialog
    assert isinstance(decide, ReasonDialog)
    qtbot.mouseClick(decide.save_button, Qt.MouseButton.LeftButton)
    assert decide.isVisible() and "required" in decide.errors.error("reason").text()
    type_text(qtbot, decide.reason, "经核实记录无误")
    qtbot.mouseClick(decide.save_button, Qt.MouseButton.LeftButton)
    assert not decide.isVisible() and view.objections == []
    with store.read() as session:
        assert points.balance(session, village["h1"]) == 10
        assert [o.decision for o in points_notice.objection_rows(session, admin)] == ["dismissed"]


def test_a_closed_notice_allows_no_objection(qtbot: QtBot, store: Store, admin: Actor,
                                             village: dict[str, str]) -> None:
    period, day = last_month()
    with store.write() as session:
        entry = points.add_entry(session, admin, EntryInput(village["h2"], day, "A01")).id
        # posted on the first of this month for three days: closed by now unless today is within them
        posted = today().replace(day=1)
        points_notice.post_notice(session, admin, period, None, posted_on=posted, days=3)
    closed = today() > posted + dt.timedelta(days=2)
    page = make_page(qtbot, store, admin)
    view = page.show_view("notice")
    assert isinstance(view, NoticeView)
    assert cell(view.notices_table, 0, 1) == "Whole village"
    assert cell(view.notices_table, 0, 4) == ("Objections closed" if closed else "Open for objections")
    page.open_ledger(village["h2"])
    ledger = page.current_view()
    assert isinstance(ledger, LedgerView)
    ledger.select_line(entry)
    assert ledger.objection_button.isEnabled() is not closed
    if closed:
        assert ledger.objection_hint.text() == NOT_OPEN
        qtbot.mouseClick(ledger.objection_button, Qt.MouseButton.LeftButton)
        assert ledger.dialog is None


def test_the_notices_list_prints_a_posted_notice_again(qtbot: QtBot, store: Store, admin: Actor,
                                                      village: dict[str, str]) -> None:
    period, _day = last_month()
    _listed, _recent, notice_id = setup_notice(store, admin, village)  # posted before this window was opened
    page = make_page(qtbot, store, admin)
    view = page.show_view("notice")
    assert isinstance(view, NoticeView)
    table = view.notices_table
    assert view.notices_stack.currentWidget() is table and table.rowCount() == 1
    assert [cell(table, 0, c) for c in range(table.columnCount())] == [
        period, "一组", f"{today():%B} {today().day}, {today().year}",
        f"{today() + dt.timedelta(days=6):%B} {(today() + dt.timedelta(days=6)).day}, {(today() + dt.timedelta(days=6)).year}",
        "Open for objections"]
    assert not view.reprint_button.isEnabled()  # nothing chosen yet

    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected_notice() is not None and view.selected_notice().id == notice_id  # type: ignore[union-attr]
    qtbot.mouseClick(view.reprint_button, Qt.MouseButton.LeftButton)
    preview = view.dialog
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(preview.is_ready, timeout=10000)
    assert preview.pdf_bytes is not None and preview.pdf_bytes.startswith(b"%PDF")
    assert preview.page_count() >= 1 and preview.file_name == f"积分公示榜-{period}-一组.pdf"
    preview.reject()

    # a double-click opens it too
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    again = view.dialog
    assert isinstance(again, PrintPreviewDialog) and again is not preview
    qtbot.waitUntil(again.is_ready, timeout=10000)
    again.reject()

    # a notice posted from the window joins the list, newest first
    view.group_combo.setCurrentIndex(view.group_combo.findText("二组"))
    qtbot.mouseClick(view.post_button, Qt.MouseButton.LeftButton)
    assert view.message.kind == "ok"
    posted = view.dialog
    assert isinstance(posted, PrintPreviewDialog)
    qtbot.waitUntil(posted.is_ready, timeout=10000)
    posted.reject()
    assert [n.scope for n in view.notices] == ["二组", "一组"]
    assert view.selected_notice() is not None and view.selected_notice().id == view.posted_id  # type: ignore[union-attr]


def test_no_notice_yet_explains_itself(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    page = make_page(qtbot, store, admin)
    view = page.show_view("notice")
    assert isinstance(view, NoticeView)
    assert view.notices_stack.currentWidget() is view.notices_empty
    assert "No notice has been posted yet" in view.notices_empty.text()
    assert view.reprint_selected() is None
