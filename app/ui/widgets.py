"""Small widget helpers shared by the sections: date edits in the user's format, hint labels, bigger fonts, the
facts of a detail panel, read-only row tables and lists, Save and Cancel of a form dialog, scroll areas, a list
page's search bar and empty state, the find-as-you-type search, and tabs that reload only the view shown."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.i18n import _, language

HINT_COLOR = "#5f6368"


def date_to_q(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def q_to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(value: dt.date | None = None, *, maximum: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy年M月d日" if language() == "zh_CN" else "yyyy-MM-dd")
    edit.setMinimumDate(QDate(2000, 1, 1))
    if maximum is not None:
        edit.setMaximumDate(date_to_q(maximum))
    edit.setDate(date_to_q(value or today()))
    return edit


def bigger(widget: QWidget, scale: float = 1.0, bold: bool = True) -> None:
    """A bigger and/or bold font from the application's font now (call again after the font size changes)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


def hint_label(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {HINT_COLOR};")
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def fact_labels(value_name: str) -> tuple[QLabel, QLabel]:
    """One fact of a detail panel: its name (grey, at the right of its cell, for the page to word) and its value
    (named `value_name`, wrapping, selectable with the mouse)."""
    name = QLabel()
    name.setStyleSheet(f"color: {HINT_COLOR};")
    name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    value = QLabel()
    value.setObjectName(value_name)
    value.setWordWrap(True)
    value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return name, value


def read_only_rows(view: QTableView) -> None:
    """A table the user reads and picks one whole row in: no editing, alternating rows, no wrapping."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)


def row_list(view: QTableView, *, stretch_last: bool = True) -> None:
    """`read_only_rows` without row numbers, the columns as wide as the user drags them; the last column
    reaches the right edge unless `stretch_last` is off."""
    read_only_rows(view)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


def columns_to_contents(view: QTableView, *, narrowest: int = 60, widest: int = 360,
                        widest_of: Mapping[int, int] | None = None) -> None:
    """Every column but the last as wide as its contents, kept between `narrowest` and `widest` (or the column's
    own limit in `widest_of`); the last column keeps the rest."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for column in range(header.count() - 1):
        limit = (widest_of or {}).get(column, widest)
        header.resizeSection(column, min(max(header.sectionSize(column), narrowest), limit))


def save_cancel_buttons(dialog: QDialog, save_text: str, save: Callable[[], object], *,
                        ctrl_s: bool = True) -> tuple[QDialogButtonBox, QPushButton]:
    """Save (worded `save_text`, calls `save`) and Cancel (rejects `dialog`) for a form dialog, and the Save
    button. Only Save answers Enter, even after Tab has passed over Cancel; Ctrl+S saves too unless `ctrl_s` is off."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
    save_button.setText(save_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
    for button in buttons.buttons():
        if isinstance(button, QPushButton):
            button.setAutoDefault(button is save_button)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    if ctrl_s:
        QShortcut(QKeySequence.StandardKey.Save, dialog, lambda: save())
    return buttons, save_button


def scroll_area(content: QWidget) -> QScrollArea:
    """A frameless scroll area around `content`, kept as wide as the area: for a form or page that may be taller
    than the window."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


def select_row(view: QTableView, row: int) -> None:
    """Make `row` the current and only chosen row of `view`, scrolled into sight."""
    index = view.model().index(row, 0)
    view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)


def search_as_you_type(field: QLineEdit, search: Callable[[], object], delay_ms: int) -> QTimer:
    """Run `search` once typing in `field` has paused for `delay_ms`, and at once on Enter. Returns the timer, for
    `search` to stop (so that Enter and the pause do not both search)."""
    timer = QTimer(field)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(search)
    field.textChanged.connect(lambda _text: timer.start())
    field.returnPressed.connect(search)
    return timer


@dataclass(frozen=True)
class SearchBar:
    """The top row of a section's list page (`search_bar`)."""

    toolbar: QToolBar
    search: QLineEdit
    find_action: QAction
    count_label: QLabel
    layout: QHBoxLayout


def search_bar(page: QWidget, *, search_name: str, count_name: str, on_find: Callable[[], object]) -> SearchBar:
    """A list page's top row: a toolbar of text-only buttons (its actions are added by the page), the search
    field taking the room left — Ctrl+F anywhere on `page` calls `on_find` — and, at the right, the count of
    what the list shows."""
    toolbar = QToolBar()
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    toolbar.setMovable(False)
    search = QLineEdit()
    search.setObjectName(search_name)
    search.setClearButtonEnabled(True)
    search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    find_action = QAction(page)
    find_action.setShortcut(QKeySequence.StandardKey.Find)
    find_action.triggered.connect(on_find)
    page.addAction(find_action)
    count_label = QLabel()
    count_label.setObjectName(count_name)
    count_label.setStyleSheet(f"color: {HINT_COLOR};")
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(toolbar)
    layout.addWidget(search, 1)
    layout.addWidget(count_label)
    return SearchBar(toolbar, search, find_action, count_label, layout)


def empty_page(*buttons: QPushButton) -> tuple[QWidget, QLabel]:
    """What a list page shows instead of an empty list: a message a third of the way down (the label returned,
    "emptyState", for the page to fill) with `buttons` centred under it."""
    label = QLabel()
    label.setObjectName("emptyState")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    layout.addWidget(label)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    layout.addLayout(row)
    layout.addStretch(2)
    return page, label


class FindAsYouType(QWidget):
    """A search field with what it finds listed under it, searched once typing pauses: Up and Down choose a hit,
    Enter (searching first if need be) or activating a row picks it — `picked` is emitted with the hit — and the
    field empties for the next search; a line under the field says when nothing is found. Subclasses give the
    hits for a query (`hits_for`; each hit has a `describe()` for its row), word `nothing_found` and `report` a
    search that failed."""

    picked = Signal(object)

    SEARCH_DELAY_MS = 200
    VISIBLE_ROWS = 6

    def __init__(self, edit_name: str, results_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hits: list[Any] = []
        self.edit = QLineEdit()
        self.edit.setObjectName(edit_name)
        self.edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName(results_name)
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.hide()
        self.results.itemActivated.connect(lambda _item: self.pick_current())
        self.status = hint_label()
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.edit.textChanged.connect(lambda _text: self._timer.start())
        self.edit.installEventFilter(self)

    # -------------------------------------------------------- to override

    def hits_for(self, query: str) -> list[Any]:
        """The hits for `query` (not empty), best first."""
        raise NotImplementedError

    def nothing_found(self, query: str) -> str:
        """The line shown when `query` finds nothing."""
        raise NotImplementedError

    def report(self, exc: BaseException, tb: str) -> None:
        """Tell the user that a search failed."""
        raise NotImplementedError

    def row_height(self) -> int:
        """The height of a row of the list, to size the list to its rows."""
        # the hint before the list is first shown is a little short of the row drawn: never cut the last row
        return max(self.results.sizeHintForRow(0), self.results.fontMetrics().lineSpacing() + 6)

    # -------------------------------------------------------- searching and picking

    def search_now(self) -> None:
        self._timer.stop()
        query = self.edit.text().strip()
        try:
            self.hits = self.hits_for(query) if query else []
        except Exception as exc:
            self.hits = []
            self.report(exc, traceback.format_exc())
        self.results.clear()
        for hit in self.hits:
            item = QListWidgetItem(hit.describe())
            item.setToolTip(hit.describe())
            self.results.addItem(item)
        if self.hits:
            self.results.setCurrentRow(0)
            rows_shown = min(len(self.hits), self.VISIBLE_ROWS)
            self.results.setFixedHeight(self.row_height() * rows_shown + 2 * self.results.frameWidth() + 2)
        self.results.setVisible(bool(self.hits))
        self.status.setText(self.nothing_found(query) if query and not self.hits else "")
        self.status.setVisible(bool(query) and not self.hits)

    def pick_current(self) -> None:
        row = self.results.currentRow()
        if not (0 <= row < len(self.hits)):
            return
        hit = self.hits[row]
        self.clear()
        self.picked.emit(hit)

    def clear(self) -> None:
        """Empty the field and the list."""
        self._timer.stop()
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self.hits = []
        self.results.clear()
        self.results.hide()
        self.status.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.edit or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter picks; it must not reach the dialog's default button.
            if self.edit.text().strip():
                if self._timer.isActive() or not self.hits:
                    self.search_now()
                self.pick_current()
            return True
        if self.hits:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None:
                self.results.setCurrentRow(max(0, min(len(self.hits) - 1, self.results.currentRow() + step)))
                return True
        return False


class StaleTabs(QWidget):
    """A section page of tabs (`self.tabs`, `self.views` key → view with `refresh()`): a change marks every
    view stale, and a view is reloaded only when it is shown."""

    tabs: QTabWidget
    views: dict[str, QWidget]
    _stale: set[str]

    def add_tabs(self, name: str) -> None:
        """`self.tabs` (named `name`), one tab a view of `self.views`, filling the page; every view stale."""
        self.tabs = QTabWidget()
        self.tabs.setObjectName(name)
        self.tabs.setDocumentMode(True)
        for view in self.views.values():
            self.tabs.addTab(view, "")
        self._stale = set(self.views)
        self.tabs.currentChanged.connect(lambda _i: self._load_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def relabel_tabs(self, labels: Mapping[str, str]) -> None:
        """The tabs' titles (`labels`: key → N_ msgid) in the language now, and the views' own words."""
        for i, key in enumerate(self.views):
            self.tabs.setTabText(i, _(labels[key]))
        for view in self.views.values():
            relabel = getattr(view, "relabel", None)
            if callable(relabel):
                relabel()

    def refresh(self) -> None:
        """Reload the view shown now (F5), and the others when they are next shown."""
        self._stale = set(self.views)
        self._load_current()

    def mark_stale(self) -> None:
        """After a change: every view reloads when it is next shown — the one shown now at once, if the page is."""
        self._stale = set(self.views)
        if self.isVisible():
            self._load_current()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_current()

    def show_view(self, key: str) -> QWidget:
        """Bring the view `key` to the front, loaded."""
        view = self.views[key]
        self.tabs.setCurrentWidget(view)
        self._load_current()
        return view

    def current_key(self) -> str:
        widget = self.tabs.currentWidget()
        return next((k for k, v in self.views.items() if v is widget), next(iter(self.views)))

    def _load_current(self) -> None:
        key = self.current_key()
        if key in self._stale:
            self._stale.discard(key)
            self.views[key].refresh()  # type: ignore[attr-defined]
