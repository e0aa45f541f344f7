"""The grid tree beside the roster: village → villager groups → micro-grids, each with its household count
and grid leader. Picking a cell filters the household table; the admin adds and renames cells and sets
their grid leader here."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _, format_number
from app.models.grid import GridLevel
from app.services import grid
from app.services.grid import GridNode
from app.ui.context import UiContext
from app.ui.roster._common import report_error, warn
from app.ui.roster.leader_dialog import LeaderDialog

CELL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 2
NAME_ROLE = Qt.ItemDataRole.UserRole + 3


def _has_leader(node: GridNode) -> bool:
    return bool(node.leader_name) or any(_has_leader(c) for c in node.children)


class GridTree(QWidget):
    # The picked cell id; None for the whole village.
    cell_selected = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._root_id: str | None = None
        self._input: QInputDialog | None = None
        self.dialog: QDialog | None = None

        self.tree = QTreeWidget()
        self.tree.setObjectName("gridTree")
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.tree.currentItemChanged.connect(self._current_changed)

        self.add_group_button = QPushButton()
        self.add_micro_button = QPushButton()
        self.rename_button = QPushButton()
        self.leader_button = QPushButton()
        self.leader_button.setObjectName("setLeader")
        self.add_group_button.clicked.connect(self.add_group)
        self.add_micro_button.clicked.connect(self.add_micro_grid)
        self.rename_button.clicked.connect(self.rename)
        self.leader_button.clicked.connect(self.set_leader)
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_group_button, 0, 0)
        buttons.addWidget(self.add_micro_button, 0, 1)
        buttons.addWidget(self.rename_button, 1, 0)
        buttons.addWidget(self.leader_button, 1, 1)
        self.buttons = QWidget()
        self.buttons.setLayout(buttons)
        self.buttons.setVisible(ctx.can("grid.write"))
        if ctx.can("grid.write"):
            self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.tree.customContextMenuRequested.connect(self._context_menu)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self.relabel()

    def relabel(self) -> None:
        self.tree.setHeaderLabels([_("Grid"), _("Households"), _("Grid leader")])
        self.tree.headerItem().setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.add_group_button.setText(_("Add group…"))
        self.add_group_button.setToolTip(_("Add a villager group to the village"))
        self.add_micro_button.setText(_("Add micro-grid…"))
        self.add_micro_button.setToolTip(_("Add a micro-grid to the chosen villager group"))
        self.rename_button.setText(_("Rename…"))
        self.rename_button.setToolTip(_("Rename the chosen villager group or micro-grid"))
        self.leader_button.setText(_("Set grid leader…"))
        self.leader_button.setToolTip(_("Choose the grid leader of the chosen villager group or micro-grid"))
        self._update_buttons()

    # -------------------------------------------------------- loading

    def reload(self) -> None:
        """Read the tree again, keeping the chosen cell."""
        keep = self.selected_cell_id()
        with self.ctx.store.read() as session:
            root = grid.tree(session)
        self._root_id = root.id
        self.tree.blockSignals(True)
        self.tree.clear()
        top = self._item(root)
        self.tree.addTopLevelItem(top)
        self.tree.expandAll()
        # The leader column only when some cell has a leader: it takes room the names need.
        leader_appears = self.tree.isColumnHidden(2) and _has_leader(root)
        self.tree.setColumnHidden(2, not _has_leader(root))
        if _has_leader(root):  # as wide as the names need, not Qt's default width: no sideways scrolling
            self.tree.header().resizeSection(2, max(self.tree.sizeHintForColumn(2), self.tree.header().sectionSizeHint(2)))
        self.tree.setCurrentItem(self._find(keep) or top)
        self.tree.blockSignals(False)
        self._update_buttons()
        if leader_appears:
            self._widen_for_leaders()

    def _widen_for_leaders(self) -> None:
        """The first leader set: take the room the new column needs from the household table beside."""
        splitter = self.parentWidget()
        if not isinstance(splitter, QSplitter) or not self.isVisible():
            return
        sizes = splitter.sizes()
        index = splitter.indexOf(self)
        extra = self.preferred_width() - sizes[index]
        if extra <= 0 or index + 1 >= len(sizes) or sizes[index + 1] - extra < 400:
            return
        sizes[index] += extra
        sizes[index + 1] -= extra
        splitter.setSizes(sizes)

    def preferred_width(self) -> int:
        """Wide enough for the names, counts and leaders without scrolling sideways (within reason)."""
        tree = self.tree
        header = tree.header()
        columns = sum(max(tree.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(tree.columnCount())
                      if not tree.isColumnHidden(c))
        width = columns + 2 * tree.frameWidth() + tree.verticalScrollBar().sizeHint().width() + 4
        if not self.buttons.isHidden():
            width = max(width, self.buttons.sizeHint().width())
        return min(max(width, 240), 320)

    def _item(self, node: GridNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([node.name, format_number(node.households), node.leader_name])
        item.setData(0, CELL_ID_ROLE, node.id)
        item.setData(0, LEVEL_ROLE, node.level)
        item.setData(0, NAME_ROLE, node.name)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tip = _("{name}: {n} households").format(name=node.name, n=format_number(node.households))
        if node.leader_name:
            tip += "\n" + _("Grid leader: {name} {phone}").format(name=node.leader_name, phone=node.leader_phone)
        item.setToolTip(0, tip.strip())
        for child in node.children:
            item.addChild(self._item(child))
        return item

    def _find(self, cell_id: str | None) -> QTreeWidgetItem | None:
        if cell_id is None:
            return None
        it = QTreeWidgetItemIterator(self.tree)
        while it.value() is not None:
            item = it.value()
            if item.data(0, CELL_ID_ROLE) == cell_id:
                return item
            it += 1
        return None

    def item_for(self, cell_id: str) -> QTreeWidgetItem | None:
        return self._find(cell_id)

    # -------------------------------------------------------- choosing

    def _current_item(self) -> QTreeWidgetItem | None:
        return self.tree.currentItem()

    def selected_cell_id(self) -> str | None:
        """The chosen cell, or None for the whole village."""
        item = self._current_item()
        if item is None:
            return None
        cell_id = item.data(0, CELL_ID_ROLE)
        return None if cell_id == self._root_id else cell_id

    def select_cell(self, cell_id: str | None) -> None:
        item = self._find(cell_id) if cell_id else self.tree.topLevelItem(0)
        if item is not None:
            self.tree.setCurrentItem(item)

    def _current_changed(self, *_args: object) -> None:
        self._update_buttons()
        self.cell_selected.emit(self.selected_cell_id())

    def _update_buttons(self) -> None:
        item = self._current_item()
        level = item.data(0, LEVEL_ROLE) if item is not None else None
        self.add_micro_button.setEnabled(level in (GridLevel.GROUP, GridLevel.MICRO))
        self.rename_button.setEnabled(level in (GridLevel.GROUP, GridLevel.MICRO))
        self.leader_button.setEnabled(level in (GridLevel.GROUP, GridLevel.MICRO))

    # -------------------------------------------------------- editing (grid.write)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is not None:
            self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(_("Add group…"), self.add_group)
        level = item.data(0, LEVEL_ROLE) if item is not None else None
        if level in (GridLevel.GROUP, GridLevel.MICRO):
            menu.addAction(_("Add micro-grid…"), self.add_micro_grid)
            menu.addAction(_("Rename…"), self.rename)
            menu.addAction(_("Set grid leader…"), self.set_leader)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def _ask_name(self, title: str, label: str, value: str, on_name: Callable[[str], None]) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(value)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setOkButtonText(_("Save"))
        dialog.setCancelButtonText(_("Cancel"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(on_name)
        self._input = dialog
        dialog.open()

    def _write(self, action: Callable[..., object]) -> None:
        try:
            with self.ctx.store.write() as session:
                action(session)
        except ValidationError as exc:
            warn(self, _("Cannot save"), exc.message)
            return
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self.ctx.changed.emit({"grid_cell"})

    def add_group(self) -> None:
        if self._root_id is None:
            return
        root_id = self._root_id
        self._ask_name(_("Add a villager group"), _("Name of the new villager group:"), "",
                       lambda name: self._write(lambda s: grid.add_cell(s, self.ctx.actor, root_id, name)))

    def add_micro_grid(self) -> None:
        item = self._current_item()
        if item is None:
            return
        level = item.data(0, LEVEL_ROLE)
        group_item = item.parent() if level == GridLevel.MICRO else item if level == GridLevel.GROUP else None
        if group_item is None:
            return
        group_id = group_item.data(0, CELL_ID_ROLE)
        group_name = group_item.data(0, NAME_ROLE)
        self._ask_name(_("Add a micro-grid"),
                       _("Name of the new micro-grid in {group}:").format(group=group_name), "",
                       lambda name: self._write(lambda s: grid.add_cell(s, self.ctx.actor, group_id, name)))

    def rename(self) -> None:
        item = self._current_item()
        if item is None or item.data(0, LEVEL_ROLE) not in (GridLevel.GROUP, GridLevel.MICRO):
            return
        cell_id = item.data(0, CELL_ID_ROLE)
        self._ask_name(_("Rename"), _("New name:"), item.data(0, NAME_ROLE),
                       lambda name: self._write(lambda s: grid.update_cell(s, self.ctx.actor, cell_id, name=name)))

    def set_leader(self) -> LeaderDialog | None:
        """Choose the grid leader of the chosen villager group or micro-grid (a person in the roster)."""
        item = self._current_item()
        if item is None or item.data(0, LEVEL_ROLE) not in (GridLevel.GROUP, GridLevel.MICRO) \
                or not self.ctx.can("grid.write"):
            return None
        try:
            dialog = LeaderDialog(self.ctx, item.data(0, CELL_ID_ROLE), item.data(0, NAME_ROLE), self)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog
