"""The points shop (积分超市): goods with their price in points and their stock; new goods, stock-ins; and
redemption — find the household, choose the goods and the quantity, redeem (points and stock taken together,
`points_shop.redeem`), then print or save the 积分兑换凭证."""

from __future__ import annotations

import io
import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.i18n import N_, _, format_number
from app.paths import log_file
from app.services.households import HouseholdRow
from app.services.points_shop import Receipt
from app.ui.context import UiContext
from app.ui.messages import field_label
from app.ui.points.common import (
    HINT_COLOR,
    ID_ROLE,
    SHOP_TABLES,
    WARNING_COLOR,
    HouseholdFinder,
    InlineMessage,
    ListOrEmpty,
    chosen_item,
    date_edit,
    error_message,
    hint_label,
    list_table,
    q_to_date,
    select_id,
    write,
)
from app.ui.points.dialogs import FormDialog

LOW_STOCK = 3
RECEIPT_TITLE = "积分兑换凭证"


@dataclass(frozen=True)
class Goods:
    id: str
    name: str
    unit: str
    price: int
    stock: int


class GoodsDialog(FormDialog):
    """New goods for the shop: name, price in points, unit."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("New goods"), parent)
        self.setObjectName("GoodsDialog")
        self.name = QLineEdit()
        self.name.setMaxLength(60)
        self.name.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.name.setPlaceholderText(_("e.g. 洗衣粉 (1 kg)"))
        self.price = QSpinBox()
        self.price.setRange(0, 100_000)
        self.price.setSuffix(_(" points"))
        self.unit = QLineEdit("件")
        self.unit.setMaxLength(10)
        self.errors.add_row(self.form, "name", _("Goods"), self.name, required=True)
        self.errors.add_row(self.form, "price", _("Price"), self.price, required=True)
        self.errors.add_row(self.form, "unit", _("Unit"), self.unit)
        self.save_button.setDefault(True)
        self.name.setFocus()
        self.item_id: str | None = None

    def save(self) -> bool:
        from app.services import points_shop

        name, price, unit = self.name.text(), self.price.value(), self.unit.text()

        def add(session: Any) -> None:
            self.item_id = points_shop.add_item(session, self.ctx.actor, name, price, unit).id

        return self.run(add, SHOP_TABLES)


class StockInDialog(FormDialog):
    """Goods received: quantity, date, note."""

    def __init__(self, ctx: UiContext, goods: Goods, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Stock in: {name}").format(name=goods.name), parent)
        self.setObjectName("StockInDialog")
        self.goods = goods
        self.quantity = QSpinBox()
        self.quantity.setRange(0, 100_000)
        self.quantity.setSuffix(f" {goods.unit}")
        self.received_on = date_edit(today(), maximum=today())
        self.note = QLineEdit()
        self.note.setMaxLength(300)
        self.note.setPlaceholderText(_("e.g. bought with the 2026 village fund"))
        self.top.addWidget(hint_label(_("In stock now: {n} {unit}").format(n=goods.stock, unit=goods.unit)))
        self.errors.add_row(self.form, "quantity", _("Quantity"), self.quantity, required=True)
        self.errors.add_row(self.form, "received_on", _("Date received"), self.received_on)
        self.errors.add_row(self.form, "note", _("Note"), self.note)
        self.save_button.setDefault(True)
        self.quantity.setFocus()

    def save(self) -> bool:
        from app.services import points_shop

        quantity, day, note = self.quantity.value(), q_to_date(self.received_on.date()), self.note.text()
        return self.run(lambda session: points_shop.stock_in(session, self.ctx.actor, self.goods.id, quantity, day, note),
                        SHOP_TABLES)


class ShopView(QWidget):
    COLUMNS = (N_("Goods"), N_("Price"), N_("In stock"), N_("Unit"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsShop")
        self.goods: list[Goods] = []
        self.household: HouseholdRow | None = None
        self.balance: int | None = None
        self.receipt: Receipt | None = None
        self.receipt_head = ""
        self.dialog: QWidget | None = None
        can_shop = ctx.can("points.shop")

        # ---- goods
        self.new_button = QPushButton()
        self.new_button.setObjectName("newGoods")
        self.new_button.clicked.connect(self.new_goods)
        self.stock_button = QPushButton()
        self.stock_button.setObjectName("stockIn")
        self.stock_button.clicked.connect(self.stock_in_selected)
        for button in (self.new_button, self.stock_button):
            button.setVisible(can_shop)
        goods_buttons = QHBoxLayout()
        goods_buttons.addWidget(self.new_button)
        goods_buttons.addWidget(self.stock_button)
        goods_buttons.addStretch(1)
        self.table = list_table(len(self.COLUMNS), "goodsTable", stretch_last=False)
        self.table.setWordWrap(True)  # a long goods name wraps (the other lists cut it short)
        self.table.itemSelectionChanged.connect(self._goods_selected)
        self.goods_stack = ListOrEmpty(self.table)
        self.goods_empty = self.goods_stack.empty
        self.goods_box = QGroupBox()
        goods_layout = QVBoxLayout(self.goods_box)
        goods_layout.addLayout(goods_buttons)
        goods_layout.addWidget(self.goods_stack, 1)

        # ---- redemption
        self.message = InlineMessage()
        self.message.setObjectName("shopMessage")
        self.finder = HouseholdFinder(ctx)
        self.finder.picked.connect(self._household_picked)
        self.finder.cleared.connect(self._household_cleared)
        self.finder.nothing_found.connect(lambda text: self.message.error(
            _("No household matches “{query}”.").format(query=text)))
        self.household_hint = hint_label()
        self.household_hint.setObjectName("shopBalance")
        self.goods_combo = QComboBox()
        self.goods_combo.setObjectName("redeemGoods")
        self.goods_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.goods_combo.setMinimumContentsLength(16)
        self.goods_combo.currentIndexChanged.connect(lambda _i: self._update_cost())
        self.quantity = QSpinBox()
        self.quantity.setObjectName("redeemQuantity")
        self.quantity.setRange(1, 100)
        self.quantity.valueChanged.connect(lambda _v: self._update_cost())
        self.cost_label = QLabel()
        self.cost_label.setObjectName("redeemCost")
        self.cost_label.setWordWrap(True)
        self.redeem_button = QPushButton()
        self.redeem_button.setObjectName("redeemButton")
        self.redeem_button.setAutoDefault(True)
        self.redeem_button.clicked.connect(self.redeem)
        self.receipt_label = QLabel()
        self.receipt_label.setObjectName("receiptLabel")
        self.receipt_label.setWordWrap(True)
        self.receipt_label.setTextFormat(Qt.TextFormat.PlainText)
        self.print_button = QPushButton()
        self.print_button.setObjectName("printReceipt")
        self.print_button.setAutoDefault(True)
        self.print_button.clicked.connect(self.print_receipt)
        self.receipt_box = QGroupBox()
        self.receipt_box.setObjectName("receiptBox")
        receipt_layout = QVBoxLayout(self.receipt_box)
        receipt_layout.addWidget(self.receipt_label)
        receipt_row = QHBoxLayout()
        receipt_row.addStretch(1)
        receipt_row.addWidget(self.print_button)
        receipt_layout.addLayout(receipt_row)
        self.receipt_box.hide()

        self.household_label, self.goods_label, self.quantity_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        household_box = QWidget()
        household_column = QVBoxLayout(household_box)
        household_column.setContentsMargins(0, 0, 0, 0)
        household_column.setSpacing(2)
        household_column.addWidget(self.finder)
        household_column.addWidget(self.household_hint)
        form.addRow(self.household_label, household_box)
        form.addRow(self.goods_label, self.goods_combo)
        form.addRow(self.quantity_label, self.quantity)
        for label, buddy in ((self.household_label, self.finder.edit), (self.goods_label, self.goods_combo),
                             (self.quantity_label, self.quantity)):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setBuddy(buddy)
        self.redeem_box = QGroupBox()
        self.redeem_box.setObjectName("redeemBox")
        redeem_layout = QVBoxLayout(self.redeem_box)
        redeem_layout.addLayout(form)
        redeem_layout.addWidget(self.cost_label)
        redeem_row = QHBoxLayout()
        redeem_row.addStretch(1)
        redeem_row.addWidget(self.redeem_button)
        redeem_layout.addLayout(redeem_row)
        redeem_layout.addWidget(self.message)
        redeem_layout.addWidget(self.receipt_box)
        redeem_layout.addStretch(1)
        self.redeem_box.setVisible(can_shop)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.goods_box)
        splitter.addWidget(self.redeem_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)

        self.setTabOrder(self.finder.edit, self.goods_combo)
        self.setTabOrder(self.goods_combo, self.quantity)
        self.setTabOrder(self.quantity, self.redeem_button)
        self.relabel()
        self.refresh()

    def relabel(self) -> None:
        self.goods_box.setTitle(_("Goods"))
        self.redeem_box.setTitle(_("Redeem points"))
        self.receipt_box.setTitle(_("Receipt"))
        self.new_button.setText(_("New goods…"))
        self.stock_button.setText(_("Stock in…"))
        self.household_label.setText(field_label(_("Household"), True))
        self.goods_label.setText(field_label(_("Goods"), True))
        self.quantity_label.setText(field_label(_("Quantity"), True))
        self.finder.edit.setPlaceholderText(_("Household no., name or pinyin initials, then Enter"))
        self.redeem_button.setText(_("Redeem"))
        self.print_button.setText(_("Print receipt…"))
        self.print_button.setToolTip(_("Preview the receipt, then print it or save it as PDF"))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self._show_goods()
        self._update_cost()

    # -------------------------------------------------------- goods

    def refresh(self) -> None:
        from app.services import points_shop

        try:
            with self.ctx.store.read() as session:
                self.goods = [Goods(i.id, i.name, i.unit, i.price, i.stock) for i in points_shop.items(session)]
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            self.goods = []
        self._show_goods()
        if self.household is not None:
            self._load_balance()
        self._update_cost()

    def _show_goods(self) -> None:
        keep_table = self.selected_goods()
        keep_combo = self.goods_combo.currentData()
        self.table.setRowCount(len(self.goods))
        for r, g in enumerate(self.goods):
            values = [g.name, _("{n} points").format(n=format_number(g.price)), str(g.stock), g.unit]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(ID_ROLE, g.id)
                if c in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 2 and g.stock <= LOW_STOCK:
                    item.setForeground(Qt.GlobalColor.red if g.stock == 0 else Qt.GlobalColor.darkYellow)
                    item.setToolTip(_("Out of stock") if g.stock == 0 else _("Only a few left"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if keep_table is not None:
            self.select_goods(keep_table.id)
        if self.goods:
            self.goods_stack.show_list()
        else:
            self.goods_stack.show_empty(_("The shop has no goods yet. Add goods with “New goods…”, then record what comes "
                                          "in with “Stock in…”.") if self.ctx.can("points.shop")
                                        else _("The shop has no goods yet."))
        self.goods_combo.blockSignals(True)
        self.goods_combo.clear()
        for g in self.goods:
            self.goods_combo.addItem(_("{name} — {price} points ({stock} left)").format(
                name=g.name, price=g.price, stock=g.stock), g.id)
        first_in_stock = next((i for i, g in enumerate(self.goods) if g.stock > 0), 0)
        index = self.goods_combo.findData(keep_combo)
        self.goods_combo.setCurrentIndex(index if index >= 0 else first_in_stock)
        self.goods_combo.blockSignals(False)
        self._goods_selected()

    def selected_goods(self) -> Goods | None:
        return chosen_item(self.table, self.goods)

    def select_goods(self, goods_id: str) -> None:
        select_id(self.table, goods_id)

    def _goods_selected(self) -> None:
        goods = self.selected_goods()
        self.stock_button.setEnabled(goods is not None)
        if goods is not None:
            index = self.goods_combo.findData(goods.id)
            if index >= 0:
                self.goods_combo.setCurrentIndex(index)

    def _open(self, dialog: QDialog, done: str) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            self.message.success(done)
            self.refresh()

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_goods(self) -> QDialog | None:
        if not self.ctx.can("points.shop"):
            return None
        return self._open(GoodsDialog(self.ctx, self), _("The goods were added; record the stock with “Stock in…”."))

    def stock_in_selected(self) -> QDialog | None:
        goods = self.selected_goods()
        if goods is None or not self.ctx.can("points.shop"):
            return None
        return self._open(StockInDialog(self.ctx, goods, self), _("The stock-in was recorded."))

    # -------------------------------------------------------- redemption

    def _household_picked(self, row: HouseholdRow) -> None:
        self.household = row
        self.message.clear_message()
        self._load_balance()
        self._update_cost()
        self.goods_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def _household_cleared(self) -> None:
        self.household = None
        self.balance = None
        self.household_hint.setText("")
        self._update_cost()

    def _load_balance(self) -> None:
        from app.services import points

        if self.household is None:
            return
        try:
            with self.ctx.store.read() as session:
                self.balance = points.balance(session, self.household.id)
        except Exception as exc:
            self.balance = None
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
        self.household_hint.setText(_("Balance: {n} points").format(n=self.balance) if self.balance is not None else "")

    def current_goods(self) -> Goods | None:
        goods_id = self.goods_combo.currentData()
        return next((g for g in self.goods if g.id == goods_id), None)

    def _update_cost(self) -> None:
        goods = self.current_goods()
        if goods is None:
            self.cost_label.setText("")
            self.redeem_button.setEnabled(False)
            return
        cost = goods.price * self.quantity.value()
        text = _("Costs {cost} points.").format(cost=cost)
        color = HINT_COLOR
        if self.balance is not None:
            after = self.balance - cost
            if after < 0:
                text = _("Costs {cost} points; the household has only {balance}.").format(cost=cost, balance=self.balance)
                color = WARNING_COLOR
            else:
                text = _("Costs {cost} points; {after} points left after.").format(cost=cost, after=after)
        in_stock = self.quantity.value() <= goods.stock
        if not in_stock:
            text += " " + _("Only {n} {unit} in stock.").format(n=goods.stock, unit=goods.unit)
            color = WARNING_COLOR
        self.cost_label.setText(text)
        self.cost_label.setStyleSheet(f"color: {color};")
        self.redeem_button.setEnabled(self.household is not None and in_stock)

    def redeem(self) -> Receipt | None:
        from app.services import points_shop

        if not self.ctx.can("points.shop"):
            return None
        household, goods, quantity = self.household, self.current_goods(), self.quantity.value()
        if household is None:
            self.message.error(_("Choose the household first: type its number, a name or pinyin initials and press Enter."))
            self.finder.setFocus()
            return None
        if goods is None:
            self.message.error(_("Choose the goods."))
            return None
        try:
            receipt: Receipt = write(self.ctx, lambda session: points_shop.redeem(session, self.ctx.actor, household.id,
                                                                                    goods.id, quantity), SHOP_TABLES)
        except Exception as exc:  # a known error in its own words (error_message)
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return None
        self.receipt = receipt
        self.receipt_head = household.head_name
        self.message.success(_("Redeemed: {household} · {item} × {n}.").format(
            household=f"{household.number} {household.head_name}".strip(), item=receipt.item, n=receipt.quantity))
        self.receipt_label.setText(_("Receipt {no}: {item} × {n}, {points} points; balance {balance}.").format(
            no=f"No. {receipt.receipt_no:06d}", item=receipt.item, n=receipt.quantity, points=receipt.points,
            balance=receipt.balance_after))
        self.receipt_box.show()
        self.quantity.setValue(1)
        self.refresh()
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        return receipt

    def print_receipt(self) -> QDialog | None:
        """The print preview of the last receipt (made on a worker); print it or save it as PDF there."""
        from app.ui.print_preview import PrintPreviewDialog

        receipt = self.receipt
        if receipt is None:
            return None
        store, head, recorder = self.ctx.store, self.receipt_head, self.ctx.actor.display_name

        def make() -> bytes:
            from app.documents.points_receipt import render_receipt
            from app.services import committee

            with store.read() as session:
                current = committee.require_current(session)
            out = io.BytesIO()
            render_receipt(receipt, current, out, head_name=head, recorded_by=recorder)
            return out.getvalue()

        dialog = PrintPreviewDialog(make, RECEIPT_TITLE, 1, self, file_name=f"{RECEIPT_TITLE}-{receipt.receipt_no:06d}.pdf",
                                    log_path=log_file(self.ctx.data_dir))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog
