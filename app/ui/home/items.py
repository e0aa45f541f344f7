"""The home page's list of today's items as a model and a view: no widget per row.

`TodayItemsModel` holds the `TodayItem`s shown and answers the view's questions about them (text, tooltip,
the kind drawn as a chip, the colour of an overdue note); new figures replace the list with one model reset.
`TodayItemsDelegate` paints the kind as a chip (`app.ui.cases.common.ChipDelegate`) and, in the last column,
an "Open" button drawn by the style (not a widget) that opens its row when it is clicked. The rows have one
fixed height, computed from the font (`row_height`), so the view never measures its rows; the columns are
sized from the texts by `column_widths`, which remembers the width of each text it has measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QFontMetrics, QFontMetricsF, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from app.i18n import N_, _
from app.services.today import ITEM_WORDS, TodayItem
from app.ui.cases.common import CHIPS_ROLE, ChipDelegate, chip_width
from app.ui.messages import ERROR_COLOR

COLUMNS: tuple[str, ...] = (N_("When"), N_("What"), N_("Number"), N_("Type"), N_("Parties or head of household"),
                            N_("Details"), "")
WHEN, WHAT, NUMBER, TYPE, PARTIES, DETAILS, OPEN = range(len(COLUMNS))
TIPPED = (WHEN, PARTIES, DETAILS)  # the full text on hover (these may be cut short)
ID_ROLE = Qt.ItemDataRole.UserRole  # the id of the record the row opens
KEPT_WIDTHS = 20_000  # texts whose width is remembered (a list holds at most 7 × MAX_LISTED items)

_Index = QModelIndex | QPersistentModelIndex


def item_key(item: TodayItem) -> tuple[str, str, str]:
    """What identifies an item from one read to the next (to keep it selected when the list is read again)."""
    return item.kind, item.record, item.record_id


class TodayItemsModel(QAbstractTableModel):
    def __init__(self, colors: Mapping[str, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._colors = dict(colors)  # kind → the colour of its chip
        self._items: list[TodayItem] = []
        self._overdue = QColor(ERROR_COLOR)

    # -------------------------------------------------------- the items

    @property
    def items(self) -> list[TodayItem]:
        return self._items

    def set_items(self, items: Sequence[TodayItem]) -> None:
        """Show `items` (one model reset: the view forgets its rows and asks again for those in sight)."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> TodayItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, key: tuple[str, str, str]) -> int:
        return next((row for row, item in enumerate(self._items) if item_key(item) == key), -1)

    def text(self, item: TodayItem, column: int) -> str:
        """The words a cell shows (in the language of the moment)."""
        if column == WHEN:
            return item.when
        if column == WHAT:
            return _(ITEM_WORDS[item.kind])
        if column == NUMBER:
            return item.number
        if column == TYPE:
            return item.category
        if column == PARTIES:
            return item.parties
        if column == DETAILS:
            return item.summary
        if column == OPEN:
            return _("Open")
        return ""

    # -------------------------------------------------------- what the view asks

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's names)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.text(item, column) or None) if column in TIPPED else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._overdue if column == WHEN and item.kind == "overdue" else None
        if role == CHIPS_ROLE:
            return self.chips(index)
        if role == ID_ROLE:
            return item.record_id
        return None

    def chips(self, index: _Index) -> list[tuple[str, str]]:
        """What the delegate draws as chips: the kind of the item, in its colour (its words are the text too)."""
        item = self.item(index.row()) if index.isValid() and index.column() == WHAT else None
        if item is None:
            return []
        return [(_(ITEM_WORDS[item.kind]), self._colors.get(item.kind, ERROR_COLOR))]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section]) if COLUMNS[section] else ""
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


# ---------------------------------------------------------------- sizes (from the font, once per font)


def button_size(text: str, font: QFont, widget: QWidget | None = None) -> QSize:
    """The size a QPushButton with `text` asks for (QPushButton::sizeHint), without making one."""
    style = widget.style() if widget is not None else QApplication.style()
    metrics = QFontMetrics(font)
    size = metrics.size(int(Qt.TextFlag.TextShowMnemonic), text or "XXXX")
    option = QStyleOptionButton()
    option.text = text
    option.fontMetrics = metrics
    option.rect.setSize(size)
    return style.sizeFromContents(QStyle.ContentsType.CT_PushButton, option, size, widget)


def row_height(font: QFont, open_text: str = "", widget: QWidget | None = None) -> int:
    """One height for every row: the text with room around it in the tallest of the font's families (the
    rare-character font that draws 𠮷 and 䶮 is taller than the main one), a chip, and the Open button."""
    main = QFontMetrics(font).height()
    tallest = main
    for family in font.families():
        each = QFont(font)
        each.setFamilies([family])
        tallest = max(tallest, QFontMetrics(each).height())
    bold = QFont(font)
    bold.setBold(True)
    chip = QFontMetrics(bold).height() + 6
    button = button_size(open_text, font, widget).height() if open_text else 0
    return max(main + 12, tallest + 10, chip + 6, button + 4)


class TextWidths:
    """Widths of texts in one font, each text measured once (a refresh mostly brings the same words again)."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self._metrics = QFontMetricsF(self.font)  # fractional advances, rounded up as the item views do
        self._texts: dict[str, int] = {}
        self._chips: dict[str, int] = {}

    def text(self, text: str) -> int:
        width = self._texts.get(text)
        if width is None:
            if len(self._texts) >= KEPT_WIDTHS:  # a desk open for weeks: start again rather than grow
                self._texts.clear()
            width = self._texts[text] = math.ceil(self._metrics.horizontalAdvance(text))
        return width

    def chip(self, text: str) -> int:
        width = self._chips.get(text)
        if width is None:
            width = self._chips[text] = chip_width(text, self.font)
        return width


def column_widths(model: TodayItemsModel, widths: TextWidths, margin: int, header: Callable[[int], int],
                  open_width: int) -> list[int]:
    """Each column as wide as its widest cell or its header (what ResizeToContents would give), measuring
    each distinct text once."""
    result = []
    items = model.items
    for column in range(len(COLUMNS)):
        if column == OPEN:
            widest = open_width
        elif column == WHAT:  # as ChipDelegate.sizeHint: the chip, its gap and the cell's padding
            widest = max((widths.chip(model.text(item, column)) + 6 + 8 for item in items), default=0)
        else:
            texts = {model.text(item, column) for item in items}
            widest = max((widths.text(text) for text in texts), default=0) + margin
        result.append(max(widest, header(column)))
    return result


# ---------------------------------------------------------------- painting, and the Open button


class TodayItemsDelegate(ChipDelegate):
    """Chips as in the case list; the Open column painted as a push button that opens its row on a click
    (pressed and released on the same row). Double-click and Enter on a row are the view's `activated`."""

    open_requested = Signal(int)  # the row

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self._view = view
        self._pressed: QPersistentModelIndex | None = None
        view.viewport().installEventFilter(self)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        if index.column() != OPEN:
            super().paint(painter, option, index)
            return
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        button = QStyleOptionButton()
        button.rect = option.rect
        button.palette = option.palette
        button.fontMetrics = option.fontMetrics
        button.direction = option.direction
        button.text = str(index.data() or "")
        state = QStyle.StateFlag.State_Enabled
        pressed = self._pressed is not None and self._pressed.isValid() and self._pressed.row() == index.row()
        state |= QStyle.StateFlag.State_Sunken if pressed else QStyle.StateFlag.State_Raised
        if option.state & QStyle.StateFlag.State_MouseOver and self._under_mouse(option.rect):
            state |= QStyle.StateFlag.State_MouseOver
        button.state = state
        painter.save()
        painter.setFont(option.font)
        style.drawControl(QStyle.ControlElement.CE_PushButton, button, painter, widget)
        painter.restore()

    def _under_mouse(self, rect: Any) -> bool:
        viewport = self._view.viewport()
        return bool(rect.contains(viewport.mapFromGlobal(QCursor.pos())))

    def _open_index(self, pos: QPoint) -> QModelIndex | None:
        index = self._view.indexAt(pos)
        return index if index.isValid() and index.column() == OPEN else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent) or event.button() != Qt.MouseButton.LeftButton:
            return False
        if kind == QEvent.Type.MouseButtonPress:
            index = self._open_index(event.position().toPoint())
            self._set_pressed(QPersistentModelIndex(index) if index is not None else None)
            return False  # the view selects the row as usual
        if kind == QEvent.Type.MouseButtonRelease:
            pressed, index = self._pressed, self._open_index(event.position().toPoint())
            self._set_pressed(None)
            if pressed is not None and pressed.isValid() and index is not None and index.row() == pressed.row():
                self.open_requested.emit(index.row())
            return False
        # a double-click on the button: its first click has opened the row already, not a second time
        return kind == QEvent.Type.MouseButtonDblClick and self._open_index(event.position().toPoint()) is not None

    def _set_pressed(self, index: QPersistentModelIndex | None) -> None:
        if index is None and self._pressed is None:
            return
        rows = {i.row() for i in (index, self._pressed) if i is not None and i.isValid()}
        self._pressed = index
        model = self._view.model()
        for row in rows:
            self._view.update(model.index(row, OPEN))
