"""The roster section of the window (网格与住户): grid tree, household table, household detail."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.i18n import _, format_number, ngettext
from app.ui.context import UiContext
from app.ui.roster._common import ROSTER_TABLES, emphasise, inform, report_error
from app.ui.roster.detail import HouseholdDetailPanel
from app.ui.roster.grid_tree import GridTree
from app.ui.roster.household_dialog import HouseholdDialog
from app.ui.roster.household_model import ID_ROLE, HouseholdModel
from app.ui.widgets import columns_to_contents, empty_page, row_list, search_as_you_type, search_bar, select_row
from app.ui.worker import Progress, Task, run_task

FILTER_DELAY_MS = 200


class ExportCancelled(Exception):
    """The user cancelled an export: its audit record is rolled back and the file removed."""


class RosterPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RosterPage")
        self.dialog: QWidget | None = None
        self._export_task: Task | None = None
        self._loaded = False

        # ---- toolbar
        bar = search_bar(self, search_name="rosterFilter", count_name="householdCount", on_find=self.focus_filter)
        self.toolbar, self.filter_edit, self.find_action, self.count_label = (bar.toolbar, bar.search, bar.find_action,
                                                                              bar.count_label)
        # The actions never hide behind the toolbar's "»" button: the search box gives way instead.
        self.toolbar.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_household)
        self.edit_action = QAction(self)
        self.edit_action.triggered.connect(self.edit_household)
        self.import_action = QAction(self)
        self.import_action.triggered.connect(self.import_roster)
        self.export_action = QAction(self)
        self.export_action.triggered.connect(self.export_roster)
        for action in (self.new_action, self.edit_action, self.import_action, self.export_action):
            self.toolbar.addAction(action)
        self.new_action.setVisible(ctx.can("roster.write"))
        self.edit_action.setVisible(ctx.can("roster.write"))
        self.import_action.setVisible(ctx.can("roster.import"))
        self._filter_timer = search_as_you_type(self.filter_edit, self.apply_filter, FILTER_DELAY_MS)

        # ---- grid tree
        self.tree = GridTree(ctx)
        self.tree.cell_selected.connect(lambda _cell: self.apply_filter())

        # ---- household table and its empty state
        self.model = HouseholdModel(ctx, self)
        self.table = QTableView()
        self.table.setObjectName("households")
        self.table.setModel(self.model)
        row_list(self.table)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_household())
        self.model.modelReset.connect(self._model_reset)

        self.empty_new = QPushButton()
        self.empty_new.clicked.connect(self.new_household)
        self.empty_import = QPushButton()
        self.empty_import.clicked.connect(self.import_roster)
        self.empty_clear = QPushButton()
        self.empty_clear.clicked.connect(self.clear_filter)
        empty, self.empty_label = empty_page(self.empty_new, self.empty_import, self.empty_clear)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(empty)

        # ---- household detail
        self.detail = HouseholdDetailPanel(ctx)
        self.detail.dialog_opened.connect(self._remember_dialog)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table_stack)
        right.addWidget(self.detail)
        right.setStretchFactor(0, 5)
        right.setStretchFactor(1, 4)
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(bar.layout)
        layout.addWidget(self.splitter, 1)

        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()
        self.refresh()

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        self.new_action.setText(_("New household"))
        self.new_action.setToolTip(_("Add a household and its head (Ctrl+N)"))
        self.edit_action.setText(_("Edit"))
        self.edit_action.setToolTip(_("Change the chosen household's number, address or grid"))
        self.import_action.setText(_("Import roster…"))
        self.import_action.setToolTip(_("Read households and members from an Excel or CSV file"))
        self.export_action.setText(_("Export roster…"))
        self.export_action.setToolTip(_("Save the households shown to an Excel file"))
        self.filter_edit.setPlaceholderText(_("Search name, pinyin, initials, household no., phone, ID number"))
        self.filter_edit.setToolTip(_("{what} (Ctrl+F)").format(what=self.filter_edit.placeholderText()))
        self.filter_edit.setMinimumWidth(self.filter_edit.fontMetrics().averageCharWidth() * 18)
        emphasise(self.empty_label, 1.2, bold=False)
        self.empty_new.setText(_("New household"))
        self.empty_import.setText(_("Import roster…"))
        self.empty_clear.setText(_("Clear the search"))
        self.tree.relabel()
        self.detail.relabel()
        self.model.retranslate()
        self._update_state()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        """Read everything again (F5, or after a change elsewhere), keeping what is chosen."""
        keep = self.current_household_id() or self.detail.household_id
        self.tree.reload()
        if not self._loaded:
            self.splitter.setSizes([self.tree.preferred_width(), 960])
        self._load(keep, reset=not self._loaded)
        self.detail.show_household(keep if keep else None)
        self._loaded = True

    def _on_changed(self, tables: Any) -> None:
        if isinstance(tables, Iterable) and not isinstance(tables, str | bytes):
            names = set(tables)
            if names and not names & ROSTER_TABLES:
                return
        self.refresh()

    def apply_filter(self) -> None:
        """Load the first page for the search text and the grid cell chosen now."""
        self._filter_timer.stop()
        keep = self.current_household_id()
        self._load(keep, reset=True)

    def _load(self, keep: str | None, *, reset: bool) -> None:
        try:
            if reset or self.model.query != self.filter_edit.text().strip() or \
                    self.model.cell_id != self.tree.selected_cell_id():
                self.model.set_filter(self.filter_edit.text(), self.tree.selected_cell_id())
            else:
                self.model.refresh()
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
        if keep is not None:
            self.select_household(keep)
        self._update_state()

    def _model_reset(self) -> None:
        columns_to_contents(self.table, widest=260)

    def _update_state(self) -> None:
        total = self.model.total
        filtered = bool(self.model.query) or self.model.cell_id is not None
        self.count_label.setText(ngettext("{n} household", "{n} households", total).format(n=format_number(total)))
        can_write = self.ctx.can("roster.write")
        can_import = self.ctx.can("roster.import")
        self.detail.setVisible(bool(total) or self.detail.household_id is not None)
        if total:
            self.table_stack.setCurrentIndex(0)
        else:
            if self.model.query:
                text = _("No household matches “{query}”.").format(query=self.model.query)
            elif filtered:
                text = _("No households in this part of the grid yet.")
            elif can_write or can_import:
                text = _("No households yet. Press Ctrl+N to add the first, or import the roster from Excel.")
            else:
                text = _("No households yet. The mediators or grid workers add them.")
            self.empty_label.setText(text)
            self.empty_new.setVisible(can_write and not self.model.query)
            self.empty_import.setVisible(can_import and not filtered)
            self.empty_clear.setVisible(bool(self.model.query))
            self.table_stack.setCurrentIndex(1)
        self.edit_action.setEnabled(self.current_household_id() is not None)

    # -------------------------------------------------------- choosing

    def current_household_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.household_id(index.row())

    def select_household(self, household_id: str) -> None:
        row = self.model.row_of(household_id)
        if row >= 0:
            select_row(self.table, row)
        self.detail.show_household(household_id)
        self._update_state()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        household_id = current.data(ID_ROLE) if current.isValid() else None
        if household_id is not None:
            self.detail.show_household(household_id)
        self.edit_action.setEnabled(household_id is not None)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def clear_filter(self) -> None:
        self.filter_edit.clear()
        self.apply_filter()

    # -------------------------------------------------------- actions

    def _remember_dialog(self, dialog: QWidget) -> None:
        self.dialog = dialog

    def new_household(self) -> None:
        if not self.ctx.can("roster.write"):
            return
        try:
            dialog = HouseholdDialog(self.ctx, cell_id=self.tree.selected_cell_id(), parent=self)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self._open_household_dialog(dialog)

    def edit_household(self) -> None:
        household_id = self.current_household_id() or self.detail.household_id
        if household_id is None or not self.ctx.can("roster.write"):
            return
        try:
            dialog = HouseholdDialog(self.ctx, household_id, parent=self)
        except Exception as exc:
            report_error(self, self.ctx.data_dir, exc, traceback.format_exc())
            return
        self._open_household_dialog(dialog)

    def _open_household_dialog(self, dialog: HouseholdDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._after_household_saved(dialog.household_id))
        self.dialog = dialog
        dialog.open()

    def _after_household_saved(self, household_id: str | None) -> None:
        if household_id is not None:
            self.select_household(household_id)

    def import_roster(self) -> None:
        if not self.ctx.can("roster.import"):
            return
        from app.ui.roster.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def export_roster(self) -> None:
        default = Path.home() / f"花名册-{today().isoformat()}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(self, _("Export roster"), str(default),
                                                    _("Excel workbook (*.xlsx)"))
        if path:
            self.start_export(Path(path))

    def start_export(self, path: Path) -> Task:
        """Write the households of the chosen grid cell (all when none) to `path` on a worker."""
        from app.services.roster_export import export_roster

        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        ctx, cell_id = self.ctx, self.tree.selected_cell_id()
        progress = QProgressDialog(_("Writing the roster to {name}…").format(name=path.name), _("Cancel"), 0, 0, self)
        progress.setWindowTitle(_("Export roster"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)

        def work(task_progress: Progress) -> int:
            # The export is audited in this transaction; a cancel rolls the audit back and removes the file.
            with ctx.store.write() as session:
                count = export_roster(session, ctx.actor, path, cell_id=cell_id)
                if task_progress.cancelled:
                    path.unlink(missing_ok=True)
                    raise ExportCancelled
                return count

        def finish() -> None:
            progress.canceled.disconnect()  # closing the progress dialog would emit "canceled"
            progress.close()
            progress.deleteLater()
            self._export_task = None

        def done(count: Any) -> None:
            finish()
            inform(self, _("Export roster"), ngettext("Saved {n} person to {path}.", "Saved {n} persons to {path}.",
                                                      int(count)).format(n=format_number(int(count)), path=path))

        def failed(exc: BaseException, tb: str) -> None:
            finish()
            if not isinstance(exc, ExportCancelled):
                report_error(self, ctx.data_dir, exc, tb)

        self._export_task = run_task(work, done, failed)
        progress.canceled.connect(self._export_task.cancel)
        return self._export_task
