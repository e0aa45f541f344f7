"""The points shop and the public notice in the window: a redemption lowers the balance and the stock and
offers the receipt; a notice is previewed, posted and printed; an objection is decided."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.clock import today
from app.services import points, points_notice, points_shop
from app.services.context import Actor
from app.services.points import EntryInput
from app.store.engine import Store
from app.ui.points import PointsPage
from app.ui.points.accounts import AccountsView
from app.ui.points.dialogs import ReasonDialog
from app.ui.points.notice import NoticeView
from app.ui.points.shop import GoodsDialog, ShopView, StockInDialog
from app.ui.print_preview import PrintPreviewDialog
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
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    settled(qtbot, page)
    return page


def test_a_redemption_lowers_balance_and_stock_and_offers_the_receipt(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    with store.write() as session:
        points.add_entry(session, admin, EntryInput(village["h2"], today(), "A01"))  # +5
        points.add_entry(session, admin, EntryInput(village["h2"], today(), "C01"))  # +5
    page = make_page(qtbot, store, admin)
    view = page.show_view("shop")
    assert isinstance(view, ShopView)
    assert view.goods_stack.currentWidget() is view.goods_empty

    # new goods, then a stock-in, through their dialogs
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    goods = view.dialog
    assert isinstance(goods, GoodsDialog)
    type_text(qtbot, goods.name, "洗衣粉")
    goods.price.setValue(3)
    goods.unit.setText("袋")
    qtbot.mouseClick(goods.save_button, Qt.MouseButton.LeftButton)
    assert not goods.isVisible() and [g.name for g in view.goods] == ["洗衣粉"]
    view.select_goods(view.goods[0].id)
    qtbot.mouseClick(view.stock_button, Qt.MouseButton.LeftButton)
    stock = view.dialog
    assert isinstance(stock, StockInDialog)
    stock.quantity.setValue(5)
    qtbot.mouseClick(stock.save_button, Qt.MouseButton.LeftButton)
    assert not stock.isVisible() and view.goods[0].stock == 5

    # redeem: find the household by its number, Enter; two bags
    type_text(qtbot, view.finder.edit, "0002")
    qtbot.keyClick(view.finder.edit, Qt.Key.Key_Return)
    assert view.household is not None and view.household.head_name == "𠮷䶮"
    assert "10" in view.household_hint.text()
    view.quantity.setValue(2)
    assert "4 points left" in view.cost_label.text()
    qtbot.mouseClick(view.redeem_button, Qt.MouseButton.LeftButton)
    receipt = view.receipt
    assert receipt is not None and receipt.points == 6 and receipt.balance_after == 4
    with store.read() as session:
        assert points.balance(session, village["h2"]) == 4
        assert points_shop.items(session)[0].stock == 3
    assert view.receipt_box.isVisible() and f"No. {receipt.receipt_no:06d}" in view.receipt_label.text()
    assert view.goods[0].stock == 3 and "Balance: 4 points" in view.household_hint.text()
    assert QApplication.focusWidget() is view.print_button

    # the receipt, in the print preview (made on a worker), ready to print or save
    qtbot.keyClick(view.print_button, Qt.Key.Key_Return)
    preview = view.dialog
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(preview.is_ready, timeout=10000)
    assert preview.page_count() == 1 and preview.file_name == f"积分兑换凭证-{receipt.receipt_no:06d}.pdf"
    preview.reject()

    # more than the balance: said inline, nothing taken
    view.quantity.setValue(2)
    qtbot.mouseClick(view.redeem_button, Qt.MouseButton.LeftButton)
    assert view.message.kind == "error" and "has 4 points" in view.message.text()
    with store.read() as session:
        assert points.balance(session, village["h2"]) == 4


def test_a_notice_is_previewed_posted_and_an_objection_decided(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    day = today().replace(day=1) - dt.timedelta(days=1)
    with store.write() as session:
        entry = points.add_entry(session, admin, EntryInput(village["h2"], day, "A03"))  # -5 last month
    page = make_page(qtbot, store, admin)
    view = page.show_view("notice")
    assert isinstance(view, NoticeView)
    assert view.period_text() == f"{day.year}-{day.month:02d}"
    view.group_combo.setCurrentIndex(view.group_combo.findText("二组"))

    qtbot.mouseClick(view.preview_button, Qt.MouseButton.LeftButton)
    preview = view.dialog
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(preview.is_ready, timeout=10000)
    preview.reject()
    with store.read() as session:
        assert points_notice.objections(session, admin) == []

    # a period that has not ended cannot be posted: said inline
    view.period_combo.setEditText(f"{today().year}")
    qtbot.mouseClick(view.post_button, Qt.MouseButton.LeftButton)
    assert view.message.kind == "error" and "only after the period ends" in view.message.text()

    view.period_combo.setCurrentIndex(0)
    qtbot.mouseClick(view.post_button, Qt.MouseButton.LeftButton)
    assert view.message.kind == "ok" and view.posted_id is not None
    preview = view.dialog
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(preview.is_ready, timeout=10000)
    preview.reject()

    with store.write() as session:
        points_notice.raise_objection(session, admin, view.posted_id, entry.id, "𠮷䶮", "当天我不在家")
    page.refresh()
    assert [o.raised_by for o in view.objections] == ["𠮷䶮"]
    view.select_objection(view.objections[0].id)
    qtbot.mouseClick(view.uphold_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ReasonDialog)
    type_text(qtbot, dialog.reason, "经核实属实")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert view.objections == [] and view.objection_message.kind == "ok"
    with store.read() as session:
        assert points.balance(session, village["h2"]) == 0
