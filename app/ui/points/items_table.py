"""Rule items as plain data (`ItemInput`) in a read-only table: the township's catalogs and the preview of one about
to be published, and a township catalog viewed at a village. The columns are those of the village's own catalog:
code, category, wording, points (green for good conduct, red for a breach), cap, cap period, review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout, QWidget

from app.i18n import N_, _, format_date, format_number, ngettext
from app.models.township import CatalogRelease
from app.services.points_catalog import ItemInput
from app.ui.cases.common import HINT_COLOR, OK_COLOR
from app.ui.points.common import GAIN_COLOR, LOSS_COLOR, bigger, cap_period_label, hint_label, signed
from app.ui.sync.common import Column, RowsModel, day_text, table_view

ITEM_COLUMNS = (
    Column("code", N_("Rule code")), Column("category", N_("Rule category")), Column("wording", N_("Wording")),
    Column("points", N_("Points"), numeric=True), Column("cap", N_("Cap"), numeric=True), Column("cap_period", N_("Cap period")),
    Column("review", N_("Review")),
)


def release_cell(release: CatalogRelease, key: str) -> Any:
    """A township catalog's cell: name, issued on, items, issued by, state (published or withdrawn, as a chip)."""
    if key == "name":
        return release.name
    if key == "issued":
        return day_text(release.issued_on)
    if key == "items":
        return format_number(release.item_count)
    if key == "issued_by":
        return release.issued_by
    if key == "state":
        return (_("Withdrawn"), HINT_COLOR) if release.withdrawn else (_("Published"), OK_COLOR)
    return ""


def item_cell(item: ItemInput, key: str) -> str:
    if key == "code":
        return item.code
    if key == "category":
        return item.category
    if key == "wording":
        return item.wording
    if key == "points":
        return signed(item.points)
    if key == "cap":
        return str(item.cap) if item.cap is not None else "—"
    if key == "cap_period":
        return cap_period_label(item.cap_period) if item.cap else ""
    if key == "review":
        return _("Yes") if item.needs_review else _("No")
    return ""


class ItemsModel(RowsModel):
    """Rule items, one a row; the points in green or red."""

    def __init__(self, items: Iterable[ItemInput] = (), parent: Any = None) -> None:
        super().__init__(ITEM_COLUMNS, item_cell, tip=lambda i: i.wording, parent=parent)
        self.set_rows(items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and self.columns[index.column()].key == "points":
            item = self.row_data(index.row())
            if item is not None:
                return QColor(GAIN_COLOR if item.points > 0 else LOSS_COLOR)
        return super().data(index, role)


def items_table(model: ItemsModel, name: str) -> QTableView:
    """The items, the wording taking the spare width (its tooltip has it all)."""
    return table_view(model, name, stretch="wording")


def count_text(n: int) -> str:
    return ngettext("{n} item", "{n} items", n).format(n=n)


class ReleaseItemsDialog(QDialog):
    """A township catalog's items, to read before the assembly decides (the village's "View")."""

    def __init__(self, name: str, issued_on: Any, note: str, items: list[ItemInput], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReleaseItemsDialog")
        self.setWindowTitle(_("Township catalog"))
        self.title = QLabel(name)
        self.title.setObjectName("releaseTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        bigger(self.title, 1.15)
        self.subtitle = hint_label(_("Issued by the township on {date} · {count}").format(
            date=format_date(issued_on), count=count_text(len(items))))
        self.note = hint_label(note)
        self.note.setObjectName("releaseNote")
        self.note.setVisible(bool(note))
        self.model = ItemsModel(items, self)
        self.table = items_table(self.model, "releaseItems")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 120, metrics.height() * 30)
